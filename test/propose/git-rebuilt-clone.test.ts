// The git provider after its workspace clone was made again (the clone is a cache of the remote; proposals.json
// remembers the last SHA pushed per branch): a deleted proposal branch's commit is no longer in the clone, so the
// provider asks the remote for it. Real bare repository served by `git daemon` on 127.0.0.1, the agent's drift
// proposal path (proposeHostDrift) and a real registration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pino } from 'pino';
import { git } from '../helpers/git.js';
import { startGitDaemon, type GitDaemon } from '../helpers/git-daemon.js';
import { proposeHostDrift, type ProposeContext } from '../../src/agent/proposals.js';
import { EventBus } from '../../src/events/bus.js';
import { collectFacts } from '../../src/host/facts.js';
import type { HostFacts } from '../../src/host/types.js';
import type { DriftItem } from '../../src/propose/drift.js';
import { gitProvider } from '../../src/propose/providers/git.js';
import { registerHost } from '../../src/propose/register.js';
import { ProposalStore } from '../../src/propose/state.js';
import { openWorkspace } from '../../src/propose/workspace.js';
import { execRunner, type Runner } from '../../src/util/exec.js';
import { proposeFixture, silent, type ProposeFixture } from './helpers.js';

const DRIFT: DriftItem[] = [{ target: 'sandbox:py', manager: 'pip', name: 'alpha', desired: '1.0.0', actual: '1.0.1' }];

const daemons: GitDaemon[] = [];
let facts: HostFacts;

beforeAll(async () => {
  facts = await collectFacts({ timeoutMs: 1500 });
});
afterAll(() => {
  for (const d of daemons.splice(0)) d.stop();
});

/** A fleet (h1, provider git) and its remote as a daemon of its own serves it (only that fixture's folder). */
async function fleet(): Promise<{ f: ProposeFixture; url: string }> {
  const f = await proposeFixture();
  const d = await startGitDaemon(dirname(f.repo.remote), { pidFile: join(f.tmp, 'daemon.pid') });
  daemons.push(d);
  return { f, url: d.url(basename(f.repo.remote)) };
}

/** A human's clone of the fleet (over the daemon), where merges happen with plain git. */
async function human(f: ProposeFixture, url: string) {
  const dir = join(f.tmp, 'human');
  await git(f.tmp, ['clone', '-q', url, dir]);
  return (...args: string[]) => git(dir, args);
}

/** The clone is lost and made again; proposals.json stays. */
async function rebuildClone(f: ProposeFixture): Promise<void> {
  await rm(join(f.state, 'propose-workspace'), { recursive: true, force: true });
}

/** One agent drift cycle's proposal, as proposeHostDrift runs it. */
async function driftCycle(f: ProposeFixture, url: string, runner: Runner = execRunner, log = silent) {
  const ctx: ProposeContext = { repo: url, branch: 'main', host: 'h1', stateDir: f.state, runner, log, now: () => new Date('2026-03-01T12:00:00Z') };
  const res = await proposeHostDrift(ctx, DRIFT, new EventBus({ host: 'h1', sinks: [], log: silent }));
  if (!res.ok) throw new Error(res.error);
  return res.proposal;
}

type Act = (run: (...args: string[]) => Promise<string>, branch: string) => Promise<void>;

const squashAndDelete: Act = async (run, branch) => {
  await run('merge', '-q', '--squash', `origin/${branch}`);
  await run('commit', '-q', '-m', 'adopted (squashed)');
  await run('push', '-q', 'origin', 'HEAD:main', `:refs/heads/${branch}`);
};
const deleteUnmerged: Act = async (run, branch) => {
  await run('push', '-q', 'origin', `:refs/heads/${branch}`);
};
const leaveOpen: Act = async () => undefined;

/** Fetches over protocol v0, where a server serves only what its refs reach (no uploadpack.allow*SHA1InWant). */
function protocolV0(): Runner {
  return { run: (cmd) => execRunner.run(cmd.file === 'git' ? { ...cmd, args: ['-c', 'protocol.version=0', ...cmd.args] } : cmd) };
}

