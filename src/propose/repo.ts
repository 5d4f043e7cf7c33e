import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Runner } from '../util/exec.js';
import { GitfleetError } from '../util/errors.js';
import { checkoutRevision } from '../source/checkout.js';
import { dirSource, gitSource, type FleetSource } from '../fleet/source.js';
import { loadFleet, type LoadedFleet } from '../fleet/load.js';
import { validateFleet, type ValidationResult } from '../fleet/validate.js';
import { ValidationError } from '../util/errors.js';
import { localRef, openWorkspace, type Workspace } from './workspace.js';
import { cachedSource } from './revalidate.js';

/** The fleet a proposal starts from: its files, validated, and where its folders are on disk. */
export interface ProposalBase {
  source: FleetSource;
  loaded: LoadedFleet;
  validation: ValidationResult;
  /** Relative findLinks resolve against it. */
  fleetDir: string;
  /** The workspace clone, when the fleet is a git repository (absent for a plain folder in a dry run). */
  ws?: Workspace;
  revision?: string;
}

/** True for URLs and scp-like `user@host:path`. */
export function isUrl(repo: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\\]+@[^:]+:/.test(repo);
}

/** A plain folder (not a git repository at all): only dry runs can use it. */
async function isPlainFolder(dir: string): Promise<boolean> {
  const has = async (p: string) => stat(p).then(() => true, () => false);
  return !(await has(join(dir, '.git'))) && !((await has(join(dir, 'HEAD'))) && (await has(join(dir, 'objects'))));
}

/**
 * Opens the fleet to propose against: a git repository (path or URL) through the workspace clone in the state
 * directory (fetched, its work tree put at the base so that local package folders exist), or, for a dry run,
 * a plain folder as it is. An invalid base is a ValidationError: nothing can be proposed on top of it.
 */
export async function openBase(runner: Runner, o: { repo: string; remote?: string; stateDir: string; branch: string; dryRun: boolean }): Promise<ProposalBase> {
  const local = isUrl(o.repo) ? undefined : resolve(o.repo);
  if (local && !(await stat(local).then(() => true, () => false))) throw new GitfleetError('E_NOT_FOUND', `the fleet repository ${local} does not exist`);
  if (local && (await isPlainFolder(local))) {
    if (!o.dryRun) throw new GitfleetError('E_USAGE', `${local} is not a git repository: proposals are branches, so pass a repository (or use --dry-run)`);
    const source = cachedSource(dirSource(local));
    const loaded = await loadFleet(source);
    return check({ source, loaded, validation: await validateFleet(loaded), fleetDir: local });
  }
  const ws = await openWorkspace(runner, o.remote ?? local ?? o.repo, join(o.stateDir, 'propose-workspace'), o.branch);
  const revision = (await localRef(runner, ws, `refs/remotes/origin/${ws.base}`))!;
  await checkoutRevision(runner, ws.dir, revision);
  const source = cachedSource(await gitSource(runner, ws.dir, revision));
  const loaded = await loadFleet(source);
  return check({ source, loaded, validation: await validateFleet(loaded), fleetDir: ws.dir, ws, revision });
}

function check(b: ProposalBase): ProposalBase {
  if (!b.validation.ok) throw new ValidationError(b.validation.diagnostics);
  return b;
}
