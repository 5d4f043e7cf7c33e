// How the git provider tells merged from open from closed when a human merges a proposal branch with any tool:
// real bare repository, real proposals, real squash/rebase/cherry-pick/merge/revert in a human's clone. Each case
// runs twice: with this machine's git, and as git < 2.38 (Ubuntu 22.04 ships 2.34), whose merge-tree knows no
// --write-tree, so that the fallback merge must give the same verdicts.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { git } from '../helpers/git.js';
import { proposeUpdates } from '../../src/propose/updates.js';
import { proposeDrift, type DriftItem } from '../../src/propose/drift.js';
import { gitProvider } from '../../src/propose/providers/git.js';
import { changeInBase } from '../../src/propose/providers/git-merged.js';
import { ProposalStore } from '../../src/propose/state.js';
import { openBase } from '../../src/propose/repo.js';
import { fetchWorkspace, openWorkspace, localRef } from '../../src/propose/workspace.js';
import { execRunner, type Command, type Runner } from '../../src/util/exec.js';
import { proposeFixture, type ProposeFixture } from './helpers.js';

const B = 'gitfleet/py-minor';
const FILE = 'baselines/py.yaml';
const PIN = 'alpha: "1.0.0"   # pinned after the 2024 incident';
const TOP = '# the python tools of the lab';
const RENAMED = 'baselines/python.yaml';

/** A human's clone of the fleet, where merges happen with plain git. */
interface Human {
  dir: string;
  run(...args: string[]): Promise<string>;
  /** Replaces text in the baseline, commits on the current branch. */
  edit(from: string, to: string, message?: string): Promise<void>;
  push(): Promise<void>;
  deleteBranch(): Promise<void>;
}

async function humanClone(f: ProposeFixture): Promise<Human> {
  const dir = join(f.tmp, 'human');
  await git(f.tmp, ['clone', '-q', f.repo.remote, dir]);
  const run = (...args: string[]) => git(dir, args);
  return {
    dir, run,
    async edit(from, to, message = `edit ${to}`) {
      const text = await readFile(join(dir, FILE), 'utf8');
      if (!text.includes(from)) throw new Error(`"${from}" is not in ${FILE}:\n${text}`);
      await writeFile(join(dir, FILE), text.replace(from, to));
      await run('commit', '-q', '-am', message);
    },
    push: async () => { await run('push', '-q', 'origin', 'HEAD:main'); },
    deleteBranch: async () => { await run('push', '-q', 'origin', `:refs/heads/${B}`); },
  };
}

/** Replaces text in any file of the human's clone (no commit). */
async function replaceIn(h: Human, file: string, from: string, to: string): Promise<void> {
  const text = await readFile(join(h.dir, file), 'utf8');
  if (!text.includes(from)) throw new Error(`"${from}" is not in ${file}:\n${text}`);
  await writeFile(join(h.dir, file), text.replace(from, to));
}

/**
 * Main renames baseline py to python: the file (git mv), its name and the host's reference, in one commit. The pin
 * keys change with the name (python/pip:alpha), so only the content test can find the proposal's change there.
 */
async function renameBaseline(h: Human): Promise<void> {
  await h.run('mv', FILE, RENAMED);
  await replaceIn(h, RENAMED, 'name: py\n', 'name: python\n');
  await replaceIn(h, 'hosts/h1.yaml', 'baselines: [py]', 'baselines: [python]');
  await h.run('commit', '-q', '-am', 'rename baseline py to python');
}

/** A squash merge of the proposal with this machine's git (merge-ort follows main's rename of its file). */
async function squashMerge(h: Human): Promise<void> {
  await h.run('merge', '-q', '--squash', `origin/${B}`);
  await h.run('commit', '-q', '-m', 'alpha 1.1.0 (squashed)');
}

/** A fleet whose only proposal is gitfleet/py-minor (alpha 1.0.0 → 1.1.0), pushed by a real run. */
async function proposed(): Promise<{ f: ProposeFixture; h: Human; head: string }> {
  const f = await proposeFixture('updates: {allow: [minor]}\n');
  const res = await proposeUpdates(f.options());
  expect(res.outcomes.map((o) => [o.branch, o.action])).toEqual([[B, 'created']]);
  const head = (await f.remoteBranches()).get(B)!;
  return { f, h: await humanClone(f), head };
}

