// The agent: commit-to-applied latency (1 s polling vs the local watch), the cost of a no-op cycle (running agent,
// cold `agent --once`) beside the git commands it needs, and the idle agent's RSS and CPU.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { execRunner, runChecked } from '../dist/util/exec.js';
import { startAgent } from '../dist/agent/loop.js';
import { EventBus } from '../dist/events/bus.js';
import { timeCommand, timeFn } from './lib.js';

const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@example.invalid', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@example.invalid',
};
const git = async (cwd, args) => (await runChecked(execRunner, { file: 'git', args, cwd, env: GIT_ENV })).stdout.trim();

function fleet(sandbox) {
  return {
    'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: b\nrollout: {waves: [{name: canary}]}\n',
    'sandboxes/node.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: node\ntype: {linux: node}\npath: {linux: "{state}/sandboxes/{name}"}\n',
    'policies/p.yaml': 'apiVersion: gitfleet/v1\nkind: Policy\nname: p\n',
    'hosts/h1.yaml': `apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\npolicies: [p]\nsandboxes: {${sandbox}: {template: node}}\n`,
  };
}

async function makeRepo(dir) {
  const remote = join(dir, 'remote.git');
  const work = join(dir, 'work');
  await mkdir(dir, { recursive: true });
  await git(dir, ['init', '-q', '--bare', '-b', 'main', remote]);
  await git(dir, ['init', '-q', '-b', 'main', work]);
  await git(work, ['remote', 'add', 'origin', remote]);
  let n = 0;
  const commit = async () => {
    for (const [p, t] of Object.entries(fleet(`s${n++}`))) {
      await mkdir(join(work, p, '..'), { recursive: true });
      await writeFile(join(work, p), t);
    }
    await git(work, ['add', '-A']);
    await git(work, ['commit', '-q', '-m', `c${n}`]);
    await git(work, ['push', '-q', 'origin', 'HEAD:main']);
    return git(work, ['rev-parse', 'HEAD']);
  };
  return { remote, work, commit };
}

function spawnAgent(projectDir, repo, state, extra = []) {
  const proc = spawn(process.execPath, [join(projectDir, 'bin/gitfleet.js'), 'agent', '--repo', repo, '--host', 'h1', '--state-dir', state, '--drift-interval', '1h', '--no-http', ...extra], { stdio: 'ignore', env: { ...process.env, GITFLEET_LOG_LEVEL: 'silent' } });
  const exited = new Promise((r) => proc.once('exit', r));
  return { proc, stop: async () => { proc.kill('SIGTERM'); await exited; } };
}

async function appliedRev(state) {
  try {
    return JSON.parse(await readFile(join(state, 'status.json'), 'utf8')).revision.applied;
  } catch {
    return null;
  }
}

async function waitApplied(state, sha, ms = 30_000) {
  const deadline = Date.now() + ms;
  while ((await appliedRev(state)) !== sha) {
    if (Date.now() > deadline) throw new Error(`not applied within ${ms} ms: ${sha}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function latency(projectDir, dir, { watch }, n, log) {
  const repo = await makeRepo(dir);
  const state = join(dir, 'state');
  // A file:// URL is not watched: that case measures polling alone.
  const agent = spawnAgent(projectDir, watch ? repo.remote : `file://${repo.remote}`, state, ['--interval', watch ? '1h' : '1s']);
  try {
    await waitApplied(state, await repo.commit());
    const times = [];
    for (let i = 0; i < n; i++) {
      const sha = await repo.commit();
      const t0 = performance.now();
      await waitApplied(state, sha);
      times.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 400)); // commits do not arrive in step with polling
    }
    times.sort((a, b) => a - b);
    log(`${watch ? 'watch' : 'poll 1s'}: ${times.map((t) => Math.round(t)).join(' ')}`);
    return { p50: times[Math.floor(n * 0.5)], p95: times[Math.min(n - 1, Math.ceil(n * 0.95) - 1)] };
  } finally {
    await agent.stop();
  }
}

function procStat(pid) {
  return readFile(`/proc/${pid}/stat`, 'utf8').then((s) => {
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { self: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
  });
}

async function rssMb(pid) {
  const s = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(s)[1]) / 1024;
}

