import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { observe } from '../../src/apply/observe.js';
import type { HostDeps } from '../../src/apply/context.js';
import { resolveHost, type DesiredHost } from '../../src/fleet/resolve.js';
import { getManager } from '../../src/managers/api.js';
import { aptAdapter } from '../../src/managers/apt/index.js';
import { pipAdapter } from '../../src/managers/pip/index.js';
import { plan } from '../../src/plan/plan.js';
import { driverFor } from '../../src/sandboxes/api.js';
import { dockerDriver } from '../../src/sandboxes/docker/index.js';
import { listInside } from '../../src/sandboxes/inside.js';
import { insideListing } from '../../src/sandboxes/listing.js';
import { makeWslDriver, wslDriver } from '../../src/sandboxes/wsl/index.js';
import { execRunner, runChecked, type Runner } from '../../src/util/exec.js';
import { smallFleet, validateMemory } from '../helpers/fleet.js';
import { fakeCli, type FakeAnswer } from './fake-cli.js';
import { dockerOnThisHost, sandbox, tempDir } from './helpers.js';

// No docker engine and no wsl.exe can run here. The failure paths below run for real (a PATH without the CLI, the real
// docker CLI that reaches no engine, wsl on Linux); the inner listings run for real on this host (dpkg-query, pip in a
// venv). The positive path through `docker exec` / `wsl.exe --exec` is checked against a fake CLI on PATH that replays
// those real outputs for exactly the argv written out here and fails loudly on any other: that is the contract check.

const PIP_ARGV = ['python3', '-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'];
const DPKG_ARGV = ['dpkg-query', '-W', '--showformat=${binary:Package}\\t${Version}\\t${db:Status-Abbrev}\\n'];
const INFO: FakeAnswer = { argv: ['info', '--format', '{{.ServerVersion}}'], stdout: '27.1.1\n' };
const inspectAnswer = (name: string, running: boolean): FakeAnswer => ({
  argv: ['container', 'inspect', `gitfleet-${name}`],
  stdout: JSON.stringify([{ State: { Status: running ? 'running' : 'exited', Running: running }, Config: { Image: 'python:3.11-slim', Labels: { 'gitfleet.sandbox': name } } }]),
});
const NOT_RUNNING = 'Error response from daemon: container 4f1c0e5d2b7a is not running\n';

let dir: string;
beforeAll(async () => { dir = await realpath(await tempDir('gf-inside-')); });
const dockerSb = () => sandbox({ type: 'docker', path: join(dir, 'trainer'), image: 'python:3.11-slim' });

const docker = await dockerOnThisHost();