/** What git ≤ 2.37 prints for `merge-tree --write-tree <a> <b>` (builtin/merge-tree.c `merge_tree_usage`), exit 129. */
const OLD_MERGE_TREE = { exitCode: 129, stderr: 'usage: git merge-tree <base-tree> <branch1> <branch2>\n' };

/** The git subcommand of a command: the first argument that is neither an option nor the value of `-c`/`-C`. */
function subcommand(cmd: Command): string | undefined {
  for (let i = 0; i < cmd.args.length; i++) {
    const a = cmd.args[i]!;
    if (a === '-c' || a === '-C') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/** How a git subcommand is made to fail; only when its arguments include `withArg`, if given. */
interface Failure {
  exitCode: number;
  stderr: string;
  withArg?: string;
}

/** The three-way `read-tree -m` of the fallback merge fails (a plain `read-tree`, as a proposal commit needs, works). */
const BROKEN_READ_TREE: Failure = { exitCode: 128, stderr: 'fatal: simulated failure\n', withArg: '-m' };

/** The real runner, except that the git subcommands in `fail` exit as given; counts every git subcommand run. */
function gitWith(fail: Record<string, Failure>) {
  const calls = new Map<string, number>();
  const runner: Runner = {
    async run(cmd) {
      const sub = cmd.file === 'git' ? subcommand(cmd) : undefined;
      if (sub) calls.set(sub, (calls.get(sub) ?? 0) + 1);
      const f = sub ? fail[sub] : undefined;
      if (f && (f.withArg === undefined || cmd.args.includes(f.withArg))) return { command: cmd, exitCode: f.exitCode, stdout: '', stderr: f.stderr, durationMs: 0 };
      return execRunner.run(cmd);
    },
  };
  return { runner, count: (sub: string) => calls.get(sub) ?? 0 };
}

interface Git {
  name: string;
  old: boolean;
  make(): ReturnType<typeof gitWith>;
}

const GITS: Git[] = [
  { name: 'this git (merge-tree --write-tree)', old: false, make: () => gitWith({}) },
  { name: 'git < 2.38 (merge-tree exits 129: the fallback merge decides)', old: true, make: () => gitWith({ 'merge-tree': OLD_MERGE_TREE }) },
];

/** The content test alone, on a fresh workspace. */
async function contentOnly(f: ProposeFixture, head: string, runner: Runner) {
  const ws = await openWorkspace(execRunner, f.repo.remote, join(f.state, 'propose-workspace'), 'main');
  return changeInBase(runner, ws, head, (await localRef(execRunner, ws, 'refs/remotes/origin/main'))!);
}

/** A logger whose warnings are kept. */
function captured() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, log: pino({ level: 'warn' }, { write: (l: string) => { lines.push(JSON.parse(l) as Record<string, unknown>); } }) };
}

/** What a fresh provider (as the next run makes it) says about the proposal. */
async function observe(f: ProposeFixture, head: string, runner: Runner = execRunner, log = captured().log) {
  const ws = await openWorkspace(runner, f.repo.remote, join(f.state, 'propose-workspace'), 'main');
  const store = await ProposalStore.open(f.state);
  const provider = gitProvider({ runner, ws, store, log });
  const found = await provider.findPullRequest(B, { includeClosed: true });
  const open = (await provider.listOpen('gitfleet/')).map((p) => p.branch);
  const base = (await localRef(runner, ws, 'refs/remotes/origin/main'))!;
  return { state: found?.state, open, content: await changeInBase(runner, ws, head, base) };
}

interface Case {
  name: string;
  act(h: Human): Promise<void>;
  /** The proposal's change is (or was) in main by content. */
  content: boolean;
  state: 'merged' | 'closed' | 'open';
}

