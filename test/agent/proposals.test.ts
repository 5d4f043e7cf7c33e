// Drift mode `propose` in the agent: drift found on a drift cycle becomes a proposal branch (git provider) that
// adopts what the host has; the same drift proposes nothing new; merging it (real git) ends the drift.
import { afterEach, describe, expect, it } from 'vitest';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pino, type Logger } from 'pino';
import { agentFixture, type AgentFixture, startCycling, statusOf } from './helpers.js';
import { type RunningAgent } from '../../src/agent/loop.js';
import { driftItems, driftProposalCondition, proposeHostDrift, type DriftProposalOutcome, type ProposeContext } from '../../src/agent/proposals.js';
import { EventBus } from '../../src/events/bus.js';
import { gitProvider } from '../../src/propose/providers/git.js';
import { ProposalStore } from '../../src/propose/state.js';
import { execRunner } from '../../src/util/exec.js';
import { git } from '../helpers/git.js';
import { pip, pipEnv, writeWheels } from '../helpers/wheels.js';
import { installedIn } from '../propose/helpers.js';
import type { DriftItem, DriftProposal } from '../../src/propose/drift.js';

const running: RunningAgent[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

/** A fleet whose host h1 has a venv sandbox `py` with alpha 1.0.0 from a wheelhouse in the repository. */
function venvFleet(provider: string): Record<string, string> {
  return {
    'fleet.yaml': `apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nrollout: {waves: [{name: canary}]}\nprovider: ${provider}\n`,
    'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nwave: canary\nbaselines: [py]\npolicies: [p]\nsandboxes: {py: {template: venv}}\n',
    'sandboxes/venv.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: venv\ntype: {linux: venv}\npath: {linux: "{state}/sandboxes/{name}"}\n',
    'baselines/py.yaml': 'apiVersion: gitfleet/v1\nkind: Baseline\nname: py\ntarget: sandbox:py\nsources: {pip: {findLinks: [artifacts/wheels], noIndex: true}}\npackages:\n  pip:\n    alpha: "1.0.0"\n',
    'policies/p.yaml': 'apiVersion: gitfleet/v1\nkind: Policy\nname: p\ndrift: propose\n',
  };
}

async function start(fx: AgentFixture, log?: Logger) {
  const base = fx.ctx(log ? { log } : {});
  const ctx = { ...base, hostRun: { ...base.hostRun, env: { ...pipEnv(), PIP_FIND_LINKS: '' }, batchTimeoutMs: 120_000 } };
  return startCycling({ ...fx.options(), ctx, watch: false, driftIntervalMs: 1 }, running);
}


async function remoteBranches(fx: AgentFixture): Promise<Map<string, string>> {
  const out = await git(fx.tmp, ['ls-remote', fx.repo.remote, 'refs/heads/*']);
  return new Map(out.split('\n').filter(Boolean).map((l) => { const [sha, ref] = l.split('\t'); return [ref!.replace('refs/heads/', ''), sha!]; }));
}

describe('the agent in drift mode propose', () => {
  it('proposes a drifted package as a host override once, and merging the branch ends the drift', async () => {
    const fx = await agentFixture();
    await writeWheels(join(fx.repo.work, 'artifacts/wheels'), ['1.0.0', '1.0.1'].map((version) => ({ name: 'alpha', version })));
    const applied = await fx.repo.commit(venvFleet('{git: {}}'));
    const { first, cycle } = await start(fx);
    expect(first).toMatchObject({ result: 'ok', head: applied });
    const venv = join(fx.state(), 'sandboxes/py');
    expect(await installedIn(venv, 'alpha')).toEqual(['1.0.0']);

    // Someone upgrades alpha by hand in the venv.
    await pip(venv, ['install', '-q', '--no-index', '--find-links', join(fx.repo.work, 'artifacts/wheels'), 'alpha==1.0.1']);
    expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', drift: 1 });
    expect(await installedIn(venv, 'alpha')).toEqual(['1.0.1']); // propose leaves the host as it is
    const branches = await remoteBranches(fx);
    const branch = [...branches.keys()].find((b) => b.startsWith('gitfleet/drift-'));
    expect(branch).toMatch(/^gitfleet\/drift-h1-[0-9a-f]{8}$/);
    const hostFile = await git(fx.repo.remote, ['show', `${branch}:hosts/h1.yaml`]);
    expect(hostFile).toContain('overrides:\n  "sandbox:py":\n    pip:\n      alpha: "1.0.1"');
    expect(await git(fx.repo.remote, ['rev-parse', `${branch}^`])).toBe(applied); // one commit on the base
    const s = await statusOf(fx.state());
    expect(s).toMatchObject({ health: 'healthy', drift: 1, revision: { applied } });
    expect(s.conditions.find((c) => c.type === 'Applied')).toMatchObject({ status: 'False', reason: 'ProposeDrift' });
    expect(s.conditions.find((c) => c.type === 'Applied')?.message).toContain(`proposed as ${branch} (created)`);
    expect(fx.events.filter((e) => e.topic === 'infrastructure.dependency.drift')).toHaveLength(1);
    const proposed = fx.events.filter((e) => e.topic === 'infrastructure.update.proposed');
    expect(proposed).toHaveLength(1);
    expect(proposed[0]?.payload).toMatchObject({ branch, packages: 1 });

    // A second drift cycle with the same drift creates nothing new: same branches, same SHA, no new event.
    expect(await cycle()).toMatchObject({ result: 'ok', drift: 1 });
    expect(await remoteBranches(fx)).toEqual(branches);
    expect(fx.events.filter((e) => e.topic === 'infrastructure.update.proposed')).toHaveLength(1);
    expect(fx.events.filter((e) => e.topic === 'infrastructure.dependency.drift')).toHaveLength(2);
    expect((await statusOf(fx.state())).conditions.find((c) => c.type === 'Applied')?.message).toContain(`proposed as ${branch} (unchanged)`);

    // The approval: a human merges the branch with real git.
    await git(fx.repo.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
    await git(fx.repo.work, ['fetch', '-q', 'origin', `${branch}:refs/remotes/origin/${branch}`]);
    await git(fx.repo.work, ['merge', '-q', '--no-ff', '-m', `Merge ${branch}`, `refs/remotes/origin/${branch}`]);
    await git(fx.repo.work, ['push', '-q', 'origin', 'HEAD:main']);
    const merged = await git(fx.repo.work, ['rev-parse', 'HEAD']);
    expect(await cycle()).toMatchObject({ result: 'ok', head: merged, drift: 0 });
    expect(await installedIn(venv, 'alpha')).toEqual(['1.0.1']); // the override is now desired: nothing downgraded
    const after = await cycle(); // a drift cycle on the merged revision
    expect(after).toMatchObject({ kind: 'full', result: 'ok', head: merged, drift: 0 });
    expect(await statusOf(fx.state())).toMatchObject({ health: 'healthy', drift: 0, revision: { applied: merged } });
    expect(fx.events.filter((e) => e.topic === 'infrastructure.update.proposed')).toHaveLength(1);
    expect([...(await remoteBranches(fx)).keys()].filter((b) => b.startsWith('gitfleet/drift-'))).toEqual([branch]);
  }, 60_000);

  it('leaves a drift branch someone else committed to alone: a warning, status says so, nothing pushed, no event', async () => {
    const fx = await agentFixture();
    const logStream = new PassThrough();
    let logged = '';
    logStream.on('data', (c: Buffer) => { logged += c.toString(); });
    await writeWheels(join(fx.repo.work, 'artifacts/wheels'), ['1.0.0', '1.0.1'].map((version) => ({ name: 'alpha', version })));
    await fx.repo.commit(venvFleet('{git: {}}'));
    const { cycle } = await start(fx, pino({ level: 'info' }, logStream));
    const venv = join(fx.state(), 'sandboxes/py');
    await pip(venv, ['install', '-q', '--no-index', '--find-links', join(fx.repo.work, 'artifacts/wheels'), 'alpha==1.0.1']);
    expect(await cycle()).toMatchObject({ result: 'ok', drift: 1 });
    const branch = [...(await remoteBranches(fx)).keys()].find((b) => b.startsWith('gitfleet/drift-'))!;
    expect(fx.events.filter((e) => e.topic === 'infrastructure.update.proposed')).toHaveLength(1);

    // A human adds a commit to the drift branch (test@example.invalid, with real git).
    const human = join(fx.tmp, 'human');
    await git(fx.tmp, ['clone', '-q', '-b', branch, fx.repo.remote, human]);
    await git(human, ['commit', '-q', '--allow-empty', '-m', 'reviewed: keep alpha 1.0.1 on h1']);
    await git(human, ['push', '-q', 'origin', `HEAD:${branch}`]);
    const theirs = await git(fx.repo.remote, ['rev-parse', branch]);

    logged = '';
    expect(await cycle()).toMatchObject({ result: 'ok', drift: 1 });
    expect(await git(fx.repo.remote, ['rev-parse', branch])).toBe(theirs); // never force-pushed over
    expect(fx.events.filter((e) => e.topic === 'infrastructure.update.proposed')).toHaveLength(1);
    const applied = (await statusOf(fx.state())).conditions.find((c) => c.type === 'Applied');
    expect(applied).toMatchObject({ status: 'False', reason: 'ProposeDriftModified' });
    expect(applied?.message).toContain(`not changed, ${branch} left alone (modified by someone else), nothing proposed: branch ${branch} was modified by someone else (commit ${theirs.slice(0, 12)} by test@example.invalid)`);
    const warnings = logged.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string; branch?: string }).filter((l) => l.level === 40);
    expect(warnings).toEqual([expect.objectContaining({ branch, msg: expect.stringMatching(/modified by someone else/) })]);
  }, 60_000);

  it('a provider failure is logged and in status, never fatal, and the next drift cycle proposes', async () => {
    const fx = await agentFixture();
    await writeWheels(join(fx.repo.work, 'artifacts/wheels'), ['1.0.0', '1.0.1'].map((version) => ({ name: 'alpha', version })));
    // The github provider without any token: every proposal fails at the provider.
    await fx.repo.commit(venvFleet('{github: {owner: acme, repo: fleet, baseUrl: "http://127.0.0.1:9/api/v3"}}'));
    const { first, cycle } = await start(fx);
    expect(first).toMatchObject({ result: 'ok' });
    const venv = join(fx.state(), 'sandboxes/py');
    await pip(venv, ['install', '-q', '--no-index', '--find-links', join(fx.repo.work, 'artifacts/wheels'), 'alpha==1.0.1']);
    expect(await cycle()).toMatchObject({ result: 'ok', drift: 1 });
    const s = await statusOf(fx.state());
    expect(s.health).toBe('healthy');
    expect(s.conditions.find((c) => c.type === 'Applied')).toMatchObject({ status: 'False', reason: 'ProposeDriftFailed' });
    expect(s.conditions.find((c) => c.type === 'Applied')?.message).toMatch(/GITHUB_TOKEN.*retried at the next drift cycle/);
    expect(fx.events.some((e) => e.topic === 'infrastructure.update.proposed')).toBe(false);

    // The fleet switches to the git provider (a merged change): the new revision is applied around the drift, which
    // stays (it did not ask for alpha) and is proposed in the same cycle.
    await git(fx.repo.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
    const switched = await fx.repo.commit({ 'fleet.yaml': venvFleet('{git: {}}')['fleet.yaml']! });
    expect(await cycle()).toMatchObject({ result: 'ok', head: switched, drift: 1 });
    expect(await installedIn(venv, 'alpha')).toEqual(['1.0.1']);
    const branch = [...(await remoteBranches(fx)).keys()].find((b) => b.startsWith('gitfleet/drift-h1-'));
    expect(branch).toBeDefined();
    const after = await statusOf(fx.state());
    expect(after).toMatchObject({ drift: 1, revision: { applied: switched } });
    expect(after.conditions.find((c) => c.type === 'Applied')).toMatchObject({ status: 'True', reason: 'UpToDate' });
    expect(after.conditions.find((c) => c.type === 'Applied')?.message).toContain(`proposed as ${branch} (created)`);
    // The drift cycle on that revision finds the same proposal.
    expect(await cycle()).toMatchObject({ result: 'ok', drift: 1 });
    expect((await statusOf(fx.state())).conditions.find((c) => c.type === 'Applied')).toMatchObject({ reason: 'ProposeDrift', message: expect.stringContaining(`proposed as ${branch} (unchanged)`) });
  }, 60_000);
});

describe('the agent in drift mode propose, a sandbox removed by hand', () => {
  it('proposes nothing for it nor for the packages it held, and says so without a failure', async () => {
    const fx = await agentFixture();
    await writeWheels(join(fx.repo.work, 'artifacts/wheels'), [{ name: 'alpha', version: '1.0.0' }]);
    const applied = await fx.repo.commit(venvFleet('{git: {}}'));
    const { first, cycle } = await start(fx);
    expect(first).toMatchObject({ result: 'ok', head: applied });
    const venv = join(fx.state(), 'sandboxes/py');
    await rm(venv, { recursive: true });
    expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', drift: 2 });
    await expect(stat(venv)).rejects.toThrow(); // it stays removed
    expect([...(await remoteBranches(fx)).keys()].filter((b) => b.startsWith('gitfleet/'))).toEqual([]);
    const s = await statusOf(fx.state());
    expect(s).toMatchObject({ health: 'healthy', drift: 2, lastError: null });
    expect(s.conditions.find((c) => c.type === 'Applied')).toMatchObject({ reason: 'ProposeDrift', message: expect.stringContaining('nothing a proposal can adopt') });
  }, 60_000);
});

describe('agent drift proposals judge against main as it is at each cycle', () => {
  // proposeHostDrift is what every drift cycle of a long-lived agent calls, in one process, over the same state dir
  // (and so the same workspace clone). Each call must see main as the server has it now: a squash merge leaves no
  // ancestry, so only the merged content on a fresh main tells a merged proposal from a closed or open one.
  it('sees main move between cycles: rebases on the new main, and reads a squash-merged, deleted branch as merged', async () => {
    const fx = await agentFixture();
    await writeWheels(join(fx.repo.work, 'artifacts/wheels'), ['1.0.0', '1.0.1'].map((version) => ({ name: 'alpha', version })));
    await fx.repo.commit(venvFleet('{git: {}}'));
    const log = pino({ level: 'silent' });
    const ctx: ProposeContext = { repo: fx.repo.remote, branch: 'main', host: 'h1', stateDir: fx.state(), runner: execRunner, log, now: () => new Date() };
    const bus = new EventBus({ host: 'h1', sinks: [], log });
    const drift: DriftItem[] = [{ target: 'sandbox:py', manager: 'pip', name: 'alpha', desired: '1.0.0', actual: '1.0.1' }];
    const cycle = async () => {
      const res = await proposeHostDrift(ctx, drift, bus);
      if (!res.ok) throw new Error(res.error);
      return res.proposal;
    };

    const first = await cycle();
    expect(first).toMatchObject({ action: 'created' });
    const branch = first.branch;

    // main moves on (an unrelated merged change): the next cycle rebuilds the proposal on it.
    const moved = await fx.repo.commit({ 'README.md': 'the fleet\n' }, 'docs');
    expect(await cycle()).toMatchObject({ action: 'updated', branch });
    expect(await git(fx.repo.remote, ['rev-parse', `${branch}^`])).toBe(moved);

    // A human squash-merges the proposal with real git and deletes its branch.
    await git(fx.repo.work, ['fetch', '-q', 'origin', `${branch}:refs/remotes/origin/${branch}`]);
    await git(fx.repo.work, ['merge', '-q', '--squash', `refs/remotes/origin/${branch}`]);
    await git(fx.repo.work, ['commit', '-q', '-m', 'adopt alpha 1.0.1 on h1 (squashed)']);
    await git(fx.repo.work, ['push', '-q', 'origin', 'HEAD:main', `:${branch}`]);

    // The control: judged against main as the workspace last fetched it, the squash merge is invisible ("closed").
    const ws = { dir: join(fx.state(), 'propose-workspace'), remote: fx.repo.remote, base: 'main' };
    const stale = gitProvider({ runner: execRunner, ws, store: await ProposalStore.open(fx.state()) });
    expect(await stale.findPullRequest(branch, { includeClosed: true })).toMatchObject({ state: 'closed' });

    // The agent's next cycle fetches main first: merged, so this drift is not proposed again.
    expect(await cycle()).toMatchObject({ action: 'already-decided', reason: 'the proposal for this drift was merged', pr: { state: 'merged' } });
    expect((await remoteBranches(fx)).has(branch)).toBe(false);
  }, 60_000);
});

describe('driftProposalCondition', () => {
  const proposal = (action: DriftProposal['action'], reason?: string): DriftProposalOutcome => ({
    ok: true, proposal: { branch: 'gitfleet/drift-h1-0123abcd', title: 't', action, ...(reason ? { reason } : {}), pr: { id: 'x', branch: 'gitfleet/drift-h1-0123abcd', title: 't', state: 'open', headSha: 'a'.repeat(40), url: 'R#b' } },
  });
  it.each<[string, DriftProposalOutcome, { reason: string; text: string }]>([
    ['created', proposal('created'), { reason: 'ProposeDrift', text: 'proposed as gitfleet/drift-h1-0123abcd (created) R#b' }],
    ['unchanged', proposal('unchanged'), { reason: 'ProposeDrift', text: 'proposed as gitfleet/drift-h1-0123abcd (unchanged) R#b' }],
    ['modified: not "proposed", with what to do', proposal('modified', 'branch X was modified by someone else; Delete the branch'),
      { reason: 'ProposeDriftModified', text: 'gitfleet/drift-h1-0123abcd left alone (modified by someone else), nothing proposed: branch X was modified by someone else; Delete the branch R#b' }],
    ['already decided', proposal('already-decided', 'the proposal for this drift was closed'), { reason: 'ProposeDrift', text: 'gitfleet/drift-h1-0123abcd not proposed: the proposal for this drift was closed' }],
    ['failed', { ok: false, error: 'boom' }, { reason: 'ProposeDriftFailed', text: 'the proposal failed (boom); retried at the next drift cycle' }],
    ['created, the older ones closed or left open', { ok: true, proposal: { ...(proposal('created') as { ok: true; proposal: DriftProposal }).proposal, closed: [
      { branch: 'gitfleet/drift-h1-00000001', action: 'superseded', reason: 'r' },
      { branch: 'gitfleet/drift-h1-00000002', action: 'modified', reason: 'r' },
      { branch: 'gitfleet/drift-h1-*', action: 'failed', reason: 'cannot list' },
    ] } }, { reason: 'ProposeDrift', text: 'proposed as gitfleet/drift-h1-0123abcd (created) R#b; closed gitfleet/drift-h1-00000001 (superseded); gitfleet/drift-h1-00000002 left open (modified by someone else); gitfleet/drift-h1-* not closed (cannot list)' }],
    ['already decided, an older one closed', { ok: true, proposal: { ...(proposal('already-decided', 'the proposal for this drift was closed') as { ok: true; proposal: DriftProposal }).proposal, closed: [
      { branch: 'gitfleet/drift-h1-00000001', action: 'superseded', reason: 'r' },
    ] } }, { reason: 'ProposeDrift', text: 'gitfleet/drift-h1-0123abcd not proposed: the proposal for this drift was closed; closed gitfleet/drift-h1-00000001 (superseded)' }],
  ])('%s', (_name, res, want) => {
    expect(driftProposalCondition(res)).toEqual(want);
  });
});

describe('driftItems', () => {
  it('turns package actions into drift items and leaves sandbox creation, and the packages inside that sandbox, out', () => {
    expect(driftItems([
      { kind: 'create-sandbox', target: 'sandbox:gone', name: 'gone', reason: 'new-sandbox', risk: 'sandbox' },
      { kind: 'install', target: 'sandbox:gone', manager: 'pip', name: 'beta', to: '2.0.0', reason: 'drifted', risk: 'new' },
      { kind: 'downgrade', target: 'sandbox:py', manager: 'pip', name: 'alpha', from: '1.0.1', to: '1.0.0', reason: 'drifted', risk: 'patch' },
      { kind: 'install', target: 'system', manager: 'apt', name: 'jq', to: '1.6', reason: 'missing', risk: 'new' },
      { kind: 'remove', target: 'system', manager: 'apt', name: 'telnetd', from: '0.17', reason: 'desired-absent', risk: 'removal' },
    ])).toEqual([
      { target: 'sandbox:py', manager: 'pip', name: 'alpha', desired: '1.0.0', actual: '1.0.1' },
      { target: 'system', manager: 'apt', name: 'jq', desired: '1.6', actual: 'absent' },
      { target: 'system', manager: 'apt', name: 'telnetd', desired: 'absent', actual: '0.17' },
    ]);
  });
});