describe('listing inside a docker sandbox when it cannot work, for real', () => {
  it('without the docker CLI on PATH: E_UNSUPPORTED, and says so', async () => {
    const empty = await realpath(await tempDir('gf-nopath-'));
    await expect(listInside(dockerSb(), 'pip', dockerDriver, { runner: execRunner, env: { PATH: empty } })).rejects.toMatchObject({
      code: 'E_UNSUPPORTED',
      message: 'cannot list pip packages inside docker sandbox trainer: docker is not available on this host: the docker CLI is not on PATH',
    });
  });

  it.runIf(docker === 'cli-only')('with the real docker CLI and no engine: E_UNSUPPORTED, with docker\'s own words', async () => {
    await expect(listInside(dockerSb(), 'apt', dockerDriver, { runner: execRunner, timeoutMs: 20_000 })).rejects.toMatchObject({
      code: 'E_UNSUPPORTED',
      message: expect.stringMatching(/^cannot list apt packages inside docker sandbox trainer: docker is not available on this host: no docker engine answered \(docker info: .*Cannot connect to the Docker daemon/),
    });
  });

  it('wsl on this (non-Windows) host: E_UNSUPPORTED', async () => {
    const sb = sandbox({ type: 'wsl', path: join(dir, 'wsl'), distribution: 'Ubuntu-22.04' });
    const osName = process.platform === 'darwin' ? 'macos' : process.platform;
    await expect(listInside(sb, 'npm', wslDriver, { runner: execRunner })).rejects.toMatchObject({
      code: 'E_UNSUPPORTED', message: `cannot list npm packages inside wsl sandbox trainer: wsl is only available on Windows hosts (this host is ${osName})`,
    });
  });

  it('a manager without a listing inside: E_UNSUPPORTED before anything runs', async () => {
    const fake = await fakeCli(dir, 'docker', []);
    await expect(listInside(dockerSb(), 'conda', dockerDriver, { runner: execRunner, env: { PATH: fake.dir } })).rejects.toMatchObject({
      code: 'E_UNSUPPORTED', message: expect.stringMatching(/^cannot list conda packages inside docker sandbox trainer: gitfleet cannot list conda/),
    });
    expect(await fake.calls()).toEqual([]);
  });
});

describe('listing inside through docker exec / wsl.exe --exec (the inner listings real, the outer CLI a fake)', () => {
  let dpkgOut: string;
  let pipOut: string;
  let venv: string;
  beforeAll(async () => {
    // the inner commands exactly as built, run for real on this host: dpkg-query, and pip in a throwaway venv
    const apt = await insideListing('apt');
    expect(apt.command).toEqual({ file: DPKG_ARGV[0], args: DPKG_ARGV.slice(1), env: { LC_ALL: 'C' } });
    dpkgOut = (await runChecked(execRunner, apt.command)).stdout;
    venv = join(dir, 'venv');
    await runChecked(execRunner, { file: '/usr/bin/python3', args: ['-m', 'venv', venv], timeoutMs: 120_000 });
    const pip = await insideListing('pip');
    expect(pip.command).toEqual({ file: PIP_ARGV[0], args: PIP_ARGV.slice(1) });
    pipOut = (await runChecked(execRunner, { ...pip.command, cleanEnv: true, env: { PATH: `${join(venv, 'bin')}:/usr/bin:/bin`, PIP_CONFIG_FILE: '/dev/null' } })).stdout;
  }, 120_000);

  it('docker: dpkg-query and pip inside give what the adapters read from the same databases', async () => {
    const fake = await fakeCli(dir, 'docker', [
      { argv: ['exec', '-e', 'LC_ALL=C', 'gitfleet-trainer', ...DPKG_ARGV], stdout: dpkgOut },
      { argv: ['exec', 'gitfleet-trainer', ...PIP_ARGV], stdout: pipOut },
    ]);
    const ctx = { runner: execRunner, env: { PATH: fake.dir } };
    const apt = await listInside(dockerSb(), 'apt', dockerDriver, ctx);
    const fromStatusFile = await aptAdapter.listInstalled({ kind: 'system' }, { runner: execRunner });
    expect(apt).toEqual({ packages: fromStatusFile.packages, via: 'command' });
    expect(Object.keys(apt.packages).length).toBeGreaterThan(10);

    const pip = await listInside(dockerSb(), 'pip', dockerDriver, ctx);
    const fromDistInfo = await pipAdapter.listInstalled({ kind: 'venv', path: venv }, { runner: execRunner });
    expect(pip).toEqual({ packages: fromDistInfo.packages, via: 'command' });
    expect(pip.packages).toHaveProperty('pip');
    // a listing that works costs one process: no availability or inspect calls
    expect((await fake.calls()).map((a) => a[0])).toEqual(['exec', 'exec']);
  });

  it('wsl: the same listing through wsl.exe -d gitfleet-<name> --exec', async () => {
    const fake = await fakeCli(dir, 'wsl.exe', [{ argv: ['-d', 'gitfleet-trainer', '--exec', ...PIP_ARGV], stdout: pipOut }]);
    const sb = sandbox({ type: 'wsl', path: 'C:\\gitfleet\\sandboxes\\trainer', distribution: 'Ubuntu-22.04' });
    const got = await listInside(sb, 'pip', makeWslDriver('win32'), { runner: execRunner, env: { PATH: fake.dir } });
    expect(got.packages).toEqual((await pipAdapter.listInstalled({ kind: 'venv', path: venv }, { runner: execRunner })).packages);
    expect(await fake.calls()).toHaveLength(1);
  });

  it('a stopped container: says it is not running (asked of the driver after the listing failed)', async () => {
    const fake = await fakeCli(dir, 'docker', [
      { argv: ['exec', 'gitfleet-trainer', ...PIP_ARGV], stderr: NOT_RUNNING, exitCode: 1 },
      INFO, inspectAnswer('trainer', false),
    ]);
    await expect(listInside(dockerSb(), 'pip', dockerDriver, { runner: execRunner, env: { PATH: fake.dir } })).rejects.toMatchObject({
      code: 'E_UNSUPPORTED',
      message: 'cannot list pip packages inside docker sandbox trainer: it is not running (container gitfleet-trainer exited (python:3.11-slim)); start it and plan again',
    });
    // inspect asks for the engine again: two `docker info`, on the failure path only
    expect((await fake.calls()).map((a) => a[0])).toEqual(['exec', 'info', 'info', 'container']);
  });

  it('a container that is gone: E_NOT_FOUND', async () => {
    const fake = await fakeCli(dir, 'docker', [
      { argv: ['exec', 'gitfleet-trainer', ...PIP_ARGV], stderr: 'Error response from daemon: No such container: gitfleet-trainer\n', exitCode: 1 },
      INFO, { argv: ['container', 'inspect', 'gitfleet-trainer'], stdout: '[]\n', stderr: 'Error: No such container: gitfleet-trainer\n', exitCode: 1 },
    ]);
    await expect(listInside(dockerSb(), 'pip', dockerDriver, { runner: execRunner, env: { PATH: fake.dir } })).rejects.toMatchObject({
      code: 'E_NOT_FOUND', message: 'cannot list pip packages inside docker sandbox trainer: it does not exist; apply creates it',
    });
  });

  it('a running container whose image lacks the manager: the listing\'s own failure, with what ran', async () => {
    const fake = await fakeCli(dir, 'docker', [
      { argv: ['exec', 'gitfleet-trainer', ...PIP_ARGV], stderr: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "python3": executable file not found in $PATH: unknown\n', exitCode: 127 },
      INFO, inspectAnswer('trainer', true),
    ]);
    await expect(listInside(dockerSb(), 'pip', dockerDriver, { runner: execRunner, env: { PATH: fake.dir } })).rejects.toMatchObject({
      code: 'E_COMMAND_FAILED',
      message: 'cannot list pip packages inside docker sandbox trainer: docker exec gitfleet-trainer python3 -m pip list --format=json --disable-pip-version-check exited with 127: OCI runtime exec failed: exec failed: unable to start container process: exec: "python3": executable file not found in $PATH: unknown',
      exitCode: 127,
    });
  });

  it('wsl without that distribution: wsl.exe\'s UTF-16 error, then E_NOT_FOUND from the driver', async () => {
    const utf16 = (s: string) => s.split('').join('\0') + '\0';
    const fake = await fakeCli(dir, 'wsl.exe', [
      { argv: ['-d', 'gitfleet-trainer', '--exec', ...PIP_ARGV], stdout: utf16('There is no distribution with the supplied name.\r\n'), exitCode: 255 },
      { argv: ['-l', '-q'], stdout: utf16('Ubuntu-22.04\r\n') },
    ]);
    const sb = sandbox({ type: 'wsl', path: join(dir, 'wsl-gone'), distribution: 'Ubuntu-22.04' });
    await expect(listInside(sb, 'pip', makeWslDriver('win32'), { runner: execRunner, env: { PATH: fake.dir } })).rejects.toMatchObject({
      code: 'E_NOT_FOUND', message: 'cannot list pip packages inside wsl sandbox trainer: it does not exist; apply creates it',
    });
    expect((await fake.calls()).map((a) => a[0])).toEqual(['-d', '-l', '-l']);
  });

  it('output that is not a listing: E_PARSE naming the sandbox', async () => {
    const fake = await fakeCli(dir, 'docker', [{ argv: ['exec', 'gitfleet-trainer', ...PIP_ARGV], stdout: 'WARNING: something\n' }]);
    await expect(listInside(dockerSb(), 'pip', dockerDriver, { runner: execRunner, env: { PATH: fake.dir } })).rejects.toMatchObject({
      code: 'E_PARSE', message: expect.stringMatching(/^cannot list pip packages inside docker sandbox trainer: pip list output is not JSON/),
    });
  });
});

describe('plan of a host with a docker sandbox (observe → plan; docker is the fake)', () => {
  const files = smallFleet({
    'sandboxes/venv.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: venv\ntype: {linux: docker}\nimage: python:3.11-slim\npath: {linux: "{state}/sandboxes/{name}"}\n',
  });
  let desired: DesiredHost;
  beforeAll(async () => {
    const v = await validateMemory(files);
    expect(v.diagnostics).toEqual([]);
    desired = resolveHost(v.model, 'h1', { stateDir: dir }).host!;
    expect(desired.sandboxes.map((s) => [s.name, s.type])).toEqual([['py', 'docker']]);
  });
  const deps = (fakeDir: string): HostDeps => {
    // the real runner, finding the fake docker first: observe passes no environment of its own to the driver
    const runner: Runner = { run: (cmd) => execRunner.run({ ...cmd, env: { ...cmd.env, PATH: fakeDir } }) };
    return { runner, manager: getManager, driver: driverFor, fleetDir: dir };
  };
  const pipList = { argv: ['exec', 'gitfleet-py', ...PIP_ARGV] };
  const empty = { packages: {}, sandboxes: {} };

  it('shows the versions observed inside the container', async () => {
    const fake = await fakeCli(dir, 'docker', [INFO, inspectAnswer('py', true), {
      ...pipList, stdout: JSON.stringify([{ name: 'alpha', version: '0.9.0' }, { name: 'Beta', version: '2.0.0' }, { name: 'pip', version: '23.0.1' }]),
    }]);
    const actual = await observe(desired, empty, deps(fake.dir));
    expect(actual.targets['sandbox:py']).toEqual({ pip: { status: 'ok', packages: { alpha: '0.9.0', beta: '2.0.0', pip: '23.0.1' } } });
    const p = plan({ desired, actual, inventory: empty, revision: 'r1', normalize: (m, n) => getManager(m).normalizeName(n) });
    expect(p.warnings).toEqual([]);
    expect(p.actions).toEqual([{ kind: 'upgrade', target: 'sandbox:py', manager: 'pip', name: 'alpha', from: '0.9.0', to: '1.0.0', reason: 'drifted', risk: 'major' }]);
    expect(p.unchanged).toBe(1);
    expect((await fake.calls()).map((a) => a[0])).toEqual(['info', 'container', 'exec']);
  });

  it('a stopped container: the target is unknown, with a warning that says why, and no actions', async () => {
    const fake = await fakeCli(dir, 'docker', [INFO, inspectAnswer('py', false), { ...pipList, stderr: NOT_RUNNING, exitCode: 1 }]);
    const actual = await observe(desired, empty, deps(fake.dir));
    const p = plan({ desired, actual, inventory: empty, revision: 'r1' });
    expect(p.actions).toEqual([]);
    expect(p.warnings).toEqual([{
      target: 'sandbox:py', manager: 'pip', code: 'E_UNSUPPORTED',
      message: 'packages of pip in sandbox:py are unknown: cannot list pip packages inside docker sandbox py: it is not running (container gitfleet-py exited (python:3.11-slim)); start it and plan again',
    }]);
  });
});
