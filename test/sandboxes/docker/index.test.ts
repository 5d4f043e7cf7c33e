import { readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dockerDriver } from '../../../src/sandboxes/docker/index.js';
import { MARKER_FILE } from '../../../src/sandboxes/marker.js';
import { execRunner } from '../../../src/util/exec.js';
import { NOW, dockerOnThisHost, sandbox, scriptedRunner, tempDir } from '../helpers.js';

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