const CASES: Case[] = [
  {
    name: 'squash merge, then an unrelated edit of the same file on main, branch deleted',
    act: async (h) => {
      await h.run('merge', '-q', '--squash', `origin/${B}`);
      await h.run('commit', '-q', '-m', 'alpha 1.1.0 (squashed)');
      await h.edit(TOP, `${TOP} (reviewed)`);
      await h.push();
      await h.deleteBranch();
    },
    content: true, state: 'merged',
  },
  {
    name: 'squash merge onto a main that moved on, branch kept',
    act: async (h) => {
      await h.edit(TOP, `${TOP} (reviewed)`);
      await h.run('merge', '-q', '--squash', `origin/${B}`);
      await h.run('commit', '-q', '-m', 'alpha 1.1.0 (squashed)');
      await h.push();
    },
    content: true, state: 'merged',
  },
  {
    name: 'rebase merge onto a main that moved on, branch deleted',
    act: async (h) => {
      await h.edit(TOP, `${TOP} (reviewed)`);
      await h.run('checkout', '-q', '-b', 'rebased', `origin/${B}`);
      await h.run('rebase', '-q', 'main');
      await h.push();
      await h.deleteBranch();
    },
    content: true, state: 'merged',
  },
  {
    name: 'cherry-pick, then the same line edited further on main (merged, then edited), branch kept',
    act: async (h) => {
      await h.run('cherry-pick', `origin/${B}`);
      await h.edit('# pinned after the 2024 incident', '# pinned after the 2024 incident, reviewed in 2026');
      await h.push();
    },
    content: true, state: 'merged',
  },
  {
    name: 'cherry-pick, then reverted on main: it was merged; the revert is main\'s own history',
    act: async (h) => {
      await h.run('cherry-pick', `origin/${B}`);
      await h.run('revert', '--no-edit', 'HEAD');
      await h.push();
      await h.deleteBranch();
    },
    content: true, state: 'merged',
  },
  {
    name: 'squash merge, then main moves the pin beyond the proposal (1.2.0), branch deleted',
    act: async (h) => {
      await h.run('merge', '-q', '--squash', `origin/${B}`);
      await h.run('commit', '-q', '-m', 'alpha 1.1.0 (squashed)');
      await h.edit('alpha: "1.1.0"', 'alpha: "1.2.0"');
      await h.push();
      await h.deleteBranch();
    },
    content: true, state: 'merged',
  },
  {
    name: 'a true merge commit, then the pin line edited further on main',
    act: async (h) => {
      await h.run('merge', '-q', '--no-ff', '-m', 'merge the proposal', `origin/${B}`);
      await h.edit('alpha: "1.1.0"', 'alpha: "1.1.0"  ');
      await h.push();
    },
    content: true, state: 'merged',
  },
  {
    name: 'never merged: main moved the pin beyond by hand (superseded, not declined), branch deleted',
    act: async (h) => {
      await h.edit(PIN, 'alpha: "2.0.0"   # straight to 2.0');
      await h.push();
      await h.deleteBranch();
    },
    content: false, state: 'merged',
  },
  {
    name: 'never merged: main took the version by hand in another format, branch kept',
    act: async (h) => {
      await h.edit(PIN, 'alpha: 1.1.0');
      await h.push();
    },
    content: false, state: 'merged',
  },
  {
    name: 'deleted without merging',
    act: async (h) => { await h.deleteBranch(); },
    content: false, state: 'closed',
  },
  {
    name: 'deleted without merging, main edited the same file elsewhere',
    act: async (h) => {
      await h.edit(TOP, `${TOP} (reviewed)`);
      await h.push();
      await h.deleteBranch();
    },
    content: false, state: 'closed',
  },
  {
    name: 'deleted without merging, main took a lower version by hand (1.0.1)',
    act: async (h) => {
      await h.edit(PIN, 'alpha: "1.0.1"   # 1.1 breaks the trainer');
      await h.push();
      await h.deleteBranch();
    },
    content: false, state: 'closed',
  },
  {
    // the record's versions describe gitfleet's commit only: a branch a human committed to is judged by its content
    name: 'a human committed to the branch, main moved the pin beyond by hand: still open (their commit is not in main)',
    act: async (h) => {
      await h.run('checkout', '-q', '-b', 'review', `origin/${B}`);
      await h.edit(TOP, `${TOP} (reviewed on the branch)`);
      await h.run('push', '-q', 'origin', `HEAD:${B}`);
      await h.run('checkout', '-q', 'main');
      await h.edit(PIN, 'alpha: "1.2.0"   # by hand');
      await h.push();
    },
    content: false, state: 'open',
  },
  {
    name: 'main renamed the file, then squash-merged the proposal into it under its new name, branch deleted',
    act: async (h) => {
      await renameBaseline(h);
      await squashMerge(h);
      expect(await h.run('show', `HEAD:${RENAMED}`)).toContain('alpha: "1.1.0"');
      await h.push();
      await h.deleteBranch();
    },
    content: true, state: 'merged',
  },
  {
    name: 'main renamed the file, then squash-merged the proposal into it under its new name, branch kept',
    act: async (h) => {
      await renameBaseline(h);
      await squashMerge(h);
      await h.push();
    },
    content: true, state: 'merged',
  },
  {
    name: 'main renamed the file and squash-merged the proposal into it, then reverted that, branch deleted',
    act: async (h) => {
      await renameBaseline(h);
      await squashMerge(h);
      await h.run('revert', '--no-edit', 'HEAD');
      await h.push();
      await h.deleteBranch();
    },
    content: true, state: 'merged',
  },
  {
    name: 'squash-merged, then main renamed the file and edited it further, branch deleted',
    act: async (h) => {
      await squashMerge(h);
      await renameBaseline(h);
      await replaceIn(h, RENAMED, TOP, `${TOP} (reviewed)`);
      await h.run('commit', '-q', '-am', 'reviewed');
      await h.push();
      await h.deleteBranch();
    },
    content: true, state: 'merged',
  },
  {
    name: 'main renamed the file, the proposal deleted without merging',
    act: async (h) => {
      await renameBaseline(h);
      await h.push();
      await h.deleteBranch();
    },
    content: false, state: 'closed',
  },
  {
    name: 'main renamed the file and took a lower version there by hand, the proposal deleted without merging',
    act: async (h) => {
      await renameBaseline(h);
      await replaceIn(h, RENAMED, 'alpha: "1.0.0"', 'alpha: "1.0.1"');
      await h.run('commit', '-q', '-am', 'alpha 1.0.1');
      await h.push();
      await h.deleteBranch();
    },
    content: false, state: 'closed',
  },
  {
    name: 'main renamed the file, the proposal left open',
    act: async (h) => {
      await renameBaseline(h);
      await h.push();
    },
    content: false, state: 'open',
  },
  {
    // merge-ort: a rename/delete conflict; a fallback that does not follow the rename saw "deleted on both sides"
    name: 'a human deleted the file on the branch, main renamed it: still open (a rename/delete conflict, not contained)',
    act: async (h) => {
      await h.run('checkout', '-q', '-b', 'review', `origin/${B}`);
      await h.run('rm', '-q', FILE);
      await h.run('commit', '-q', '-m', 'drop the baseline on the branch');
      await h.run('push', '-q', 'origin', `HEAD:${B}`);
      await h.run('checkout', '-q', 'main');
      await renameBaseline(h);
      await h.push();
    },
    content: false, state: 'open',
  },
  {
    name: 'left open while main edits the same file elsewhere',
    act: async (h) => {
      await h.edit(TOP, `${TOP} (reviewed)`);
      await h.push();
    },
    content: false, state: 'open',
  },
];

