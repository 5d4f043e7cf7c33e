import { mkdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MARKER_FILE } from '../../../src/sandboxes/marker.js';
import { makeNodeDriver, nodeDriver, nodePrefixLayout } from '../../../src/sandboxes/node/index.js';
import { execRunner, runChecked } from '../../../src/util/exec.js';
import { NOW, sandbox, tempDir } from '../helpers.js';

const ctx = { runner: execRunner };

describe('node prefix driver, for real', () => {
  let dir: string;
  let prefix: string;
  beforeAll(async () => {
    dir = await realpath(await tempDir());
    prefix = join(dir, 'tools');
  });

  it('says node is available with this process\'s version', async () => {
    expect(await nodeDriver.available(ctx)).toEqual({ ok: true, version: process.versions.node });
  });

  it('creates the prefix folders and the marker; a second create is a no-op', async () => {
    const sb = sandbox({ name: 'tools', template: 'node-tools', type: 'node', path: prefix, node: process.versions.node.split('.')[0] });
    expect(await nodeDriver.create(sb, { ...ctx, now: NOW })).toEqual({ created: true, limits: 'none' });
    expect((await stat(join(prefix, 'lib', 'node_modules'))).isDirectory()).toBe(true);
    expect((await stat(join(prefix, 'bin'))).isDirectory()).toBe(true);
    expect(JSON.parse(await readFile(join(prefix, MARKER_FILE), 'utf8'))).toMatchObject({ name: 'tools', type: 'node', createdAt: NOW, gitfleet: 1 });
    expect(await nodeDriver.inspect(sb, ctx)).toEqual({ exists: true, type: 'node', detail: 'an npm prefix' });
    expect(await nodeDriver.create(sb, { ...ctx, now: NOW })).toEqual({ created: false, limits: 'none' });
    expect(nodeDriver.target(sb)).toEqual({ kind: 'node-prefix', path: prefix });
  });

  it('a package from an npm pack tarball installs into the prefix, and exec finds its bin', async () => {
    const pkg = join(dir, 'pkg');
    await mkdir(pkg);
    await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'gf-hello', version: '1.0.0', bin: { 'gf-hello': 'cli.js' } }));
    await writeFile(join(pkg, 'cli.js'), '#!/usr/bin/env node\nconsole.log("hello from", process.env.NPM_CONFIG_PREFIX);\n', { mode: 0o755 });
    await runChecked(execRunner, { file: 'npm', args: ['pack', '--pack-destination', dir], cwd: pkg });
    await runChecked(execRunner, {
      file: 'npm', args: ['install', '-g', '--prefix', prefix, '--offline', '--cache', join(dir, 'cache'), '--no-audit', '--no-fund', './gf-hello-1.0.0.tgz'], cwd: dir,
    });
    expect((await stat(join(prefix, 'lib', 'node_modules', 'gf-hello', 'package.json'))).isFile()).toBe(true);

    const sb = sandbox({ name: 'tools', template: 'node-tools', type: 'node', path: prefix });
    const res = await execRunner.run(nodeDriver.exec(sb, { file: 'gf-hello', args: [] }));
    expect(res).toMatchObject({ exitCode: 0, stdout: `hello from ${prefix}\n` });
    // without exec the bin is not on PATH
    await expect(execRunner.run({ file: 'gf-hello', args: [] })).rejects.toMatchObject({ code: 'E_COMMAND_NOT_FOUND' });
  });

  it('refuses a Node.js major the host does not have, naming both versions', async () => {
    const sb = sandbox({ name: 'old', template: 'node-old', type: 'node', path: join(dir, 'old'), node: '18' });
    await expect(nodeDriver.create(sb, { ...ctx, now: NOW })).rejects.toMatchObject({
      code: 'E_UNSUPPORTED',
      message: `template "node-old" wants Node.js 18 for sandbox "old" but this host has Node.js ${process.versions.node}; install Node.js 18`,
    });
    await expect(stat(join(dir, 'old'))).rejects.toThrow(/ENOENT/);
  });

  it('removes the prefix it made', async () => {
    const sb = sandbox({ name: 'tools', type: 'node', path: prefix });
    await nodeDriver.remove(sb, ctx);
    await expect(stat(prefix)).rejects.toThrow(/ENOENT/);
  });
});

describe('node prefix layout (pure)', () => {
  it.each<[NodeJS.Platform, string, { modules: string; bin: string }]>([
    ['linux', '/opt/tools', { modules: '/opt/tools/lib/node_modules', bin: '/opt/tools/bin' }],
    ['win32', 'C:\\gitfleet\\tools', { modules: 'C:\\gitfleet\\tools\\node_modules', bin: 'C:\\gitfleet\\tools' }],
  ])('%s', (platform, prefix, want) => expect(nodePrefixLayout(prefix, platform)).toEqual(want));

  it('exec on Windows: the prefix itself on Path, npm pointed at it', () => {
    const sb = sandbox({ name: 'tools', type: 'node', path: 'C:\\gitfleet\\tools' });
    expect(makeNodeDriver('win32').exec(sb, { file: 'tool.cmd', args: [], env: { Path: 'C:\\Windows' } }).env).toEqual({
      NPM_CONFIG_PREFIX: 'C:\\gitfleet\\tools', NODE_PATH: 'C:\\gitfleet\\tools\\node_modules', Path: 'C:\\gitfleet\\tools;C:\\Windows',
    });
  });
});
