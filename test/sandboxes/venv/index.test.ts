import { mkdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MARKER_FILE } from '../../../src/sandboxes/marker.js';
import { makeVenvDriver, venvDriver } from '../../../src/sandboxes/venv/index.js';
import { pythonCandidates } from '../../../src/sandboxes/venv/python.js';
import { GitfleetError } from '../../../src/util/errors.js';
import { execRunner } from '../../../src/util/exec.js';
import { NOW, sandbox, tempDir } from '../helpers.js';

// the house rule: venvs from /usr/bin/python3 (pyenv shims come first on this machine's PATH)
const ctx = { runner: execRunner, env: { PATH: '/usr/bin:/bin' } };

describe('venv driver, for real', () => {
  let dir: string;
  let venv: string;
  beforeAll(async () => {
    dir = await realpath(await tempDir());
    venv = join(dir, 'sandboxes', 'trainer');
  });

  it('says python is available with its version', async () => {
    expect(await venvDriver.available(ctx)).toEqual({ ok: true, version: expect.stringMatching(/^3\.\d+\.\d+$/) });
  });

  it('creates a venv with the marker, then inspect and a second create see it', async () => {
    const sb = sandbox({ type: 'venv', path: venv, python: '3.11', limits: { cpus: 2, memory: '1Gi' } });
    expect(await venvDriver.inspect(sb, ctx)).toEqual({ exists: false });

    expect(await venvDriver.create(sb, { ...ctx, now: NOW })).toEqual({ created: true, limits: 'recorded' });
    expect((await stat(join(venv, 'bin', 'python'))).isFile()).toBe(true);
    // ctx.env's PATH chose the interpreter: Debian's, not a pyenv shim
    expect(await readFile(join(venv, 'pyvenv.cfg'), 'utf8')).toMatch(/^home = \/usr\/bin$/m);
    expect(JSON.parse(await readFile(join(venv, MARKER_FILE), 'utf8'))).toEqual({
      name: 'trainer', type: 'venv', template: 'python-ml', limits: { cpus: 2, memory: '1Gi' }, createdAt: NOW, gitfleet: 1,
    });
    expect(await venvDriver.inspect(sb, ctx)).toEqual({ exists: true, type: 'venv', detail: expect.stringMatching(/^Python 3\.11\.\d+$/) });

    const again = await venvDriver.create({ ...sb, limits: undefined }, { ...ctx, now: '2030-01-01T00:00:00.000Z' });
    expect(again).toEqual({ created: false, limits: 'none' });
    // the record follows the template, and keeps when the sandbox was made
    const marker = JSON.parse(await readFile(join(venv, MARKER_FILE), 'utf8'));
    expect(marker).toMatchObject({ limits: {}, createdAt: NOW });
  });

  it('exec puts the venv first on PATH: python is the venv\'s', async () => {
    const sb = sandbox({ type: 'venv', path: venv, env: { GF_MARK: 'yes' } });
    const cmd = venvDriver.exec(sb, { file: 'python', args: ['-c', 'import os, sys; print(sys.prefix); print(os.environ["GF_MARK"], os.environ["VIRTUAL_ENV"])'] });
    const res = await execRunner.run(cmd);
    expect(res.stdout.trim().split('\n')).toEqual([venv, `yes ${venv}`]);
  });

  it('refuses a Python version the host does not have, naming what it found, and leaves nothing behind', async () => {
    const path = join(dir, 'old');
    const sb = sandbox({ type: 'venv', path, python: '3.7' });
    const err = await venvDriver.create(sb, { ...ctx, now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitfleetError);
    expect(err).toMatchObject({ code: 'E_UNSUPPORTED', message: expect.stringMatching(/wants Python 3\.7 .* but this host has Python 3\.\d+\.\d+ \(python3\)/) });
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it('refuses to create into a non-empty folder gitfleet did not make', async () => {
    const path = join(dir, 'someone-elses');
    await mkdir(path);
    await writeFile(join(path, 'data.txt'), 'keep me');
    await expect(venvDriver.create(sandbox({ type: 'venv', path }), { ...ctx, now: NOW }))
      .rejects.toMatchObject({ code: 'E_VALIDATION', message: expect.stringMatching(/not empty and has no gitfleet marker/) });
    expect(await readFile(join(path, 'data.txt'), 'utf8')).toBe('keep me');
  });

  it('target is the venv', () => {
    expect(venvDriver.target(sandbox({ type: 'venv', path: venv }))).toEqual({ kind: 'venv', path: venv });
  });

  it('removes the venv it made', async () => {
    const sb = sandbox({ type: 'venv', path: venv });
    await venvDriver.remove(sb, ctx);
    await expect(stat(venv)).rejects.toThrow(/ENOENT/);
    expect(await venvDriver.inspect(sb, ctx)).toEqual({ exists: false });
    await venvDriver.remove(sb, ctx); // gone already: nothing to do
  });
});

describe('venv layout per platform (pure)', () => {
  it('Windows: Scripts\\ first on Path, VIRTUAL_ENV set', () => {
    const win = makeVenvDriver('win32');
    const sb = sandbox({ type: 'venv', path: 'C:\\gitfleet\\sandboxes\\trainer' });
    expect(win.exec(sb, { file: 'python', args: ['-V'], env: { Path: 'C:\\Windows' } })).toEqual({
      file: 'python', args: ['-V'],
      env: { VIRTUAL_ENV: 'C:\\gitfleet\\sandboxes\\trainer', Path: 'C:\\gitfleet\\sandboxes\\trainer\\Scripts;C:\\Windows' },
    });
  });

  it('POSIX: bin/ first on the command\'s own PATH', () => {
    const sb = sandbox({ type: 'venv', path: '/opt/gitfleet/sandboxes/trainer' });
    expect(makeVenvDriver('linux').exec(sb, { file: 'pip', args: [], env: { PATH: '/usr/bin' } }).env)
      .toEqual({ VIRTUAL_ENV: '/opt/gitfleet/sandboxes/trainer', PATH: '/opt/gitfleet/sandboxes/trainer/bin:/usr/bin' });
  });

  it.each<[string | undefined, NodeJS.Platform, string[]]>([
    ['3.11', 'linux', ['python3.11', 'python3']],
    ['3.11.4', 'darwin', ['python3.11', 'python3']],
    ['3', 'linux', ['python3']],
    [undefined, 'linux', ['python3']],
    ['3.12', 'win32', ['py -3.12', 'python']],
    [undefined, 'win32', ['python']],
  ])('interpreters for %s on %s', (wanted, platform, want) => {
    expect(pythonCandidates(wanted, platform).map((c) => [c.file, ...c.args].join(' '))).toEqual(want);
  });
});