describe.each(GITS)('git provider: merged, open or closed after a human acts with plain git, $name', (g) => {
  it.each(CASES)('$name → $state', async (c) => {
    const { f, h, head } = await proposed();
    await c.act(h);
    const spy = g.make();
    const got = await observe(f, head, spy.runner);
    expect(got.content).toBe(c.content);
    expect(got.state).toBe(c.state);
    // only an open proposal counts against maxOpenPRs
    expect(got.open).toEqual(c.state === 'open' ? [B] : []);
    // wherever merge-tree was asked and failed, the private-index merge answered instead
    if (g.old && spy.count('merge-tree')) expect(spy.count('read-tree')).toBeGreaterThan(0);
  });
});

describe('the fallback merge (git < 2.38)', () => {
  it('merges the file both sides changed with merge-file: a squash merge onto a main that moved on is found by content alone', async () => {
    const { f, h, head } = await proposed();
    await h.edit(TOP, `${TOP} (reviewed)`);
    await h.run('merge', '-q', '--squash', `origin/${B}`);
    await h.run('commit', '-q', '-m', 'alpha 1.1.0 (squashed)');
    await h.push();
    const spy = gitWith({ 'merge-tree': OLD_MERGE_TREE });
    expect(await contentOnly(f, head, spy.runner)).toBe(true);
    // the file both changed (main's comment, the branch's pin) needed a content merge
    expect(spy.count('merge-file')).toBe(1);
  });

  it('follows a file main renamed: the proposal\'s edit of the old path is merged into the new one with merge-file', async () => {
    const { f, h, head } = await proposed();
    await renameBaseline(h);
    await squashMerge(h);
    await h.push();
    const spy = gitWith({ 'merge-tree': OLD_MERGE_TREE });
    expect(await contentOnly(f, head, spy.runner)).toBe(true);
    // main changed the name line, the branch the pin line: one content merge, at the new path
    expect(spy.count('merge-file')).toBe(1);
  });

  it('a branch on which a human renamed the proposal\'s file is undecided: merge-ort would follow that rename, the fallback does not', async () => {
    const { f, h, head } = await proposed();
    await h.run('checkout', '-q', '-b', 'review', `origin/${B}`);
    await renameBaseline(h);
    await h.run('push', '-q', 'origin', `HEAD:${B}`);
    const renamedHead = await h.run('rev-parse', 'HEAD');
    await h.run('checkout', '-q', 'main');
    await h.edit(TOP, `${TOP} (reviewed)`);
    await h.push();
    const spy = gitWith({ 'merge-tree': OLD_MERGE_TREE });
    expect(await contentOnly(f, renamedHead, spy.runner)).toEqual({ undecided: expect.stringContaining(`renames ${FILE}, which the fallback merge does not follow`) });
    // this git decides it: main's edit is not on the branch
    expect(await contentOnly(f, renamedHead, execRunner)).toBe(false);
    expect(head).not.toBe(renamedHead);
  });

  it('asks merge-tree once, not again for each earlier commit of main it tries', async () => {
    const { f, h, head } = await proposed();
    await h.run('cherry-pick', `origin/${B}`);
    await h.run('revert', '--no-edit', 'HEAD');
    await h.push();
    const spy = gitWith({ 'merge-tree': OLD_MERGE_TREE });
    expect(await contentOnly(f, head, spy.runner)).toBe(true);
    // main's tip (the revert: not contained), then the cherry-pick (contained)
    expect([spy.count('merge-tree'), spy.count('read-tree')]).toEqual([1, 2]);
  });

  it('when no merge can be made, the files the branch changed being the same blobs on main still prove a squash merge', async () => {
    const { f, h, head } = await proposed();
    await h.run('merge', '-q', '--squash', `origin/${B}`);
    await h.run('commit', '-q', '-m', 'alpha 1.1.0 (squashed)');
    // reverted: the pins on main no longer show it, only the squash commit does
    await h.run('revert', '--no-edit', 'HEAD');
    await h.push();
    await h.deleteBranch();
    const spy = gitWith({ 'merge-tree': OLD_MERGE_TREE, 'read-tree': BROKEN_READ_TREE });
    expect(await observe(f, head, spy.runner)).toMatchObject({ state: 'merged', content: true });
    expect(spy.count('read-tree')).toBeGreaterThan(0);
  });

  it('when every method fails, a deleted proposal is undecided, not closed: its version is not suppressed, and the log says why', async () => {
    const { f, h, head } = await proposed();
    await h.edit(TOP, `${TOP} (reviewed)`);
    await h.push();
    await h.deleteBranch();
    const broken = gitWith({ 'merge-tree': OLD_MERGE_TREE, 'read-tree': BROKEN_READ_TREE });
    const { lines, log } = captured();
    const got = await observe(f, head, broken.runner, log);
    expect(got.state).toBeUndefined();
    expect(got.content).toMatchObject({ undecided: expect.stringContaining('exited with 129: usage: git merge-tree <base-tree>') });
    expect(lines).toContainEqual(expect.objectContaining({ branch: B, msg: expect.stringContaining('cannot tell whether the proposal was merged') }));
    // with a git that can tell, the same deletion is a "no"
    expect((await observe(f, head)).state).toBe('closed');

    const res = await proposeUpdates(f.options({ runner: gitWith({ 'merge-tree': OLD_MERGE_TREE, 'read-tree': BROKEN_READ_TREE }).runner }));
    expect(res.outcomes.map((o) => [o.branch, o.action])).toEqual([[B, 'created']]);
    const state = JSON.parse(await readFile(join(f.state, 'proposals.json'), 'utf8'));
    expect(state.suppressed?.[B]).toBeUndefined();
  });

  it('an open branch whose merge cannot be told stays open', async () => {
    const { f, head } = await proposed();
    const broken = gitWith({ 'merge-tree': OLD_MERGE_TREE, 'read-tree': BROKEN_READ_TREE });
    expect(await observe(f, head, broken.runner)).toMatchObject({ state: 'open', open: [B] });
  });
});

