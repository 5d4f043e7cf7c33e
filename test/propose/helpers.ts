// A real fleet repository for proposal tests: a bare remote, a work tree, and a local wheelhouse in the repo.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { testRepo, git, type TestRepo } from '../helpers/git.js';
import { writeWheels, pipEnv } from '../helpers/wheels.js';
import { execRunner, runChecked } from '../../src/util/exec.js';
import type { ProposeUpdatesOptions } from '../../src/propose/updates.js';

export const silent = pino({ level: 'silent' });

export interface ProposeFixture {
  tmp: string;
  repo: TestRepo;
  state: string;
  wheels: string;
  addWheels(versions: string[], name?: string): Promise<void>;
  options(over?: Partial<ProposeUpdatesOptions>): ProposeUpdatesOptions;
  remoteBranches(): Promise<Map<string, string>>;
  show(rev: string, path: string): Promise<string>;
}

export const BASELINE = `apiVersion: gitfleet/v1
kind: Baseline
name: py
# the python tools of the lab
target: sandbox:py
sources: {pip: {findLinks: [artifacts/wheels], noIndex: true}}

packages:
  pip:
    alpha: "1.0.0"   # pinned after the 2024 incident
`;

/** The fleet files; `policy` is the body of policies/p.yaml after its header. */
export function fleetFiles(policy = ''): Record<string, string> {
  return {
    'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nrollout: {waves: [{name: canary, soak: 10m}, {name: broad}]}\nprovider: {git: {}}\n',
    'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nwave: canary\nbaselines: [py]\npolicies: [p]\nsandboxes: {py: {template: venv}}\n',
    'sandboxes/venv.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: venv\ntype: {linux: venv}\npath: {linux: "{state}/sandboxes/{name}"}\n',
    'baselines/py.yaml': BASELINE,
    'policies/p.yaml': `apiVersion: gitfleet/v1\nkind: Policy\nname: p\n${policy}`,
  };
}

/** A repo holding the fleet and alpha 1.0.0, 1.0.1, 1.1.0 and 2.0.0 as real wheels. */
export async function proposeFixture(policy = ''): Promise<ProposeFixture> {
  const tmp = await mkdtemp(join(tmpdir(), 'gitfleet-propose-'));
  const repo = await testRepo(join(tmp, 'repo'));
  const wheels = join(repo.work, 'artifacts/wheels');
  await writeWheels(wheels, ['1.0.0', '1.0.1', '1.1.0', '2.0.0'].map((version) => ({ name: 'alpha', version })));
  await repo.commit(fleetFiles(policy), 'fleet');
  const state = join(tmp, 'state');
  return {
    tmp, repo, state, wheels,
    async addWheels(versions, name = 'alpha') {
      await git(repo.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
      await writeWheels(wheels, versions.map((version) => ({ name, version })));
      await repo.commit({}, `wheels ${versions.join(' ')}`);
    },
    options(over = {}) {
      return {
        runner: execRunner, log: silent, repo: repo.remote, stateDir: state, now: () => new Date('2026-03-01T12:00:00Z'),
        env: { ...pipEnv(), PIP_FIND_LINKS: '' }, ...over,
      };
    },
    async remoteBranches() {
      const out = await git(tmp, ['ls-remote', repo.remote, 'refs/heads/*']);
      return new Map(out.split('\n').filter(Boolean).map((l) => { const [sha, ref] = l.split('\t'); return [ref!.replace('refs/heads/', ''), sha!]; }));
    },
    // untrimmed: the tests compare whole files byte for byte
    show: async (rev, path) => (await runChecked(execRunner, { file: 'git', args: ['-C', repo.remote, 'show', `${rev}:${path}`] })).stdout,
  };
}

/** Versions of `name` installed in a venv, from its dist-info folders. */
export async function installedIn(venv: string, name: string): Promise<string[]> {
  const lib = join(venv, 'lib');
  const out: string[] = [];
  for (const py of await readdir(lib)) {
    for (const e of await readdir(join(lib, py, 'site-packages')).catch(() => [] as string[])) {
      const m = new RegExp(`^${name}-(.+)\\.dist-info$`).exec(e);
      if (m) out.push(m[1]!);
    }
  }
  return out;
}
