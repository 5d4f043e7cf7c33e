/*
 * Whether a proposal branch of the git provider has landed in the base, however a human merged it. A plain git
 * server keeps no record of a merge, so two tests stand in for one, as Renovate users expect:
 *   content  everything the branch changes is (or once was) in the base: it is an ancestor (a true merge or a
 *            fast-forward), or a three-way merge of the branch into the base, or into an earlier commit of the base
 *            that touched the same files (or their new names), changes nothing (`git merge-tree --write-tree`). That covers squash and
 *            rebase merges and cherry-picks, also when the base moved on and later edited the same lines (reverts
 *            included: the proposal was merged, what came after is the base's own history). Patch-ids are not used
 *            because a neighbouring pin bumped on the base changes the diff's context, and with it the patch-id.
 *   pins     for an update proposal: every pin it set is, on the base now, at that version or beyond (compared by
 *            the manager's version scheme): a human took it, reformatted, or went further by hand. Superseded, not
 *            declined, so that version is not suppressed.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Runner } from '../../util/exec.js';
import { GitfleetError, errorMessage } from '../../util/errors.js';
import type { Manager } from '../../fleet/model.generated.js';
import type { FleetModel } from '../../fleet/model.js';
import { git, gitCommand } from '../../source/git.js';
import { gitSource } from '../../fleet/source.js';
import { loadFleet } from '../../fleet/load.js';
import { validateFleet } from '../../fleet/validate.js';
import { schemeFor } from '../../managers/versioning/index.js';
import { collectPins } from '../discover.js';
import { isAncestor, type Workspace } from '../workspace.js';
import { addedIntoMovedFolders, sideChanges, type SideChanges } from './git-renames.js';

/** How many earlier base commits touching the proposal's files are tried; bounds the cost on a long history. */
const MAX_BASE_COMMITS = 100;

// Paths come from git itself, but a name like `:(glob)x` would still be read as pathspec magic.
const LITERAL = { env: { GIT_LITERAL_PATHSPECS: '1' } };

/** Why the content test could not tell whether a change landed: read as neither merged nor declined. */
export interface Undecided {
  undecided: string;
}

/**
 * True when the change of `head` (everything since its fork from `base`) is in `base`, or was in one of the
 * base's commits since the fork (merged, then edited further); `Undecided` when no method could tell. Both
 * commits must be known to the clone.
 */
export async function changeInBase(runner: Runner, ws: Workspace, head: string, base: string): Promise<boolean | Undecided> {
  if (await isAncestor(runner, ws, head, base)) return true;
  // exit 1: no common history, so nothing of `head` can have been merged
  const fork = await runner.run(gitCommand(['-C', ws.dir, 'merge-base', head, base]));
  if (fork.exitCode === 1) return false;
  if (fork.exitCode !== 0) return { undecided: `git merge-base failed: ${lastLine(fork.stderr)}` };
  const paths = (await git(runner, ['-C', ws.dir, 'diff', '--name-only', '--no-renames', '-z', fork.stdout.trim(), head], LITERAL)).split('\0').filter(Boolean);
  // an empty proposal holds no change to look for
  if (!paths.length) return false;
  const test = containment(runner, ws, head, paths);
  try {
    // false only when every commit tried says so: one that cannot tell leaves the whole answer open
    let verdict = await test.at(base);
    if (verdict === true) return true;
    // a file the base renamed since the fork was merged, maybe, under its new name
    const renamed = await renamedPaths(runner, ws, fork.stdout.trim(), base, paths);
    if (!Array.isArray(renamed) && verdict === false) verdict = renamed;
    const earlier = (await git(runner, [
      '-C', ws.dir, 'log', '--full-history', '--format=%H', `--max-count=${MAX_BASE_COMMITS}`, base, `^${head}`, '--', ...paths, ...(Array.isArray(renamed) ? renamed : []),
    ], LITERAL)).split('\n').filter((c) => c && c !== base);
    for (const commit of earlier) {
      const got = await test.at(commit);
      if (got === true) return true;
      if (verdict === false) verdict = got;
    }
    return verdict;
  } finally {
    await test.dispose();
  }
}

