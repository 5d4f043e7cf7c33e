import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { applyHost, planHost } from '../../src/apply/run.js';
import { statePaths } from '../../src/util/state-dir.js';
import { sourceMountPoint } from '../../src/sandboxes/sources.js';
import { execRunner, type Runner } from '../../src/util/exec.js';
import { testRepo, type TestRepo } from '../helpers/git.js';
import { fakeCli, type FakeAnswer } from '../sandboxes/fake-cli.js';

const ENV = { PIP_CONFIG_FILE: '/dev/null' };
const INFO: FakeAnswer = { argv: ['info', '--format', '{{.ServerVersion}}'], stdout: '27.1.1\n' };
const NONE: FakeAnswer = { argv: ['container', 'inspect', 'gitfleet-py'], exitCode: 1, stdout: '[]\n', stderr: 'Error: No such container: gitfleet-py\n', once: true };
let tmp: string;
let wheels: string;
let repo: TestRepo;

beforeAll(async () => {
  tmp = await realpath(await mkdtemp(join(tmpdir(), 'gitfleet-apply-src-')));
  wheels = join(tmp, 'wheels');
  await mkdir(wheels);
  repo = await testRepo(join(tmp, 'repo'));
  await repo.commit({
    'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nrollout: {waves: [{name: canary}]}\n',
    'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nbaselines: [py]\nsandboxes: {py: {template: box}}\n',
    'sandboxes/box.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: box\ntype: {linux: docker}\nimage: python:3.11-slim\npath: {linux: "{state}/sandboxes/{name}"}\n',
    'baselines/py.yaml': `apiVersion: gitfleet/v1\nkind: Baseline\nname: py\ntarget: sandbox:py\nsources: {pip: {findLinks: ["${wheels}"], noIndex: true}}\npackages:\n  pip:\n    alpha: "1.0.0"\n`,
  });
});
afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

describe('a new docker sandbox gets its package folders mounted, and pip inside looks there', () => {
  it('creates with the mount and installs from the mount point', async () => {
    const state = join(tmp, 'state');
    const mp = sourceMountPoint(wheels);
    const RUN = ['run', '-d', '--name', 'gitfleet-py', '--init', '--restart', 'unless-stopped', '--label', 'gitfleet.sandbox=py', '--label', 'gitfleet.template=box',
      '-v', `${join(state, 'sandboxes', 'py')}:/sandbox`, '--mount', `type=bind,source=${wheels},target=${mp},readonly`, 'python:3.11-slim', 'sleep', 'infinity'];
    const made: FakeAnswer = { argv: NONE.argv, stdout: JSON.stringify([{ State: { Status: 'running', Running: true }, Config: { Image: 'python:3.11-slim', Labels: { 'gitfleet.sandbox': 'py' } }, Mounts: [{ Destination: '/sandbox' }, { Destination: mp }] }]) };
    const INSTALL = ['exec', '-e', 'PIP_CONFIG_FILE=/dev/null', 'gitfleet-py', 'python3', '-m', 'pip', 'install', '--no-input', '--disable-pip-version-check', '--no-index', '--find-links', mp, 'alpha==1.0.0'];
    const LIST = ['exec', '-e', 'PIP_CONFIG_FILE=/dev/null', 'gitfleet-py', 'python3', '-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'];
    const fake = await fakeCli(tmp, 'docker', [INFO, NONE, { ...NONE }, { argv: RUN, stdout: 'abc\n' }, made, { argv: INSTALL }, { argv: LIST, stdout: '[]' }]);
    const runner: Runner = { run: (cmd) => execRunner.run({ ...cmd, env: { ...cmd.env, PATH: `${fake.dir}:${process.env.PATH ?? '/usr/bin:/bin'}` } }) };
    const out = await applyHost({ host: 'h1', repo: repo.remote, stateDir: state, runner, log: pino({ level: 'silent' }), env: ENV });
    const calls = await fake.calls();
    expect(out.result?.status, JSON.stringify(calls)).toBe('applied');
    expect(calls).toContainEqual(RUN);
    expect(calls).toContainEqual(INSTALL);
  });
});

