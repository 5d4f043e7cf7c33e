// At most one open drift proposal per host, with both providers and real git: when a host's drift changes, the
// agent's drift proposal path (proposeHostDrift) proposes the new drift set and closes the older open proposal as
// superseded, recording the closing as gitfleet's own (so the same drift may come back and be proposed again); a
// branch someone else committed to is left alone; a drift that goes away closes its proposal as obsolete
// (closeObsoleteDrift); a proposal a human closed stays a "no" for that drift set. The git provider runs against a
// bare repository served by `git daemon`, the GitHub provider against the fake GitHub (checked against the OpenAPI
// description, with a real git smart-HTTP backend).
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeObsoleteDrift, driftProposalCondition, proposeHostDrift, type ProposeContext } from '../../src/agent/proposals.js';
import { EventBus } from '../../src/events/bus.js';
import { driftBranch, type DriftItem, type DriftProposal } from '../../src/propose/drift.js';
import { ProposalStore } from '../../src/propose/state.js';
import { execRunner, type Runner } from '../../src/util/exec.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { startGitDaemon, type GitDaemon } from '../helpers/git-daemon.js';
import { git } from '../helpers/git.js';
import { fleetFiles, proposeFixture, silent } from '../propose/helpers.js';

const TOKEN = `ghp_${randomBytes(18).toString('hex')}`;
const daemons: GitDaemon[] = [];
const fakes: FakeGitHub[] = [];
afterAll(() => {
  for (const d of daemons.splice(0)) d.stop();
});
afterEach(async () => {
  const all = fakes.splice(0);
  const failures = all.flatMap((f) => f.failures);
  await Promise.all(all.map((f) => f.close()));
  // the fake saw no request it does not know and no contract violation
  expect(failures).toEqual([]);
});

const item = (actual: string): DriftItem[] => [{ target: 'sandbox:py', manager: 'pip', name: 'alpha', desired: '1.0.0', actual }];
/** Upgraded by hand; then removed by hand instead; then another version. */
const A = item('1.0.1');
const B = item('absent');
const C = item('1.1.0');

/** A fleet repository and what a test does to it as a human. */
interface World {
  kind: 'git' | 'github';
  stateDir: string;
  ctx(runner?: Runner): ProposeContext;
  /** The drift branches on the server whose proposal is open. */
  open(): Promise<string[]>;
  branchSha(branch: string): Promise<string | undefined>;
  /** A human adds a commit to the branch (test@example.invalid) and pushes it; returns its SHA. */
  humanCommit(branch: string): Promise<string>;
  /** A human closes the proposal without merging (git: deletes the branch). */
  humanClose(branch: string): Promise<void>;
  /** GitHub: the pull requests gitfleet closed through the API (PATCH state=closed), by number. */
  apiClosed?(): number[];
  /** GitHub: the title and body each closed pull request got, by number. */
  apiClosedTexts?(): Array<{ number: number; title: string; body: string }>;
}

/** A human's clone in `dir`: one commit on `branch`, pushed; its SHA. */
async function humanCommit(dir: string, remote: string, branch: string): Promise<string> {
  await git(dirname(dir), ['clone', '-q', '-b', branch, remote, dir]);
  await git(dir, ['commit', '-q', '--allow-empty', '-m', 'reviewer: keep this one']);
  await git(dir, ['push', '-q', 'origin', `HEAD:${branch}`]);
  return git(dir, ['rev-parse', 'HEAD']);
}

async function gitWorld(): Promise<World> {
  const f = await proposeFixture();
  const d = await startGitDaemon(dirname(f.repo.remote), { pidFile: join(f.tmp, 'daemon.pid') });
  daemons.push(d);
  const url = d.url(basename(f.repo.remote));
  let n = 0;
  return {
    kind: 'git', stateDir: f.state,
    ctx: (runner = execRunner) => ({ repo: url, branch: 'main', host: 'h1', stateDir: f.state, runner, log: silent, now: () => new Date('2026-03-01T12:00:00Z') }),
    async open() {
      return [...(await f.remoteBranches()).keys()].filter((b) => b.startsWith('gitfleet/drift-')).sort();
    },
    branchSha: async (branch) => (await f.remoteBranches()).get(branch),
    humanCommit: (branch) => humanCommit(join(f.tmp, `human-${n++}`), url, branch),
    async humanClose(branch) {
      await git(f.repo.work, ['push', '-q', url, `:refs/heads/${branch}`]);
    },
  };
}

