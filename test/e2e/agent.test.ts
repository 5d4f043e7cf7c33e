// Multi-process: `git daemon` on 127.0.0.1 and agents as separate `node bin/gitfleet.js agent` processes
// (run `npm run build` first: they run dist/). Waves, a failing canary, an invalid commit, the server going
// away and coming back, kill -9 and restart, SIGTERM mid-cycle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testRepo, type TestRepo } from '../helpers/git.js';
import { freePort, startGitDaemon, type GitDaemon } from '../helpers/git-daemon.js';
import { writeWheels, pipEnv } from '../helpers/wheels.js';
import { fleetFiles, type FleetSpec } from '../agent/helpers.js';
import { execRunner } from '../../src/util/exec.js';
import type { HostStatus } from '../../src/report/types.js';

const BIN = join(import.meta.dirname, '../../bin/gitfleet.js');
const HOSTS = [{ name: 'c1', wave: 'canary' }, { name: 'c2', wave: 'canary' }, { name: 'b1', wave: 'broad' }];

let tmp: string;
let repo: TestRepo;
let port: number;
let daemon: GitDaemon | undefined;
const agents = new Map<string, Agent>();

interface Agent { proc: ChildProcess; exited: Promise<number | null>; stderr: string[] }

async function startDaemon(): Promise<void> {
  daemon = await startGitDaemon(join(tmp, 'repo'), { port, pidFile: join(tmp, 'daemon.pid') });
  await waitFor(async () => (await execRunner.run({ file: 'git', args: ['ls-remote', url()], timeoutMs: 2_000 }).catch(() => ({ exitCode: 1 }))).exitCode === 0, 5_000, 'git daemon up');
}

function stopDaemon(): void {
  daemon?.stop();
  daemon = undefined;
}

const url = () => `git://127.0.0.1:${port}/remote.git`;
const state = (h: string) => join(tmp, `state-${h}`);