describe('a drift proposal after the workspace clone was made again (agent path, git daemon)', () => {
  it.each<{ name: string; act: Act; action: string; state: string }>([
    { name: 'squash-merged, branch deleted', act: squashAndDelete, action: 'already-decided', state: 'merged' },
    { name: 'deleted without merging', act: deleteUnmerged, action: 'already-decided', state: 'closed' },
    { name: 'left open', act: leaveOpen, action: 'unchanged', state: 'open' },
  ])('$name → $action ($state)', async ({ act, action, state }) => {
    const { f, url } = await fleet();
    const first = await driftCycle(f, url);
    expect(first.action).toBe('created');
    const run = await human(f, url);
    await act(run, first.branch);
    await rebuildClone(f);
    const got = await driftCycle(f, url);
    expect(got).toMatchObject({ action, pr: { state, headSha: first.pr!.headSha } });
    // nothing was pushed again: the branch is as the human left it
    expect((await f.remoteBranches()).get(first.branch)).toBe(state === 'open' ? first.pr!.headSha : undefined);
  });

  it('a server that will not serve the deleted branch\'s commit leaves it undecided: proposed again, never read as declined', async () => {
    const { f, url } = await fleet();
    const first = await driftCycle(f, url);
    await deleteUnmerged(await human(f, url), first.branch);
    await rebuildClone(f);
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (l: string) => { lines.push(l); } });
    const got = await driftCycle(f, url, protocolV0(), log);
    expect(got.action).toBe('created');
    expect(lines.join('')).toContain('cannot tell whether the proposal was merged');
    const store = await ProposalStore.open(f.state);
    expect(store.state.suppressed[first.branch]).toBeUndefined();
  });

  it('a server that will not serve it, the drift squash-merged: main holds the override it set, so it is merged', async () => {
    const { f, url } = await fleet();
    const first = await driftCycle(f, url);
    await squashAndDelete(await human(f, url), first.branch);
    await rebuildClone(f);
    expect(await driftCycle(f, url, protocolV0())).toMatchObject({ action: 'already-decided', pr: { state: 'merged' } });
    expect((await f.remoteBranches()).has(first.branch)).toBe(false);
  });
});

describe('a registration proposal after the workspace clone was made again', () => {
  it.each<{ name: string; act: Act; state: string | undefined; runner?: Runner }>([
    { name: 'squash-merged, branch deleted', act: squashAndDelete, state: 'merged' },
    { name: 'deleted without merging', act: deleteUnmerged, state: 'closed' },
    { name: 'left open', act: leaveOpen, state: 'open' },
    // the host file is on main as the proposal wrote it: admitted, whatever became of the commit
    { name: 'squash-merged, branch deleted, a server that will not serve the commit', act: squashAndDelete, state: 'merged', runner: protocolV0() },
    // nothing left to compare: not known to be declined
    { name: 'deleted without merging, a server that will not serve the commit', act: deleteUnmerged, state: undefined, runner: protocolV0() },
  ])('$name → $state', async ({ act, state, runner = execRunner }) => {
    const { f, url } = await fleet();
    const reg = await registerHost({ runner: execRunner, log: silent, repo: url, stateDir: f.state, facts, name: 'new-01', baselines: ['py'], sandboxes: { py: 'venv' } });
    await act(await human(f, url), reg.branch);
    await rebuildClone(f);
    const ws = await openWorkspace(runner, url, join(f.state, 'propose-workspace'), 'main');
    const provider = gitProvider({ runner, ws, store: await ProposalStore.open(f.state), log: silent });
    const found = await provider.findPullRequest(reg.branch, { includeClosed: true });
    if (state === undefined) expect(found).toBeUndefined();
    else expect(found).toMatchObject({ state, headSha: reg.pr.headSha });
    expect((await provider.listOpen('gitfleet/')).map((p) => p.branch)).toEqual(state === 'open' ? [reg.branch] : []);
  });
});