describe.each(GITS)('the next propose run after a squash merge, $name', (g) => {
  it('does not suppress the merged version set, and proposes the next version as a new proposal', async () => {
    const { f, h } = await proposed();
    await h.run('merge', '-q', '--squash', `origin/${B}`);
    await h.run('commit', '-q', '-m', 'alpha 1.1.0 (squashed)');
    await h.edit(TOP, `${TOP} (reviewed)`);
    await h.push();
    await h.deleteBranch();
    await f.addWheels(['1.2.0']);
    const res = await proposeUpdates(f.options({ runner: g.make().runner }));
    expect(res.outcomes.map((o) => [o.branch, o.action, o.candidates.map((x) => `${x.from}->${x.to}`)])).toEqual([[B, 'created', ['1.1.0->1.2.0']]]);
    const state = JSON.parse(await readFile(join(f.state, 'proposals.json'), 'utf8'));
    expect(state.suppressed[B]).toBeUndefined();
  });

  it('a squash-merged branch that was kept is replaced by a new proposal, not updated in place as if still open', async () => {
    const { f, h } = await proposed();
    await h.edit(TOP, `${TOP} (reviewed)`);
    await h.run('merge', '-q', '--squash', `origin/${B}`);
    await h.run('commit', '-q', '-m', 'alpha 1.1.0 (squashed)');
    await h.push();
    await f.addWheels(['1.2.0']);
    const res = await proposeUpdates(f.options({ runner: g.make().runner }));
    expect(res.outcomes.map((o) => [o.branch, o.action])).toEqual([[B, 'created']]);
    expect(await f.show(B, FILE)).toContain('alpha: "1.2.0"');
    expect(await git(f.repo.remote, ['rev-list', '--count', `main..${B}`])).toBe('1');
  });

  it('a version declined by deleting its branch stays suppressed even after main changed the same file', async () => {
    const { f, h } = await proposed();
    await h.edit(TOP, `${TOP} (reviewed)`);
    await h.push();
    await h.deleteBranch();
    const res = await proposeUpdates(f.options({ runner: g.make().runner }));
    expect(res.outcomes.map((o) => [o.branch, o.action])).toEqual([[B, 'suppressed']]);
    const state = JSON.parse(await readFile(join(f.state, 'proposals.json'), 'utf8'));
    expect(state.suppressed[B]).toEqual(['py/pip:alpha=1.1.0']);
  });
});