async function githubWorld(): Promise<World> {
  const f = await proposeFixture();
  const fake = await startFakeGitHub({ token: TOKEN });
  fakes.push(fake);
  const files = fleetFiles('');
  files['fleet.yaml'] = files['fleet.yaml']!.replace('provider: {git: {}}', `provider: {github: {owner: acme, repo: fleet, baseUrl: "${fake.apiUrl}"}}`);
  await fake.seed({ ...files, 'artifacts/wheels/README': 'wheels\n' });
  let n = 0;
  const openPull = (branch: string) => fake.pulls.find((p) => p.head === branch && p.state === 'open');
  return {
    kind: 'github', stateDir: f.state,
    ctx: (runner = execRunner) => ({
      repo: fake.bare, branch: 'main', host: 'h1', stateDir: f.state, runner, log: silent, now: () => new Date('2026-03-01T12:00:00Z'),
      provider: { env: { GITHUB_TOKEN: TOKEN }, github: { retry: { timeScaleMs: 5, pacing: false } } },
    }),
    open: async () => fake.pulls.filter((p) => p.state === 'open' && p.head.startsWith('gitfleet/drift-')).map((p) => p.head).sort(),
    branchSha: (branch) => fake.branchSha(branch),
    humanCommit: (branch) => humanCommit(join(f.tmp, `human-${n++}`), fake.bare, branch),
    apiClosed: () => fake.requests
      .filter((r) => r.method === 'PATCH' && /\/pulls\/\d+$/.test(r.path) && (r.body as { state?: string }).state === 'closed' && r.status === 200)
      .map((r) => Number(r.path.split('/').pop())),
    apiClosedTexts: () => fake.pulls.filter((p) => [1, 2, 4].includes(p.number)).map((p) => ({ number: p.number, title: p.title, body: p.body ?? '' })),
    async humanClose(branch) {
      const p = openPull(branch);
      if (!p) throw new Error(`no open PR for ${branch}`);
      fake.closeAsHuman(p.number);
    },
  };
}

/** One drift cycle of the agent with this drift: proposeHostDrift, as reconcile calls it. */
async function propose(w: World, drift: DriftItem[]): Promise<DriftProposal> {
  const res = await proposeHostDrift(w.ctx(), drift, new EventBus({ host: 'h1', sinks: [], log: silent }));
  if (!res.ok) throw new Error(res.error);
  return res.proposal;
}

/** A runner that counts the processes it starts. */
function counting(): Runner & { calls: number } {
  const r = { calls: 0, run: (cmd: Parameters<Runner['run']>[0]) => { r.calls++; return execRunner.run(cmd); } };
  return r;
}

const a = driftBranch('h1', A);
const b = driftBranch('h1', B);
const c = driftBranch('h1', C);