function spawnAgent(host: string, extra: string[] = [], repoUrl = url()): Agent {
  const proc = spawn(process.execPath, [BIN, 'agent', '--repo', repoUrl, '--host', host, '--state-dir', state(host), '--interval', '500ms', '--drift-interval', '1h', '--no-http', ...extra], {
    env: { ...process.env, ...pipEnv(), PIP_FIND_LINKS: '', GITFLEET_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  proc.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, exited, stderr };
}

async function statusOf(host: string, dir = state(host)): Promise<HostStatus | null> {
  try {
    return JSON.parse(await readFile(join(dir, 'status.json'), 'utf8')) as HostStatus;
  } catch {
    return null;
  }
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) {
      const dump = await Promise.all(HOSTS.map(async (h) => `${h.name}: ${JSON.stringify(await statusOf(h.name))}\n${agents.get(h.name)?.stderr.join('').slice(-2000) ?? ''}`));
      throw new Error(`timed out waiting for ${what}\n${dump.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const appliedBy = (sha: string, hosts = HOSTS.map((h) => h.name)) => async () => (await Promise.all(hosts.map((h) => statusOf(h)))).every((s) => s?.revision.applied === sha && s.health === 'healthy');

function files(spec: FleetSpec & { failOn?: string } = {}, sandboxes = ['s1']): Record<string, string> {
  const f = fleetFiles({ hosts: HOSTS.map((h) => ({ ...h, sandboxes })), waves: [{ name: 'canary', soak: '2s' }, { name: 'broad' }], staleAfter: '1m', ...spec });
  // Every host gets a real venv with a real wheel; one host may get a policy whose health check fails.
  f['sandboxes/venv.yaml'] = 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: venv\ntype: {linux: venv}\npath: {linux: "{state}/sandboxes/{name}"}\n';
  f['baselines/py.yaml'] = 'apiVersion: gitfleet/v1\nkind: Baseline\nname: py\ntarget: sandbox:py\nsources: {pip: {findLinks: [wheels], noIndex: true}}\npackages:\n  pip:\n    alpha: "1.0.0"\n';
  for (const h of HOSTS) {
    const failing = spec.failOn === h.name;
    f[`hosts/${h.name}.yaml`] = f[`hosts/${h.name}.yaml`]!
      .replace('policies: [p]', `policies: [p${failing ? ', fails' : ''}]\nbaselines: [py]`)
      .replace('sandboxes: {', 'sandboxes: {py: {template: venv}, ');
  }
  if (spec.failOn) f['policies/fails.yaml'] = 'apiVersion: gitfleet/v1\nkind: Policy\nname: fails\nhealthChecks:\n  - {name: broken, command: ["false"]}\n';
  else f['policies/fails.yaml'] = null as unknown as string;
  return f;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitfleet-e2e-agent-'));
  repo = await testRepo(join(tmp, 'repo'));
  await writeWheels(join(repo.work, 'wheels'), [{ name: 'alpha', version: '1.0.0' }]);
  port = await freePort();
  await startDaemon();
}, 30_000);

afterAll(async () => {
  for (const a of agents.values()) a.proc.kill('SIGKILL');
  stopDaemon();
});

describe('three agents against git daemon', () => {
  let r1: string;
  let r2: string;

  it('applies a commit on all hosts: the canary wave first, the broad wave only after the soak', async () => {
    r1 = await repo.commit(files());
    for (const h of HOSTS) agents.set(h.name, spawnAgent(h.name));
    await waitFor(appliedBy(r1), 60_000, 'r1 applied everywhere');
    const [c1, c2, b1] = await Promise.all(HOSTS.map((h) => statusOf(h.name)));
    const canaryHealthy = Math.max(Date.parse(c1!.revision.healthySince!), Date.parse(c2!.revision.healthySince!));
    expect(Date.parse(b1!.revision.appliedAt!) - canaryHealthy).toBeGreaterThanOrEqual(2_000);
    expect(b1!.wave).toBe('broad');
    // Real packages: the wheel is installed in every host's venv.
    for (const h of HOSTS) expect(await stat(join(state(h.name), 'sandboxes/py/lib')).then(() => true)).toBe(true);
  }, 90_000);

  it('a failing health check on a canary halts the broad wave', async () => {
    r2 = await repo.commit(files({ failOn: 'c1' }, ['s1', 's2']));
    await waitFor(async () => (await statusOf('c1'))?.health === 'failed' && (await statusOf('c2'))?.revision.applied === r2, 30_000, 'c1 failed, c2 applied');
    const c1 = (await statusOf('c1'))!;
    expect(c1).toMatchObject({ revision: { applied: r1, attempted: r2 } });
    expect(c1.conditions.map((c) => c.reason)).toContain('HealthCheckFailed');
    await waitFor(async () => (await statusOf('b1'))?.conditions[0]?.reason === 'WaveFailed', 15_000, 'b1 sees the wave failed');
    await new Promise((r) => setTimeout(r, 2_500)); // longer than the soak: still halted
    expect(await statusOf('b1')).toMatchObject({ health: 'pending', revision: { applied: r1 } });
  }, 60_000);

  it('an invalid commit leaves every host on its last good revision, degraded', async () => {
    const before = await Promise.all(HOSTS.map(async (h) => (await statusOf(h.name))!.revision.applied));
    const bad = await repo.commit({ 'hosts/b1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: b1\nos: linux\narch: x64\nwave: broad\nbaselines: [nope]\n' });
    await waitFor(async () => (await Promise.all(HOSTS.map((h) => statusOf(h.name)))).every((s) => s?.health === 'degraded' && s.revision.attempted === bad), 20_000, 'all degraded');
    const after = await Promise.all(HOSTS.map(async (h) => (await statusOf(h.name))!));
    expect(after.map((s) => s.revision.applied)).toEqual(before);
    for (const s of after) expect(s.lastError?.code).toBe('ValidationFailed');
  }, 30_000);

  it('a fix is applied by all, waves in order again', async () => {
    const r3 = await repo.commit(files({}, ['s1', 's2', 's3']));
    await waitFor(appliedBy(r3), 40_000, 'r3 applied everywhere');
  }, 45_000);

  it('keeps running while the git server is down, reports FetchFailed, and recovers when it returns', async () => {
    stopDaemon();
    await waitFor(async () => (await Promise.all(HOSTS.map((h) => statusOf(h.name)))).every((s) => s?.conditions.some((c) => c.reason === 'FetchFailed')), 15_000, 'FetchFailed everywhere');
    for (const a of agents.values()) expect(a.proc.exitCode).toBeNull();
    await startDaemon();
    await waitFor(async () => (await Promise.all(HOSTS.map((h) => statusOf(h.name)))).every((s) => s?.health === 'healthy'), 30_000, 'recovered');
  }, 60_000);

  it('an agent killed with kill -9 and restarted resumes', async () => {
    const old = agents.get('b1')!;
    old.proc.kill('SIGKILL');
    await old.exited;
    const r4 = await repo.commit(files({}, ['s1', 's4']));
    await waitFor(appliedBy(r4, ['c1', 'c2']), 30_000, 'canaries applied r4');
    agents.set('b1', spawnAgent('b1'));
    await waitFor(appliedBy(r4), 30_000, 'b1 resumed and applied r4');
    expect((await statusOf('b1'))!.agent.pid).toBe(agents.get('b1')!.proc.pid);
  }, 60_000);

  it('SIGTERM stops all three with exit 0', async () => {
    const codes = await Promise.all([...agents.values()].map((a) => { a.proc.kill('SIGTERM'); return a.exited; }));
    expect(codes).toEqual([0, 0, 0]);
    agents.clear();
  }, 20_000);
});

describe('shutdown', () => {
  it('SIGTERM in the middle of a cycle lets it finish, releases the lock and exits 0 quickly', async () => {
    const solo = await testRepo(join(tmp, 'solo'));
    await solo.commit(fleetFiles({ health: ['sleep', '2'] }));
    const dir = join(tmp, 'solo-state');
    const proc = spawn(process.execPath, [BIN, 'agent', '--repo', solo.remote, '--host', 'h1', '--state-dir', dir, '--interval', '500ms', '--no-http'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const lock = join(dir, 'apply.lock');
    await waitFor(async () => stat(lock).then(() => true, () => false), 15_000, 'the apply to hold the lock');
    await new Promise((r) => setTimeout(r, 300)); // the health check is running
    const sent = Date.now();
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(await stat(lock).then(() => true, () => false)).toBe(false);
    // The cycle finished rather than being cut off: the revision is applied and healthy.
    expect(await statusOf('h1', dir)).toMatchObject({ health: 'healthy' });
    await writeFile(join(tmp, 'done'), '');
  }, 30_000);
});