describe.each(GITS)('a drift proposal squash-merged while main moved on, $name', (g) => {
  it('is already decided as merged, not updated again as if open', async () => {
    const f = await proposeFixture();
    const runner = g.make().runner;
    const base = await openBase(runner, { repo: f.repo.remote, stateDir: f.state, branch: 'main', dryRun: false });
    const store = await ProposalStore.open(f.state);
    const provider = gitProvider({ runner, ws: base.ws!, store });
    const read = async (p: string) => { const r = await base.loaded.readText(p); if ('error' in r) throw new Error(r.error.message); return r.text; };
    const drift: DriftItem[] = [{ target: 'sandbox:py', manager: 'pip', name: 'alpha', desired: '1.0.0', actual: '1.0.1' }];
    const args = { model: base.validation.model, host: 'h1', drift, provider, read, source: base.source, store };
    const first = await proposeDrift(args);
    expect(first.action).toBe('created');

    const h = await humanClone(f);
    await h.run('merge', '-q', '--squash', `origin/${first.branch}`);
    await h.run('commit', '-q', '-m', 'adopt the drift (squashed)');
    const hostFile = join(h.dir, 'hosts/h1.yaml');
    await writeFile(hostFile, (await readFile(hostFile, 'utf8')).replace('wave: canary', 'wave: broad'));
    await h.run('commit', '-q', '-am', 'h1 to the broad wave');
    await h.push();

    await fetchWorkspace(runner, base.ws!);
    const res = await proposeDrift(args);
    expect(res).toMatchObject({ action: 'already-decided', reason: 'the proposal for this drift was merged' });
    expect((await f.remoteBranches()).get(first.branch)).toBe(first.pr!.headSha);
  });
});
