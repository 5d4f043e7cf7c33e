import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { applyHost } from '../../src/apply/run.js';
import { execRunner, type Runner } from '../../src/util/exec.js';
import { testRepo, type TestRepo } from '../helpers/git.js';
import { fakeCli, type FakeAnswer } from '../sandboxes/fake-cli.js';

// No docker engine runs here: `docker` is the fake CLI of test/sandboxes (exact argv only, anything else exits 99 and
// fails the apply), first on PATH for the real runner. What it checks is the argv gitfleet sends into the container.

const ENV = { PIP_CONFIG_FILE: '/dev/null' };
const INFO: FakeAnswer = { argv: ['info', '--format', '{{.ServerVersion}}'], stdout: '27.1.1\n' };
const INSPECT: FakeAnswer = {
  argv: ['container', 'inspect', 'gitfleet-py'],
  stdout: JSON.stringify([{ State: { Status: 'running', Running: true }, Config: { Image: 'python:3.11-slim', Labels: { 'gitfleet.sandbox': 'py' } } }]),
};
// The listing and the install inside, both spelled for Linux (python3) with the manager environment passed in.
const LIST = ['exec', '-e', 'PIP_CONFIG_FILE=/dev/null', 'gitfleet-py', 'python3', '-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'];
const INSTALL = ['exec', '-e', 'PIP_CONFIG_FILE=/dev/null', 'gitfleet-py', 'python3', '-m', 'pip', 'install', '--no-input', '--disable-pip-version-check', 'alpha==1.0.0'];
const LISTED: FakeAnswer = { argv: LIST, stdout: JSON.stringify([{ name: 'alpha', version: '0.9.0' }, { name: 'pip', version: '23.0.1' }]) };

let tmp: string;
let repo: TestRepo;

beforeAll(async () => {
  tmp = await realpath(await mkdtemp(join(tmpdir(), 'gitfleet-apply-inside-')));
  repo = await testRepo(join(tmp, 'repo'));
  await repo.commit({
    'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nrollout: {waves: [{name: canary}]}\n',
    'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nbaselines: [py]\nsandboxes: {py: {template: box}}\n',
    'sandboxes/box.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: box\ntype: {linux: docker}\nimage: python:3.11-slim\npath: {linux: "{state}/sandboxes/{name}"}\n',
    // h2: the same sandbox, with a policy whose health check calls the sandbox's Python as `python`
    'hosts/h2.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h2\nos: linux\narch: x64\nbaselines: [py]\nsandboxes: {py: {template: box}}\npolicies: [imports]\n',
    'policies/imports.yaml': 'apiVersion: gitfleet/v1\nkind: Policy\nname: imports\nhealthChecks:\n  - {name: alpha-imports, command: [python, -c, "import alpha"], target: "sandbox:py", timeout: 30s}\n',
    'baselines/py.yaml': 'apiVersion: gitfleet/v1\nkind: Baseline\nname: py\ntarget: sandbox:py\npackages:\n  pip:\n    alpha: "1.0.0"\n',
  });
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function applyWith(state: string, answers: FakeAnswer[], host = 'h1') {
  const fake = await fakeCli(tmp, 'docker', answers);
  const runner: Runner = { run: (cmd) => execRunner.run({ ...cmd, env: { ...cmd.env, PATH: `${fake.dir}:${process.env.PATH ?? '/usr/bin:/bin'}` } }) };
  const out = await applyHost({ host, repo: repo.remote, stateDir: join(tmp, state), runner, log: pino({ level: 'silent' }), env: ENV });
  return { out, calls: await fake.calls() };
}

describe('apply into a docker sandbox runs the changes inside, spelled like the listing', () => {
  it('upgrades through docker exec with python3, as the listing ran', async () => {
    const { out, calls } = await applyWith('ok', [INFO, INSPECT, LISTED, { argv: INSTALL }]);
    expect(out.result?.status).toBe('applied');
    expect(out.result?.changed).toEqual([{ target: 'sandbox:py', manager: 'pip', name: 'alpha', from: '0.9.0', to: '1.0.0' }]);
    expect(calls.filter((a) => a[0] === 'exec')).toEqual([LIST, INSTALL]);
  });

  it('a failed batch is rolled back from a listing inside the container, not the host\'s own python', async () => {
    // The listing still shows 0.9.0 after the failure, so there is nothing to put back; reading the host instead would
    // find no alpha and send an install of 0.9.0 the fake does not know: rollback-failed.
    const { out, calls } = await applyWith('fail', [INFO, INSPECT, LISTED, { argv: INSTALL, stderr: 'ERROR: No matching distribution found for alpha==1.0.0\n', exitCode: 1 }]);
    expect(out.result?.status).toBe('rolled-back');
    expect(out.result?.error?.message).toContain('No matching distribution found for alpha==1.0.0');
    expect(calls.filter((a) => a[0] === 'exec')).toEqual([LIST, INSTALL, LIST]);
  });
});

describe('a health check in a docker sandbox runs inside, its Python spelled like the listing and the changes', () => {
  it('`python` in the policy runs as python3 through docker exec, and the apply stays applied', async () => {
    // The fake knows only the python3 spelling: `python` would exit 99, fail the check and roll back.
    const CHECK = ['exec', '-e', 'PIP_CONFIG_FILE=/dev/null', 'gitfleet-py', 'python3', '-c', 'import alpha'];
    const { out, calls } = await applyWith('health', [INFO, INSPECT, LISTED, { argv: INSTALL }, { argv: CHECK }], 'h2');
    expect(out.result?.error).toBeUndefined();
    expect(out.result?.status).toBe('applied');
    expect(calls.filter((a) => a[0] === 'exec')).toEqual([LIST, INSTALL, CHECK]);
  });
});