describe('a package folder in the fleet repository', () => {
  it('is reached through one read-only mount of the checkout, which a later checkout replacing the folder leaves in place', async () => {
    const inRepo = await testRepo(join(tmp, 'repo-wheels'));
    await inRepo.commit({
      'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nrollout: {waves: [{name: canary}]}\n',
      'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nbaselines: [py]\nsandboxes: {py: {template: box}}\n',
      'sandboxes/box.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: box\ntype: {linux: docker}\nimage: python:3.11-slim\npath: {linux: "{state}/sandboxes/{name}"}\n',
      'baselines/py.yaml': 'apiVersion: gitfleet/v1\nkind: Baseline\nname: py\ntarget: sandbox:py\nsources: {pip: {findLinks: [wheels], noIndex: true}}\npackages:\n  pip:\n    alpha: "1.0.0"\n',
      'wheels/alpha-1.0.0-py3-none-any.whl': 'not a real wheel: docker is the fake CLI',
    });
    const state = join(tmp, 'state-in-repo');
    const checkout = join(state, 'checkout');
    const mp = sourceMountPoint(checkout);
    const RUN = ['run', '-d', '--name', 'gitfleet-py', '--init', '--restart', 'unless-stopped', '--label', 'gitfleet.sandbox=py', '--label', 'gitfleet.template=box',
      '-v', `${join(state, 'sandboxes', 'py')}:/sandbox`, '--mount', `type=bind,source=${checkout},target=${mp},readonly`, 'python:3.11-slim', 'sleep', 'infinity'];
    const made: FakeAnswer = { argv: NONE.argv, stdout: JSON.stringify([{ State: { Status: 'running', Running: true }, Config: { Image: 'python:3.11-slim', Labels: { 'gitfleet.sandbox': 'py' } }, Mounts: [{ Destination: '/sandbox' }, { Destination: mp }] }]) };
    const INSTALL = ['exec', '-e', 'PIP_CONFIG_FILE=/dev/null', 'gitfleet-py', 'python3', '-m', 'pip', 'install', '--no-input', '--disable-pip-version-check', '--no-index', '--find-links', `${mp}/wheels`, 'alpha==1.0.0'];
    const LIST = ['exec', '-e', 'PIP_CONFIG_FILE=/dev/null', 'gitfleet-py', 'python3', '-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'];
    const fake = await fakeCli(tmp, 'docker', [INFO, NONE, { ...NONE }, { argv: RUN, stdout: 'abc\n' }, made, { argv: INSTALL }, { argv: LIST, stdout: '[]' }]);
    const runner: Runner = { run: (cmd) => execRunner.run({ ...cmd, env: { ...cmd.env, PATH: `${fake.dir}:${process.env.PATH ?? '/usr/bin:/bin'}` } }) };
    const out = await applyHost({ host: 'h1', repo: inRepo.remote, stateDir: state, runner, log: pino({ level: 'silent' }), env: ENV });
    const calls = await fake.calls();
    expect(out.result?.status, JSON.stringify(calls)).toBe('applied');
    expect(calls).toContainEqual(RUN);
    expect(calls).toContainEqual(INSTALL);
  });
});

describe('a docker container made without a package folder its baselines install from', () => {
  // Running, labelled ours, but with only its /sandbox mount: made before the baseline named the wheel folder.
  const OLD: FakeAnswer = { argv: NONE.argv, stdout: JSON.stringify([{ State: { Status: 'running', Running: true }, Config: { Image: 'python:3.11-slim', Labels: { 'gitfleet.sandbox': 'py' } }, Mounts: [{ Destination: '/sandbox' }] }]) };
  const LIST: FakeAnswer = { argv: ['exec', '-e', 'PIP_CONFIG_FILE=/dev/null', 'gitfleet-py', 'python3', '-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'], stdout: '[]' };

  it('is a plan warning naming the folder and the fix, with nothing planned for it: apply changes nothing and marks no revision bad', async () => {
    const state = join(tmp, 'state-old');
    // Any other call (an install, a docker run) fails loudly with exit 99.
    const fake = await fakeCli(tmp, 'docker', [INFO, OLD, LIST]);
    const runner: Runner = { run: (cmd) => execRunner.run({ ...cmd, env: { ...cmd.env, PATH: `${fake.dir}:${process.env.PATH ?? '/usr/bin:/bin'}` } }) };
    const o = { host: 'h1', repo: repo.remote, stateDir: state, runner, log: pino({ level: 'silent' }), env: ENV };

    const planned = await planHost(o); // what `gitfleet plan` and the agent plan with
    expect(planned.plan.actions).toEqual([]);
    expect(planned.plan.warnings).toEqual([{
      target: 'sandbox:py', code: 'sandbox.sources-unmounted',
      message: `sandbox py was made without the read-only mount of package folder ${wheels} (made before gitfleet mounted package folders, or before a baseline named it) and docker cannot add a mount to it, so nothing is planned for it (1 change held back); remove the container (docker rm -f gitfleet-py) and apply again: gitfleet makes it with the mount and installs its packages again`,
    }]);

    const out = await applyHost(o);
    const calls = await fake.calls();
    expect(out.result?.status, JSON.stringify(calls)).toBe('no-changes');
    expect(calls.filter((c) => c[0] !== 'info' && c[0] !== 'container' && !c.includes('list'))).toEqual([]);
    await expect(readFile(statePaths(state).badRevisions, 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
