import { resolve as resolvePath } from 'node:path';
import type { Runner } from '../util/exec.js';
import { dirSource, gitSource } from './source.js';
import { loadFleet } from './load.js';
import { validateFleet, type ValidationResult } from './validate.js';

/** Where to read a fleet from: a directory, or a revision of the git repository at `dir`. */
export interface FleetLocation {
  dir: string;
  rev?: string;
}

/** Loads and validates a fleet from a directory or a git revision: the one entry point for CLI and agent. */
export async function openFleet(runner: Runner, where: FleetLocation): Promise<ValidationResult> {
  const dir = resolvePath(where.dir);
  const source = where.rev ? await gitSource(runner, dir, where.rev) : dirSource(dir);
  return validateFleet(await loadFleet(source));
}