describe.each([{ name: 'git provider (git daemon)', make: gitWorld }, { name: 'github provider (fake GitHub)', make: githubWorld }])('$name: one open drift proposal per host', ({ make }) => {
  it('supersedes the older drift proposal, proposes it again when the drift comes back, leaves a modified one alone, closes an obsolete one', async () => {
    const w = await make();
    const store = async () => (await ProposalStore.open(w.stateDir)).state;

    // drift A: proposed
    expect(await propose(w, A)).toMatchObject({ action: 'created', branch: a });
    expect((await propose(w, A)).closed).toBeUndefined(); // the same drift again: nothing to close
    expect(await w.open()).toEqual([a]);

    // the drift changes to B: B proposed, A closed as superseded, naming B; gitfleet's own closing, not a "no"
    const toB = await propose(w, B);
    expect(toB).toMatchObject({ action: 'created', branch: b });
    expect(toB.closed).toEqual([expect.objectContaining({ branch: a, action: 'superseded', reason: `superseded: the drift on h1 is now pip alpha absent (${b})` })]);
    expect(await w.open()).toEqual([b]);
    expect(await w.branchSha(a)).toBeUndefined(); // its branch deleted
    let s = await store();
    expect(s.proposals[a]).toBeUndefined();
    expect(s.closedByGitfleet[a]).toMatchObject({ reason: expect.stringContaining(b) });
    expect(s.suppressed[a]).toBeUndefined();
    expect(driftProposalCondition({ ok: true, proposal: toB }).text).toContain(`; closed ${a} (superseded)`);

    // back to A: it was not declined by a human, so it is proposed again; B is superseded in turn
    const backToA = await propose(w, A);
    expect(backToA).toMatchObject({ action: 'created', branch: a, pr: { state: 'open' } });
    expect(backToA.closed).toEqual([expect.objectContaining({ branch: b, action: 'superseded' })]);
    expect(await w.open()).toEqual([a]);
    s = await store();
    expect(s.closedByGitfleet[a]).toBeUndefined(); // proposed again: its old closing is forgotten
    expect(s.closedByGitfleet[b]).toBeDefined();

    // a human commits to A's branch; the drift changes to C: C proposed, A left alone (never deleted, never closed)
    const theirs = await w.humanCommit(a);
    const toC = await propose(w, C);
    expect(toC).toMatchObject({ action: 'created', branch: c });
    expect(toC.closed).toEqual([expect.objectContaining({ branch: a, action: 'modified', reason: expect.stringMatching(/was modified by someone else \(commit \w+ by test@example\.invalid\)/) })]);
    expect(await w.branchSha(a)).toBe(theirs);
    expect(await w.open()).toEqual([a, c].sort());
    expect((await store()).proposals[a]).toMatchObject({ modified: true });
    expect(driftProposalCondition({ ok: true, proposal: toC }).text).toContain(`; ${a} left open (modified by someone else)`);

    // the drift goes away: C is obsolete and closed; A is still someone else's
    const gone = await closeObsoleteDrift(w.ctx());
    if (!gone.ok) throw new Error(gone.error);
    expect(new Map(gone.closed.map((x) => [x.branch, x]))).toEqual(new Map([
      [a, expect.objectContaining({ action: 'modified' })],
      [c, expect.objectContaining({ action: 'obsolete', reason: 'obsolete: h1 has no package drift left to adopt' })],
    ]));
    expect(await w.open()).toEqual([a]);
    expect(await w.branchSha(c)).toBeUndefined();
    expect((await store()).closedByGitfleet[c]).toMatchObject({ reason: 'obsolete: h1 has no package drift left to adopt' });

    // the human deletes (or closes) their A; with nothing of this host's drift open, the check asks no server
    await w.humanClose(a);
    expect(await closeObsoleteDrift(w.ctx())).toEqual({ ok: true, closed: [] });
    const quiet = counting();
    expect(await closeObsoleteDrift(w.ctx(quiet))).toEqual({ ok: true, closed: [] });
    expect(quiet.calls).toBe(0);

    // C comes back (gitfleet closed it: proposed again); a human declines it: C stays a "no"
    expect(await propose(w, C)).toMatchObject({ action: 'created', branch: c });
    await w.humanClose(c);
    expect(await propose(w, C)).toMatchObject({ action: 'already-decided', branch: c, reason: 'the proposal for this drift was closed' });
    expect(await w.open()).toEqual([]);
    // GitHub: A, B and the first C closed by gitfleet through the API (A's second PR was closed by the human)
    if (w.apiClosed) expect(w.apiClosed()).toEqual([1, 2, 4]);
    // the pull requests say why they were closed: the title's suffix, the whole reason at the end of the body
    if (w.apiClosedTexts) {
      const texts = w.apiClosedTexts();
      expect(texts.map((t) => t.title.match(/\((superseded|obsolete)\)$/)?.[1])).toEqual(['superseded', 'superseded', 'obsolete']);
      expect(texts[2]!.body).toMatch(/Closed by gitfleet: obsolete: h1 has no package drift left to adopt$/);
      expect(texts[0]!.body).toMatch(/Closed by gitfleet: superseded: the drift on h1 is now /);
    }
  }, 90_000);
});
