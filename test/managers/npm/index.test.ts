import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmAdapter } from '../../../src/managers/npm/index.js';
import type { PackageChange, Target } from '../../../src/managers/types.js';
import { execRunner, runChecked } from '../../../src/util/exec.js';
import { GitfleetError } from '../../../src/util/errors.js';
import { npmEnv, npmLsReference, packAll } from './pack.js';

let tmp: string;
let tgz: string;
const TOKEN = 'npm_T0kenForAPrivateRegistry';
const ctx = () => ({ runner: execRunner, env: npmEnv(tmp), timeoutMs: 60_000 });

async function apply(changes: PackageChange[], target: Target): Promise<void> {
  for (const cmd of npmAdapter.commands(changes, target, { findLinks: [tgz] })) {
    await runChecked(execRunner, { ...cmd, env: npmEnv(tmp), cleanEnv: true });
  }
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitfleet-npm-'));
  tgz = join(tmp, 'tgz');
  await packAll(tmp, tgz, [
    { name: 'fleet-b', version: '1.0.0' }, { name: 'fleet-b', version: '1.1.0' },
    { name: '@fleet/scoped', version: '2.0.0-rc.1' }, { name: '@fleet/scoped', version: '2.0.0' },
    { name: 'fleet-a', version: '1.0.0', dependencies: { 'fleet-b': '^1.0.0' } },
  ]);
}, 120_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('npm on a -g --prefix folder', () => {
  it('installs from tarballs, upgrades, downgrades, removes; listing equals npm ls -g each time', async () => {
    const prefix = join(tmp, 'prefix');
    await mkdir(prefix);
    const target: Target = { kind: 'node-prefix', path: prefix };
    expect(await npmAdapter.listInstalled(target, ctx())).toEqual({ packages: {}, via: 'database' });

    await apply([{ kind: 'install', name: 'fleet-b', version: '1.0.0' }, { kind: 'install', name: '@fleet/scoped', version: '2.0.0-rc.1' }], target);
    let got = await npmAdapter.listInstalled(target, ctx());
    expect(got).toEqual({ packages: { 'fleet-b': '1.0.0', '@fleet/scoped': '2.0.0-rc.1' }, via: 'database' });
    expect(got.packages).toEqual(await npmLsReference(tmp, ['-g', '--prefix', prefix]));

    await apply([{ kind: 'upgrade', name: 'fleet-b', version: '1.1.0' }, { kind: 'install', name: 'fleet-a', version: '1.0.0' }], target);
    await apply([{ kind: 'remove', name: '@fleet/scoped' }], target);
    got = await npmAdapter.listInstalled(target, ctx());
    expect(got.packages).toEqual({ 'fleet-b': '1.1.0', 'fleet-a': '1.0.0' });
    expect(got.packages).toEqual(await npmLsReference(tmp, ['-g', '--prefix', prefix]));

    await apply([{ kind: 'downgrade', name: 'fleet-b', version: '1.0.0' }], target);
    expect((await npmAdapter.listInstalled(target, ctx())).packages['fleet-b']).toBe('1.0.0');

    // The system target goes through `npm ls -g`; pointed at the same prefix it must agree with the files.
    const viaNpm = await npmAdapter.listInstalled({ kind: 'system' }, { ...ctx(), env: { ...npmEnv(tmp), npm_config_prefix: prefix } });
    expect(viaNpm).toEqual({ packages: (await npmAdapter.listInstalled(target, ctx())).packages, via: 'command' });
  });
});

describe('npm on a project', () => {
  it('lists like npm ls --depth=0: direct and extraneous, not hoisted transitive packages', async () => {
    const project = join(tmp, 'project');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'proj', version: '1.0.0', private: true }));
    const target: Target = { kind: 'node-project', path: project };
    await apply([
      { kind: 'install', name: 'fleet-a', version: '1.0.0' },
      { kind: 'install', name: 'fleet-b', version: '1.1.0' },
      { kind: 'install', name: '@fleet/scoped', version: '2.0.0' },
    ], target);
    const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['@fleet/scoped', 'fleet-a', 'fleet-b']);
    let got = await npmAdapter.listInstalled(target, ctx());
    expect(got.packages).toEqual({ 'fleet-a': '1.0.0', 'fleet-b': '1.1.0', '@fleet/scoped': '2.0.0' });
    expect(got.packages).toEqual(await npmLsReference(tmp, ['--prefix', project]));

    // fleet-b stays in node_modules only because fleet-a needs it: npm ls --depth=0 no longer shows it.
    delete manifest.dependencies['fleet-b'];
    await writeFile(join(project, 'package.json'), JSON.stringify(manifest));
    // An extraneous package (nobody needs it) is shown.
    await mkdir(join(project, 'node_modules', 'stray'));
    await writeFile(join(project, 'node_modules', 'stray', 'package.json'), '{"name":"stray","version":"0.0.1"}');
    got = await npmAdapter.listInstalled(target, ctx());
    const ref = await npmLsReference(tmp, ['--prefix', project]);
    expect(ref).toEqual({ 'fleet-a': '1.0.0', '@fleet/scoped': '2.0.0', stray: '0.0.1' });
    expect(got.packages).toEqual(ref);
  });

  it('a project without node_modules lists nothing', async () => {
    const empty = join(tmp, 'empty-project');
    await mkdir(empty);
    expect(await npmAdapter.listInstalled({ kind: 'node-project', path: empty }, ctx())).toEqual({ packages: {}, via: 'database' });
  });
});

