/*
 * Whether a proposal branch of the git provider has landed in the base, however a human merged it. A plain git
 * server keeps no record of a merge, so two tests stand in for one, as Renovate users expect:
 *   content  everything the branch changes is (or once was) in the base: it is an ancestor (a true merge or a
 *            fast-forward), or a three-way merge of the branch into the base, or into an earlier commit of the base
 *            that touched the same files, changes nothing (`git merge-tree --write-tree`). That covers squash and
 *            rebase merges and cherry-picks, also when the base moved on and later edited the same lines (reverts
 *            included: the proposal was merged, what came after is the base's own history). Patch-ids are not used
 *            because a neighbouring pin bumped on the base changes the diff's context, and with it the patch-id.
 *   pins     for an update proposal: every pin it set is, on the base now, at that version or beyond (compared by
 *            the manager's version scheme): a human took it, reformatted, or went further by hand. Superseded, not
 *            declined, so that version is not suppressed.
 */
import type { Runner } from '../../util/exec.js';
import type { Manager } from '../../fleet/model.generated.js';
import { git, gitCommand } from '../../source/git.js';
import { gitSource } from '../../fleet/source.js';
import { loadFleet } from '../../fleet/load.js';
import { validateFleet } from '../../fleet/validate.js';
import { schemeFor } from '../../managers/versioning/index.js';
import { collectPins } from '../discover.js';
import { isAncestor, type Workspace } from '../workspace.js';

/** How many earlier base commits touching the proposal's files are tried; bounds the cost on a long history. */
const MAX_BASE_COMMITS = 100;

// Paths come from git itself, but a name like `:(glob)x` would still be read as pathspec magic.
const LITERAL = { env: { GIT_LITERAL_PATHSPECS: '1' } };

/**
 * True when the change of `head` (everything since its fork from `base`) is in `base`, or was in one of the
 * base's commits since the fork (merged, then edited further). Both commits must be known to the clone.
 */
export async function changeInBase(runner: Runner, ws: Workspace, head: string, base: string): Promise<boolean> {
  if (await isAncestor(runner, ws, head, base)) return true;
  const fork = await git(runner, ['-C', ws.dir, 'merge-base', head, base]).catch(() => '');
  if (!fork) return false;
  const paths = (await git(runner, ['-C', ws.dir, 'diff', '--name-only', '--no-renames', '-z', fork, head], LITERAL)).split('\0').filter(Boolean);
  // an empty proposal holds no change to look for
  if (!paths.length) return false;
  if (await containedAt(runner, ws, head, base)) return true;
  const earlier = (await git(runner, [
    '-C', ws.dir, 'log', '--full-history', '--format=%H', `--max-count=${MAX_BASE_COMMITS}`, base, `^${head}`, '--', ...paths,
  ], LITERAL)).split('\n').filter((c) => c && c !== base);
  for (const commit of earlier) {
    if (await containedAt(runner, ws, head, commit)) return true;
  }
  return false;
}

/** Merging `head` into `commit` cleanly gives `commit`'s own tree: `commit` already holds everything `head` changes. */
async function containedAt(runner: Runner, ws: Workspace, head: string, commit: string): Promise<boolean> {
  // exit 1 is a conflict, which the checked helper would turn into an error
  const merged = await runner.run(gitCommand(['-C', ws.dir, 'merge-tree', '--write-tree', '--no-messages', commit, head]));
  if (merged.exitCode !== 0) return false;
  const tree = merged.stdout.split('\n')[0]?.trim();
  return tree !== undefined && tree === (await git(runner, ['-C', ws.dir, 'rev-parse', `${commit}^{tree}`]));
}

/** `baseline/manager:name` (lower case) → the exact pin there. */
type Pins = Map<string, { manager: Manager; version: string }>;

/** The pins of the fleet at a base commit, read once per commit (listing every open proposal asks the same base). */
export function basePins(runner: Runner, ws: Workspace): (base: string) => Promise<Pins> {
  let last: { base: string; pins: Promise<Pins> } | undefined;
  return (base) => {
    if (last?.base !== base) last = { base, pins: readPins(runner, ws, base) };
    return last.pins;
  };
}

async function readPins(runner: Runner, ws: Workspace, base: string): Promise<Pins> {
  const pins: Pins = new Map();
  try {
    const { model } = await validateFleet(await loadFleet(await gitSource(runner, ws.dir, base)));
    for (const p of collectPins(model)) pins.set(`${p.baseline}/${p.manager}:${p.name}`.toLowerCase(), { manager: p.manager, version: p.version });
  } catch {
    // a base that cannot be read proves nothing: the content test alone decides
  }
  return pins;
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