/**
 * Whether `commit` already holds everything `head` changes (merging `head` into it changes nothing), by the first
 * method that can tell:
 *   1. `git merge-tree --write-tree` (git >= 2.38; older git exits 129 with its usage);
 *   2. the same three-way merge simulated in a private index (`read-tree -m`, `merge-file` for the paths both
 *      sides changed), which any git does;
 *   3. the files `head` changed are, blob for blob, those of `commit`: it proves "contained", never "not".
 */
function containment(runner: Runner, ws: Workspace, head: string, paths: string[]) {
  // git < 2.38 prints its usage and exits 129: not asked again for the next commits
  let mergeTreeUnsupported = false;
  let scratch: Promise<string> | undefined;
  return {
    async at(commit: string): Promise<boolean | Undecided> {
      let why = 'git merge-tree --write-tree is not supported by this git (it needs git >= 2.38)';
      if (!mergeTreeUnsupported) {
        const got = await viaMergeTree(runner, ws, head, commit);
        if (typeof got === 'boolean') return got;
        // unsupported or failed: the other methods decide
        mergeTreeUnsupported = got.exitCode === 129;
        why = got.undecided;
      }
      try {
        scratch ??= mkdtemp(join(tmpdir(), 'gitfleet-merge-'));
        const got = await viaIndex(runner, ws, head, commit, await scratch);
        if (typeof got === 'boolean') return got;
        why += `; ${got.undecided}`;
      } catch (err) {
        why += `; the merge in a private index failed: ${errorMessage(err)}`;
      }
      if (await sameFiles(runner, ws, head, commit, paths).catch(() => false)) return true;
      return { undecided: `cannot tell whether ${short(commit)} holds the change of ${short(head)}: ${why}` };
    },
    async dispose(): Promise<void> {
      if (scratch) await rm(await scratch.catch(() => ''), { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

/** Where the base (`fork` → `base`) renamed `paths` to; undecided when git cannot say. */
async function renamedPaths(runner: Runner, ws: Workspace, fork: string, base: string, paths: string[]): Promise<string[] | Undecided> {
  try {
    const { renames } = await sideChanges(runner, ws, fork, base);
    return paths.flatMap((p) => renames.get(p)?.path ?? []);
  } catch (err) {
    return { undecided: `cannot list the renames on the base: ${errorMessage(err)}` };
  }
}

/** Merging `head` into `commit` cleanly gives `commit`'s own tree: `commit` already holds everything `head` changes. */
async function viaMergeTree(runner: Runner, ws: Workspace, head: string, commit: string): Promise<boolean | (Undecided & { exitCode: number })> {
  // 0 is a clean merge, 1 a conflict; anything else (129: git < 2.38 knows no --write-tree) says nothing
  const merged = await runner.run(gitCommand(['-C', ws.dir, 'merge-tree', '--write-tree', '--no-messages', commit, head]));
  if (merged.exitCode === 1) return false;
  if (merged.exitCode !== 0) return { undecided: `git merge-tree --write-tree exited with ${merged.exitCode}: ${lastLine(merged.stderr)}`, exitCode: merged.exitCode };
  const tree = merged.stdout.split('\n')[0]?.trim();
  return tree !== undefined && tree === (await git(runner, ['-C', ws.dir, 'rev-parse', `${commit}^{tree}`]));
}

/** The files `head` changed since its fork are, path for path, the same blobs (or as absent) in `commit`. */
async function sameFiles(runner: Runner, ws: Workspace, head: string, commit: string, paths: string[]): Promise<boolean> {
  const listing = (rev: string) => git(runner, ['-C', ws.dir, 'ls-tree', '-r', '-z', '--full-tree', rev, '--', ...paths], LITERAL);
  return (await listing(head)) === (await listing(commit));
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() || 'no message';
}

function short(sha: string): string {
  return sha.slice(0, 12);
}

const REGULAR = new Set(['100644', '100755']);

/**
 * The merge of `head` into `commit` as `git merge` without a work tree did it before merge-ort: `read-tree -m`
 * into a private index resolves the paths only one side changed; each path both changed is merged with
 * `merge-file` and must come out as `commit` has it. A file `commit` renamed since the merge base is followed as
 * merge-ort follows it: `head`'s edit of the old path is merged into the new one. What merge-ort would do and this
 * does not model (a rename on `head`'s side, a file added into a folder `commit` moved away) is undecided.
 */
async function viaIndex(runner: Runner, ws: Workspace, head: string, commit: string, scratch: string): Promise<boolean | Undecided> {
  const found = await runner.run(gitCommand(['-C', ws.dir, 'merge-base', '--all', commit, head]));
  // exit 1: no common history, which merge-tree refuses to merge as well
  if (found.exitCode === 1) return false;
  if (found.exitCode !== 0) return { undecided: `git merge-base --all failed: ${lastLine(found.stderr)}` };
  const bases = found.stdout.split('\n').filter(Boolean);
  // merge-ort merges several merge bases into a virtual one first; read-tree takes one
  if (bases.length > 1) return { undecided: `${short(commit)} and ${short(head)} have ${bases.length} merge bases` };
  const sides = await renamesToFollow(runner, ws, bases[0]!, commit, head);
  if (!('renames' in sides)) return sides;
  // merge-ort's rename/delete conflict: `commit` renamed a file `head` deleted
  if ([...sides.renames.keys()].some((p) => sides.headDeleted.has(p))) return false;
  const gitDir = await git(runner, ['-C', ws.dir, 'rev-parse', '--absolute-git-dir']);
  const index = join(scratch, 'index');
  const files = join(scratch, 'files');
  await rm(index, { force: true });
  await rm(files, { recursive: true, force: true });
  await mkdir(files);
  // a work tree of its own, so that the stages written out land in the scratch folder and nowhere else
  const g = (args: string[], o: { cwd?: string; input?: string } = {}) =>
    git(runner, [`--git-dir=${gitDir}`, `--work-tree=${files}`, ...args], { env: { ...LITERAL.env, GIT_INDEX_FILE: index }, ...o });
  await g(['read-tree', '-i', '-m', '--aggressive', bases[0]!, commit, head]);
  const stages = new Map<string, Map<string, { mode: string; sha: string }>>();
  for (const entry of (await g(['ls-files', '-u', '-z'])).split('\0').filter(Boolean)) {
    const m = /^(\d+) ([0-9a-f]+) ([123])\t(.+)$/s.exec(entry);
    if (!m) throw new GitfleetError('E_GIT', `unexpected git ls-files -u line: ${entry}`);
    const byStage = stages.get(m[4]!) ?? new Map<string, { mode: string; sha: string }>();
    byStage.set(m[3]!, { mode: m[1]!, sha: m[2]! });
    stages.set(m[4]!, byStage);
  }
  // `head` changed a path `commit` renamed: `commit`'s side of it is the blob at the new path, merged there
  const followed = new Map<string, string>();
  for (const [path, byStage] of stages) {
    const to = sides.renames.get(path);
    if (!to || byStage.has('2') || !byStage.has('1') || !byStage.has('3')) continue;
    byStage.set('2', { mode: to.mode, sha: to.sha });
    followed.set(path, `${to.mode} ${to.sha} 2\t${path}`);
  }
  if (followed.size) await g(['update-index', '--index-info'], { input: `${[...followed.values()].join('\n')}\n` });
  const resolved: string[] = [];
  for (const [path, byStage] of stages) {
    const [base, ours, theirs] = [byStage.get('1'), byStage.get('2'), byStage.get('3')];
    // added, deleted or not a plain file on one side: a conflict merge-ort reports too
    if (!base || !ours || !theirs || ![base, ours, theirs].every((s) => REGULAR.has(s.mode))) return false;
    // the merged mode stays `commit`'s only when `head` kept the base's mode or made it `commit`'s
    if (theirs.mode !== ours.mode && theirs.mode !== base.mode) return false;
    const out = (await g(['checkout-index', '--temp', '--stage=all', '-z', '--', path], { cwd: files })).split('\0')[0] ?? '';
    const temp = out.slice(0, out.indexOf('\t')).split(' ').map((f) => join(files, f));
    if (temp.length !== 3) throw new GitfleetError('E_GIT', `unexpected git checkout-index --temp output: ${out}`);
    // merge-file writes the merge into its first file: 0 is clean, a positive count conflicts, 255 an error
    const merged = await runner.run(gitCommand(['merge-file', '-q', temp[1]!, temp[0]!, temp[2]!], { cwd: files }));
    if (merged.exitCode !== 0) return false;
    if ((await g(['hash-object', `--path=${path}`, '--', temp[1]!])) !== ours.sha) return false;
    // a followed rename: the merge already sits at the new path, as `commit` has it; the old path goes
    resolved.push(followed.has(path) ? `0 ${'0'.repeat(40)}\t${path}` : `${ours.mode} ${ours.sha} 0\t${path}`);
  }
  if (resolved.length) await g(['update-index', '--index-info'], { input: `${resolved.join('\n')}\n` });
  return (await g(['write-tree'])) === (await git(runner, ['-C', ws.dir, 'rev-parse', `${commit}^{tree}`]));
}

/**
 * The renames `commit` made since `base`, for the fallback merge to follow, and the paths `head` deleted; undecided
 * where merge-ort would follow a rename this merge does not model.
 */
async function renamesToFollow(runner: Runner, ws: Workspace, base: string, commit: string, head: string): Promise<(Pick<SideChanges, 'renames'> & { headDeleted: Set<string> }) | Undecided> {
  let ours: SideChanges;
  let theirs: SideChanges;
  try {
    [ours, theirs] = await Promise.all([sideChanges(runner, ws, base, commit), sideChanges(runner, ws, base, head)]);
  } catch (err) {
    return { undecided: `cannot list the renames since the merge base: ${errorMessage(err)}` };
  }
  // proposals edit or add files in place: a branch that renames one was reworked by hand
  const renamed = [...theirs.renames.keys()][0];
  if (renamed !== undefined) return { undecided: `${short(head)} renames ${renamed}, which the fallback merge does not follow` };
  for (const added of addedIntoMovedFolders(theirs, ours)) {
    const folder = dirname(added);
    const left = await git(runner, ['-C', ws.dir, 'ls-tree', '--name-only', commit, '--', `${folder}/`], LITERAL);
    if (!left) return { undecided: `${short(head)} adds ${added} into ${folder}/, which ${short(commit)} moved away (a directory rename the fallback merge does not follow)` };
  }
  return { renames: ours.renames, headDeleted: theirs.deleted };
}

/** `baseline/manager:name` (lower case) → the exact pin there. */
type Pins = Map<string, { manager: Manager; version: string }>;

/** The fleet at a base commit (absent when it cannot be read) and its pins. */
export interface BaseFleet {
  model?: FleetModel;
  pins: Pins;
}

/** The fleet and its pins at a base commit, read once per commit (listing every open proposal asks the same base). */
export function basePins(runner: Runner, ws: Workspace): (base: string) => Promise<BaseFleet> {
  let last: { base: string; fleet: Promise<BaseFleet> } | undefined;
  return (base) => {
    if (last?.base !== base) last = { base, fleet: readBase(runner, ws, base) };
    return last.fleet;
  };
}

async function readBase(runner: Runner, ws: Workspace, base: string): Promise<BaseFleet> {
  const pins: Pins = new Map();
  try {
    const { model } = await validateFleet(await loadFleet(await gitSource(runner, ws.dir, base)));
    for (const p of collectPins(model)) pins.set(`${p.baseline}/${p.manager}:${p.name}`.toLowerCase(), { manager: p.manager, version: p.version });
    return { model, pins };
  } catch {
    // a base that cannot be read proves nothing: the content test alone decides
    return { pins };
  }
}

/**
 * True when every pin `versions` (`baseline/manager:name` → version, as an update proposal records it) is, in
 * `pins`, at that version or a newer one. A pin gone or no longer exact proves nothing.
 */
export function pinsReached(pins: Pins, versions: Record<string, string>): boolean {
  const wanted = Object.entries(versions);
  if (!wanted.length) return false;
  return wanted.every(([key, to]) => {
    const now = pins.get(key.toLowerCase());
    if (!now) return false;
    try {
      return schemeFor(now.manager).compare(now.version, to) >= 0;
    } catch {
      return false;
    }
  });
}