describe('npm listing on bad input', () => {
  it('a package.json that is not JSON → E_PARSE naming the file', async () => {
    const prefix = join(tmp, 'bad-prefix');
    const bad = join(prefix, 'lib', 'node_modules', '@s', 'broken');
    await mkdir(bad, { recursive: true });
    await writeFile(join(bad, 'package.json'), '{"name": "@s/broken", "version": ');
    await mkdir(join(prefix, 'lib', 'node_modules', 'ok'));
    await writeFile(join(prefix, 'lib', 'node_modules', 'ok', 'package.json'), '{"name":"ok","version":"1.0.0"}');
    const err = await npmAdapter.listInstalled({ kind: 'node-prefix', path: prefix }, ctx()).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(GitfleetError);
    expect((err as GitfleetError).code).toBe('E_PARSE');
    expect((err as GitfleetError).message).toContain(join(bad, 'package.json'));
  });

  it('a missing prefix → E_NOT_FOUND naming the path', async () => {
    const missing = join(tmp, 'nope');
    await expect(npmAdapter.listInstalled({ kind: 'node-prefix', path: missing }, ctx())).rejects.toMatchObject({
      code: 'E_NOT_FOUND', message: expect.stringContaining(missing),
    });
  });

  it('an npm that hangs makes the fallback listing time out with E_COMMAND_TIMEOUT', async () => {
    const bin = join(tmp, 'hang-bin');
    await mkdir(bin);
    await writeFile(join(bin, 'npm'), '#!/bin/sh\nexec sleep 30\n');
    await chmod(join(bin, 'npm'), 0o755);
    const started = Date.now();
    const err = await npmAdapter.listInstalled({ kind: 'system' }, { runner: execRunner, env: { PATH: `${bin}:/usr/bin:/bin` }, timeoutMs: 500 })
      .then(() => undefined, (e: unknown) => e);
    expect((err as GitfleetError).code).toBe('E_COMMAND_TIMEOUT');
    expect((err as GitfleetError).message).toMatch(/npm ls --json --depth=0 -g timed out after 500 ms/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('npm detect and listAvailable', () => {
  it('detects npm and its version', async () => {
    const d = await npmAdapter.detect(ctx());
    expect(d.present).toBe(true);
    expect(d.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(await npmAdapter.detect({ runner: execRunner, env: { PATH: join(tmp, 'no-bin') } })).toEqual({ present: false });
  });

  describe('against a packument server on 127.0.0.1', () => {
    let server: Server;
    let registry: string;
    beforeAll(async () => {
      const doc = {
        _id: '@fleet/scoped', name: '@fleet/scoped', 'dist-tags': { latest: '2.0.0' },
        versions: Object.fromEntries(['2.0.0', '1.9.0', '2.0.0-rc.1'].map((v) => [v, { name: '@fleet/scoped', version: v, dist: { tarball: 'http://127.0.0.1/x.tgz', shasum: '0' } }])),
        time: { created: '2020-01-01T00:00:00.000Z', modified: '2024-01-01T00:00:00.000Z', '1.9.0': '2021-01-01T00:00:00.000Z', '2.0.0-rc.1': '2022-01-01T00:00:00.000Z', '2.0.0': '2023-01-01T00:00:00.000Z' },
      };
      server = createServer((req, res) => {
        if (req.url === '/@fleet%2fscoped') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
        // A private registry: the packument only with the bearer token.
        else if (req.url === '/private/@fleet%2fscoped' && req.headers.authorization === `Bearer ${TOKEN}`) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
        else if (req.url?.startsWith('/private/')) res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end('{"error":"unauthorized"}');
        else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('returns versions in semver order with dates', async () => {
      // Online only towards 127.0.0.1: the registry is given explicitly.
      const env = { ...npmEnv(tmp), npm_config_offline: 'false', npm_config_prefer_online: 'true' };
      const got = await npmAdapter.listAvailable('@fleet/scoped', { runner: execRunner, env, timeoutMs: 60_000 }, { registry });
      expect(got).toEqual([
        { version: '1.9.0', releasedAt: '2021-01-01T00:00:00.000Z' },
        { version: '2.0.0-rc.1', releasedAt: '2022-01-01T00:00:00.000Z' },
        { version: '2.0.0', releasedAt: '2023-01-01T00:00:00.000Z' },
      ]);
      expect(await npmAdapter.listAvailable('no-such-pkg', { runner: execRunner, env, timeoutMs: 60_000 }, { registry })).toEqual([]);
    });

    it('a registry URL with a token: npm sends it as a bearer token; without it a 401 fails, naming no token', async () => {
      const env = { ...npmEnv(tmp), npm_config_offline: 'false', npm_config_prefer_online: 'true' };
      const c = { runner: execRunner, env, timeoutMs: 60_000 };
      const got = await npmAdapter.listAvailable('@fleet/scoped', c, { registry: registry.replace('http://', `http://:${TOKEN}@`) + 'private/' });
      expect(got.map((v) => v.version)).toEqual(['1.9.0', '2.0.0-rc.1', '2.0.0']);
      const err = await npmAdapter.listAvailable('@fleet/scoped', c, { registry: `${registry}private/` }).then(() => { throw new Error('it did not fail'); }, (e: unknown) => e as GitfleetError);
      expect(err).toMatchObject({ code: 'E_COMMAND_FAILED', message: expect.stringContaining('E401') });
      const wrong = await npmAdapter.listAvailable('@fleet/scoped', c, { registry: registry.replace('http://', 'http://:wrong-T0ken-000@') + 'private/' }).then(() => { throw new Error('it did not fail'); }, (e: unknown) => e as GitfleetError);
      expect(wrong).toMatchObject({ code: 'E_COMMAND_FAILED', message: expect.stringContaining('E401') });
      expect(JSON.stringify({ m: wrong.message, s: wrong.stack, c: String(wrong.cause ?? '') })).not.toContain('wrong-T0ken');
    });
  });
});
