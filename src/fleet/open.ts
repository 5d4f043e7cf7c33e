import { resolve as resolvePath } from 'node:path';
import type { Runner } from '../util/exec.js';
import { dirSource, gitSource } from './source.js';
import { git } from '../source/git.js';
import { loadFleet } from './load.js';
import { validateFleet, type ValidationResult } from './validate.js';

/** Where to read a fleet from: a directory, or a revision of the git repository at `dir`. */
export interface FleetLocation {
  dir: string;
  rev?: string;
}

/** A revision of the repository that contains `dir`; when `dir` is a folder inside it (`fleet/`), that folder's tree. */
async function revisionSource(runner: Runner, dir: string, rev: string) {
  let top: string;
  let prefix: string;
  try {
    top = await git(runner, ['-C', dir, 'rev-parse', '--show-toplevel']);
    prefix = await git(runner, ['-C', dir, 'rev-parse', '--show-prefix']);
  } catch {
    // Not inside a work tree (a bare repository, say): read it as it is.
    return gitSource(runner, dir, rev);
  }
  return gitSource(runner, top, rev, prefix ? { subdir: prefix } : {});
}

/** Loads and validates a fleet from a directory or a git revision: the one entry point for CLI and agent. */
export async function openFleet(runner: Runner, where: FleetLocation): Promise<ValidationResult> {
  const dir = resolvePath(where.dir);
  const source = where.rev ? await revisionSource(runner, dir, where.rev) : dirSource(dir);
  return validateFleet(await loadFleet(source));
}
