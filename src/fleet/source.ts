import type { Runner } from '../util/exec.js';
import { makeDirSource } from './load-dir.js';
import { makeGitSource, type GitSourceOptions } from './load-git.js';

/** Where fleet files come from (the I/O edge): a directory or a git revision. */
export interface FleetSource {
  /** Human description for messages: a directory path, or `<repo>@<rev>`. */
  describe: string;
  /** Commit SHA when read from git. */
  revision?: string;
  /** Every regular file, as repo-relative POSIX paths, sorted. Symlinks are included as entries with kind 'symlink'. */
  list(): Promise<SourceEntry[]>;
  /**
   * Reads a file's bytes; throws GitfleetError E_NOT_FOUND when absent. A symlink is read as its target
   * inside the repository (E_IO when it points outside). The git source throws E_PARSE for a file that
   * is not UTF-8, because the Runner delivers process output as text and those bytes cannot be restored.
   */
  read(path: string): Promise<Uint8Array>;
}

export interface SourceEntry {
  path: string;
  kind: 'file' | 'symlink';
  /** Bytes; for a symlink the length of its stored target text (as git records it). */
  size: number;
  /** for symlinks: the link target resolved to a repo-relative path, or null when it points outside the repository */
  target?: string | null;
}

/** A fleet in a directory on disk (a checkout or a plain folder); `.git` folders are skipped. */
export function dirSource(dir: string): FleetSource {
  return makeDirSource(dir);
}

/** Reads a revision of a git repository (bare or not) without a checkout: `git ls-tree -r -z --long REV` and ONE `git cat-file --batch` process for the blobs (via the Runner, batching all needed blobs on stdin). */
export function gitSource(runner: Runner, repoDir: string, rev: string, opts: GitSourceOptions = {}): Promise<FleetSource> {
  return makeGitSource(runner, repoDir, rev, opts);
}
