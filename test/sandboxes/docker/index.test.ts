import { mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dockerDriver } from '../../../src/sandboxes/docker/index.js';
import { MARKER_FILE } from '../../../src/sandboxes/marker.js';
import { sourceMountPoint } from '../../../src/sandboxes/sources.js';
import { describe as show, execRunner, type Runner } from '../../../src/util/exec.js';
import { NOW, dockerOnThisHost, sandbox, scriptedRunner, tempDir } from '../helpers.js';
import { fakeCli } from '../fake-cli.js';

const INFO = 'docker info --format "{{.ServerVersion}}"';
const INSPECT = 'docker container inspect gitfleet-trainer';

const docker = await dockerOnThisHost();

describe.runIf(docker === 'cli-only')('docker on this host (a CLI, no engine), for real', () => {
  let dir: string;
  beforeAll(async () => { dir = await realpath(await tempDir()); });
  const ctx = { runner: execRunner, timeoutMs: 20_000 };

  it('available() is false and says why', async () => {
    const a = await dockerDriver.available(ctx);
    expect(a.ok).toBe(false);
    expect(a).toEqual({ ok: false, reason: expect.stringMatching(/^docker is not available on this host: no docker engine answered \(docker info: .*Cannot connect to the Docker daemon/) });
  });

  it('create() rejects with E_UNSUPPORTED and the reason, and leaves nothing behind', async () => {
    const path = join(dir, 'trainer');
    const sb = sandbox({ type: 'docker', path, image: 'python:3.11-slim', limits: { cpus: 4, memory: '8Gi' } });
    await expect(dockerDriver.create(sb, { ...ctx, now: NOW })).rejects.toMatchObject({
      code: 'E_UNSUPPORTED', message: expect.stringMatching(/^docker is not available on this host: /),
    });
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it('inspect() says it does not exist, with the reason', async () => {
    const sb = sandbox({ type: 'docker', path: join(dir, 'trainer'), image: 'python:3.11-slim' });
    expect(await dockerDriver.inspect(sb, ctx)).toEqual({ exists: false, detail: expect.stringMatching(/^docker is not available on this host/) });
  });

  it('without the CLI on PATH, the reason says so', async () => {
    expect(await dockerDriver.available({ runner: execRunner, env: { PATH: dir } }))
      .toEqual({ ok: false, reason: 'docker is not available on this host: the docker CLI is not on PATH' });
  });
});

describe('docker with an engine (scripted: no engine can run here)', () => {
  let dir: string;
  beforeAll(async () => { dir = await realpath(await tempDir()); });
  const running = JSON.stringify([{ State: { Status: 'running', Running: true }, Config: { Image: 'python:3.11-slim', Labels: { 'gitfleet.sandbox': 'trainer' } } }]);

  it('create runs the container with limits enforced, then is a no-op; remove deletes container and folder', async () => {
    const path = join(dir, 'trainer');
    const sb = sandbox({ type: 'docker', path, image: 'python:3.11-slim', limits: { cpus: 4, memory: '8Gi' } });
    const run = `docker run -d --name gitfleet-trainer --init --restart unless-stopped --cpus 4 --memory 8g --label gitfleet.sandbox=trainer --label gitfleet.template=python-ml -v ${path}:/sandbox python:3.11-slim sleep infinity`;
    const first = scriptedRunner({
      [INFO]: { stdout: '27.1.1\n' },
      [INSPECT]: { exitCode: 1, stdout: '[]\n', stderr: 'Error: No such container: gitfleet-trainer\n' },
      [run]: { stdout: 'abc123\n' },
    });
    expect(await dockerDriver.create(sb, { runner: first, now: NOW })).toEqual({ created: true, limits: 'enforced' });
    expect(first.calls.map((c) => c.args[0])).toEqual(['info', 'container', 'run']);
    expect(JSON.parse(await readFile(join(path, MARKER_FILE), 'utf8'))).toMatchObject({ type: 'docker', limits: { cpus: 4, memory: '8Gi' } });

    const second = scriptedRunner({ [INFO]: { stdout: '27.1.1\n' }, [INSPECT]: { stdout: running } });
    expect(await dockerDriver.create(sb, { runner: second, now: NOW })).toEqual({ created: false, limits: 'enforced' });
    expect(await dockerDriver.inspect(sb, { runner: second })).toEqual({ exists: true, type: 'docker', running: true, detail: 'container gitfleet-trainer running (python:3.11-slim)' });

    const third = scriptedRunner({ [INFO]: { stdout: '27.1.1\n' }, [INSPECT]: { stdout: running }, 'docker rm -f gitfleet-trainer': {} });
    await dockerDriver.remove(sb, { runner: third });
    expect(third.calls.at(-1)?.args).toEqual(['rm', '-f', 'gitfleet-trainer']);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it('a stopped container is started, not recreated', async () => {
    const sb = sandbox({ type: 'docker', path: join(dir, 'stopped'), image: 'alpine:3.20' });
    const stopped = JSON.stringify([{ State: { Status: 'exited', Running: false }, Config: { Image: 'alpine:3.20', Labels: { 'gitfleet.sandbox': 'trainer' } } }]);
    const r = scriptedRunner({ [INFO]: { stdout: '27\n' }, [INSPECT]: { stdout: stopped }, 'docker start gitfleet-trainer': {} });
    expect(await dockerDriver.create(sb, { runner: r, now: NOW })).toEqual({ created: false, limits: 'none' });
    expect(r.calls.at(-1)?.args).toEqual(['start', 'gitfleet-trainer']);
  });

  it('refuses a container of that name that gitfleet did not label', async () => {
    const sb = sandbox({ type: 'docker', path: join(dir, 'foreign'), image: 'alpine:3.20' });
    const foreign = JSON.stringify([{ State: { Status: 'running', Running: true }, Config: { Image: 'alpine', Labels: {} } }]);
    const r = scriptedRunner({ [INFO]: { stdout: '27\n' }, [INSPECT]: { stdout: foreign } });
    await expect(dockerDriver.create(sb, { runner: r, now: NOW })).rejects.toMatchObject({ code: 'E_VALIDATION', message: expect.stringMatching(/not labelled gitfleet.sandbox=trainer/) });
    await expect(stat(join(dir, 'foreign'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a sandbox without an image before asking the engine', async () => {
    const r = scriptedRunner({});
    await expect(dockerDriver.create(sandbox({ type: 'docker', path: join(dir, 'x') }), { runner: r, now: NOW }))
      .rejects.toMatchObject({ code: 'E_VALIDATION', message: expect.stringMatching(/needs an image/) });
    expect(r.calls).toEqual([]);
  });
});

describe('docker sandboxes and the host folders their packages install from (scripted: no engine can run here)', () => {
  let dir: string;
  let wheels: string;
  let tarballs: string;
  beforeAll(async () => {
    dir = await realpath(await tempDir());
    wheels = join(dir, 'fleet', 'artifacts', 'wheels');
    tarballs = join(dir, 'fleet', 'artifacts', 'npm');
    await mkdir(wheels, { recursive: true });
    await mkdir(tarballs, { recursive: true });
  });
  const noContainer = { exitCode: 1, stdout: '[]\n', stderr: 'Error: No such container: gitfleet-trainer\n' };
  const inspected = (...mounts: string[]) => ({
    stdout: JSON.stringify([{
      State: { Status: 'running', Running: true }, Config: { Image: 'python:3.11-slim', Labels: { 'gitfleet.sandbox': 'trainer' } },
      Mounts: mounts.map((m) => ({ Type: 'bind', Source: '/elsewhere', Destination: m, RW: false })),
    }]),
  });

  it('create mounts every package folder read-only at its fixed place', async () => {
    const path = join(dir, 'trainer');
    const sb = sandbox({ type: 'docker', path, image: 'python:3.11-slim' });
    const run = show({ file: 'docker', args: [
      'run', '-d', '--name', 'gitfleet-trainer', '--init', '--restart', 'unless-stopped',
      '--label', 'gitfleet.sandbox=trainer', '--label', 'gitfleet.template=python-ml', '-v', `${path}:/sandbox`,
      '--mount', `type=bind,source=${tarballs},target=${sourceMountPoint(tarballs)},readonly`,
      '--mount', `type=bind,source=${wheels},target=${sourceMountPoint(wheels)},readonly`,
      'python:3.11-slim', 'sleep', 'infinity',
    ] });
    const r = scriptedRunner({ [INFO]: { stdout: '27.1.1\n' }, [INSPECT]: noContainer, [run]: { stdout: 'abc\n' } });
    expect(await dockerDriver.create(sb, { runner: r, now: NOW, sourceFolders: [wheels, tarballs, wheels] })).toEqual({ created: true, limits: 'none' });
    expect(r.calls.map((c) => c.args[0])).toEqual(['info', 'container', 'run']);
  });

  it('create refuses a package folder that is not on this host before asking the engine', async () => {
    const r = scriptedRunner({});
    const missing = join(dir, 'fleet', 'artifacts', 'gone');
    await expect(dockerDriver.create(sandbox({ type: 'docker', path: join(dir, 'm'), image: 'alpine:3.20' }), { runner: r, now: NOW, sourceFolders: [missing] }))
      .rejects.toMatchObject({ code: 'E_NOT_FOUND', message: `docker sandbox trainer: package folder ${missing} (sources findLinks) is not a folder on this host, so it cannot be mounted into the container` });
    expect(r.calls).toEqual([]);
    await expect(stat(join(dir, 'm'))).rejects.toThrow(/ENOENT/);
  });

  it('a container made without a mount it now needs is refused with what to do, not replaced', async () => {
    const sb = sandbox({ type: 'docker', path: join(dir, 'old'), image: 'python:3.11-slim' });
    const r = scriptedRunner({ [INFO]: { stdout: '27\n' }, [INSPECT]: inspected('/sandbox', sourceMountPoint(tarballs)) });
    await expect(dockerDriver.create(sb, { runner: r, now: NOW, sourceFolders: [wheels, tarballs] })).rejects.toMatchObject({
      code: 'E_UNSUPPORTED',
      message: expect.stringMatching(new RegExp(`^docker sandbox trainer: container gitfleet-trainer was made without the read-only mount of package folder ${wheels} .*remove it \\(docker rm -f gitfleet-trainer\\) and apply again`)),
    });
    expect(r.calls.map((c) => c.args[0])).toEqual(['info', 'container']);
  });

  it('inspect names the package folders the container lacks, when asked about them', async () => {
    const sb = sandbox({ type: 'docker', path: join(dir, 'old'), image: 'python:3.11-slim' });
    const r = scriptedRunner({ [INFO]: { stdout: '27\n' }, [INSPECT]: inspected('/sandbox', sourceMountPoint(tarballs)) });
    expect(await dockerDriver.inspect(sb, { runner: r, sourceFolders: [tarballs, wheels] })).toEqual({
      exists: true, type: 'docker', running: true, missingSourceFolders: [wheels],
      detail: `container gitfleet-trainer running (python:3.11-slim), without the read-only mount of package folder ${wheels}`,
    });
    expect(await dockerDriver.inspect(sb, { runner: r, sourceFolders: [tarballs] })).not.toHaveProperty('missingSourceFolders');
  });

  it('sourcesInside spells the folders as mounted, after checking the container has them', async () => {
    const sb = sandbox({ type: 'docker', path: join(dir, 'ok'), image: 'python:3.11-slim' });
    const r = scriptedRunner({ [INSPECT]: inspected('/sandbox', sourceMountPoint(wheels), sourceMountPoint(tarballs)) });
    expect(await dockerDriver.sourcesInside!(sb, { findLinks: [wheels], noIndex: true }, { runner: r }))
      .toEqual({ findLinks: [sourceMountPoint(wheels)], noIndex: true });
    expect(r.calls.map((c) => c.args)).toEqual([['container', 'inspect', 'gitfleet-trainer']]);
  });

  it('sourcesInside reaches a folder in the checkout below the checkout\'s mount, and asks for that mount alone', async () => {
    const sb = sandbox({ type: 'docker', path: join(dir, 'co'), image: 'python:3.11-slim' });
    const checkout = join(dir, 'checkout');
    const sources = { findLinks: [join(checkout, 'wheels'), tarballs], noIndex: true };
    const ok = scriptedRunner({ [INSPECT]: inspected('/sandbox', sourceMountPoint(checkout), sourceMountPoint(tarballs)) });
    expect(await dockerDriver.sourcesInside!(sb, sources, { runner: ok, checkoutRoot: checkout }))
      .toEqual({ findLinks: [`${sourceMountPoint(checkout)}/wheels`, sourceMountPoint(tarballs)], noIndex: true });
    // a container made with the folder's own mount (the old scheme) lacks the checkout's: it must be made again
    const old = scriptedRunner({ [INSPECT]: inspected('/sandbox', sourceMountPoint(join(checkout, 'wheels')), sourceMountPoint(tarballs)) });
    await expect(dockerDriver.sourcesInside!(sb, sources, { runner: old, checkoutRoot: checkout }))
      .rejects.toMatchObject({ code: 'E_UNSUPPORTED', message: expect.stringContaining(`without the read-only mount of package folder ${checkout} `) });
  });

  it('a real process gets the --mount values whole (the fake docker CLI checks the argv it was started with)', async () => {
    const path = join(dir, 'real');
    const mount = `type=bind,source=${wheels},target=${sourceMountPoint(wheels)},readonly`;
    const fake = await fakeCli(dir, 'docker', [
      { argv: ['info', '--format', '{{.ServerVersion}}'], stdout: '27.1.1\n' },
      { argv: ['container', 'inspect', 'gitfleet-trainer'], exitCode: 1, stdout: '[]\n', stderr: 'Error: No such container: gitfleet-trainer\n' },
      { argv: ['run', '-d', '--name', 'gitfleet-trainer', '--init', '--restart', 'unless-stopped', '--label', 'gitfleet.sandbox=trainer',
        '--label', 'gitfleet.template=python-ml', '-v', `${path}:/sandbox`, '--mount', mount, 'python:3.11-slim', 'sleep', 'infinity'], stdout: 'abc\n' },
    ]);
    const runner: Runner = { run: (cmd) => execRunner.run({ ...cmd, env: { ...cmd.env, PATH: `${fake.dir}:${process.env.PATH ?? '/usr/bin:/bin'}` } }) };
    const sb = sandbox({ type: 'docker', path, image: 'python:3.11-slim' });
    expect(await dockerDriver.create(sb, { runner, now: NOW, sourceFolders: [wheels] })).toEqual({ created: true, limits: 'none' });
    expect((await fake.calls()).map((a) => a[0])).toEqual(['info', 'container', 'run']);
  });

  it.each<[string, Record<string, object>, string, RegExp]>([
    ['lacks the mount', { [INSPECT]: inspected('/sandbox') }, 'E_UNSUPPORTED', /was made without the read-only mount of package folder .*docker rm -f gitfleet-trainer/],
    ['is gone', { [INSPECT]: noContainer }, 'E_NOT_FOUND', /container gitfleet-trainer does not exist; apply creates it/],
  ])('sourcesInside refuses a container that %s', async (_, script, code, msg) => {
    const sb = sandbox({ type: 'docker', path: join(dir, 'x'), image: 'python:3.11-slim' });
    await expect(dockerDriver.sourcesInside!(sb, { findLinks: [wheels] }, { runner: scriptedRunner(script) })).rejects.toMatchObject({ code, message: expect.stringMatching(msg) });
  });
});