export async function bench({ projectDir, tmpDir, log }) {
  const rows = [];
  const n = 20;
  const poll = await latency(projectDir, join(tmpDir, 'poll'), { watch: false }, n, log);
  const watch = await latency(projectDir, join(tmpDir, 'watch'), { watch: true }, n, log);
  rows.push({ area: 'agent', case: `commit→applied p50, 1 s polling (${n} commits)`, value: Math.round(poll.p50), unit: 'ms' });
  rows.push({ area: 'agent', case: `commit→applied p95, 1 s polling (${n} commits)`, value: Math.round(poll.p95), unit: 'ms' });
  rows.push({ area: 'agent', case: `commit→applied p50, watch (${n} commits)`, value: Math.round(watch.p50), unit: 'ms', target: '< 2000 ms', ok: watch.p50 < 2000 });
  rows.push({ area: 'agent', case: `commit→applied p95, watch (${n} commits)`, value: Math.round(watch.p95), unit: 'ms' });

  // A no-op cycle in a running agent (in process), beside the git ls-remote it needs and a git fetch.
  const repo = await makeRepo(join(tmpDir, 'noop'));
  await repo.commit();
  const state = join(tmpDir, 'noop-state');
  const logger = pino({ level: 'silent' });
  const hostRun = { host: 'h1', repo: repo.remote, stateDir: state, runner: execRunner, log: logger, env: {} };
  const agent = await startAgent({
    ctx: { repo: repo.remote, branch: 'main', host: 'h1', stateDir: state, runner: execRunner, log: logger, bus: new EventBus({ host: 'h1', sinks: [], log: logger }), hostRun, allowForcePush: false, now: () => new Date() },
    intervalMs: 3_600_000, driftIntervalMs: 3_600_000, version: 'bench', watch: false,
  });
  await agent.nextCycle();
  const noop = await timeFn(async () => {
    const p = agent.nextCycle();
    agent.wake();
    const o = await p;
    if (o.kind !== 'noop') throw new Error(`expected a no-op cycle, got ${o.kind}`);
  }, 21);
  await agent.stop();
  const lsRemote = await timeFn(() => runChecked(execRunner, { file: 'git', args: ['ls-remote', repo.remote, 'refs/heads/main'], env: GIT_ENV }), 21);
  const fetch = await timeFn(() => runChecked(execRunner, { file: 'git', args: ['-C', join(state, 'checkout'), 'fetch', '-q', 'origin', '+refs/heads/main:refs/remotes/origin/main'], env: GIT_ENV }), 21);
  rows.push({ area: 'agent', case: 'no-op cycle, running agent (median of 21)', value: Number(noop.toFixed(1)), unit: 'ms', peer: 'git ls-remote', peerValue: Number(lsRemote.toFixed(1)), ratio: Number((noop / lsRemote).toFixed(2)), target: '≤ 1.5× ls-remote', ok: noop <= 1.5 * lsRemote });
  rows.push({ area: 'agent', case: 'git fetch alone (nothing new, median of 21)', value: Number(fetch.toFixed(1)), unit: 'ms' });
  const cold = await timeCommand(process.execPath, [join(projectDir, 'bin/gitfleet.js'), 'agent', '--once', '--no-http', '--repo', repo.remote, '--host', 'h1', '--state-dir', state], { reps: 5, env: { ...process.env, GITFLEET_LOG_LEVEL: 'silent' } });
  rows.push({ area: 'agent', case: 'agent --once, cold process, nothing to do (full cycle)', value: Math.round(cold.medianMs), unit: 'ms', peer: 'git ls-remote', peerValue: Number(lsRemote.toFixed(1)), ratio: Number((cold.medianMs / lsRemote).toFixed(1)) });

  // Idle: a running agent (1 s polling + the watch) with nothing to do, sampled over 20 s (shortened from a minute).
  const idleState = join(tmpDir, 'idle-state');
  const idle = spawnAgent(projectDir, repo.remote, idleState, ['--interval', '1s']);
  try {
    await waitApplied(idleState, await git(repo.work, ['rev-parse', 'HEAD']));
    const seconds = 20;
    const a = await procStat(idle.proc.pid);
    let peak = 0;
    for (let i = 0; i < seconds; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      peak = Math.max(peak, await rssMb(idle.proc.pid));
    }
    const b = await procStat(idle.proc.pid);
    const tick = 100; // USER_HZ
    const self = ((b.self - a.self) / tick / seconds) * 100;
    const all = ((b.self + b.children - a.self - a.children) / tick / seconds) * 100;
    rows.push({ area: 'agent', case: `idle RSS, peak over ${seconds} s (1 s polling + watch)`, value: Number(peak.toFixed(1)), unit: 'MB', target: '< 100 MB', ok: peak < 100 });
    rows.push({ area: 'agent', case: `idle CPU over ${seconds} s, agent process`, value: Number(self.toFixed(2)), unit: '% of a core' });
    rows.push({ area: 'agent', case: `idle CPU over ${seconds} s, with its git children`, value: Number(all.toFixed(2)), unit: '% of a core' });
  } finally {
    await idle.stop();
  }
  return rows;
}
