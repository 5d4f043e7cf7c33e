/*
 * What one side of a merge did to the tree since the merge base, with renames found as merge-ort finds them
 * (`diff-tree -M`: 50 % similarity, no break detection, its default rename limit of 7000), so that the fallback merge
 * of git-merged.ts (git < 2.38) can follow a file that the base renamed after a proposal branched.
 */
import { dirname } from 'node:path';
import type { Runner } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import { gitCommand } from '../../source/git.js';
import type { Workspace } from '../workspace.js';

/** merge.renameLimit's default: past it merge-ort finds exact renames only, and so would this. */
const RENAME_LIMIT = '7000';

/** Where a renamed path went, and the blob it has there. */
export interface RenamedTo {
  path: string;
  mode: string;
  sha: string;
}

/** The changes from a merge base to one side. */
export interface SideChanges {
  /** source path → destination, for every rename. */
  renames: Map<string, RenamedTo>;
  /** Paths added (not the destinations of renames). */
  added: string[];
  /** Paths deleted (not the sources of renames). */
  deleted: Set<string>;
}

/** The changes from `from` to `to` (`git diff-tree -r -M`); E_GIT when git fails or skipped inexact renames. */
export async function sideChanges(runner: Runner, ws: Workspace, from: string, to: string): Promise<SideChanges> {
  const res = await runner.run(gitCommand(['-C', ws.dir, 'diff-tree', '-r', '-z', '-M', `-l${RENAME_LIMIT}`, '--no-abbrev', from, to]));
  if (res.exitCode !== 0) throw new GitfleetError('E_GIT', `git diff-tree -M ${from} ${to} exited with ${res.exitCode}: ${res.stderr.trim().split('\n').pop() ?? ''}`);
  // git only warns (exit 0) when the limit made it skip inexact renames: a verdict from half a rename detection proves nothing
  if (res.stderr.trim()) throw new GitfleetError('E_GIT', `git diff-tree -M ${from} ${to} warned: ${res.stderr.trim().split('\n').pop() ?? ''}`);
  return parseRaw(res.stdout);
}

/** Parses `diff-tree -r -z` raw output: `:<mode> <mode> <sha> <sha> <status>\0<path>\0[<path>\0]`. */
export function parseRaw(out: string): SideChanges {
  const changes: SideChanges = { renames: new Map(), added: [], deleted: new Set() };
  const fields = out.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const head = fields[i]!;
    if (!head) continue;
    const m = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])(\d*)$/.exec(head);
    if (!m) throw new GitfleetError('E_GIT', `unexpected git diff-tree output: ${head}`);
    const status = m[5]!;
    const path = fields[++i] ?? '';
    if (status === 'R' || status === 'C') {
      const dest = fields[++i] ?? '';
      if (status === 'R') changes.renames.set(path, { path: dest, mode: m[2]!, sha: m[4]! });
      else changes.added.push(dest);
    } else if (status === 'A') changes.added.push(path);
    else if (status === 'D') changes.deleted.add(path);
  }
  return changes;
}

/**
 * The paths `head` added into a folder from which `base` renamed files away: merge-ort's directory-rename detection
 * may move such a file along when the folder is gone, which the fallback merge does not model.
 */
export function addedIntoMovedFolders(head: SideChanges, base: SideChanges): string[] {
  const movedFrom = new Set([...base.renames].filter(([from, to]) => dirname(from) !== dirname(to.path)).map(([from]) => dirname(from)));
  return head.added.filter((p) => movedFrom.has(dirname(p)));
}
