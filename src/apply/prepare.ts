import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Runner } from '../util/exec.js';
import { GitfleetError, ValidationError } from '../util/errors.js';
import { dirSource, gitSource } from '../fleet/source.js';
import { loadFleet } from '../fleet/load.js';
import { validateFleet, type ValidationResult } from '../fleet/validate.js';
import { resolveHost, type DesiredHost } from '../fleet/resolve.js';
import { closest } from '../fleet/suggest.js';
import { checkoutRevision, fetchBranch, headOf, revParse } from '../source/checkout.js';

/** Where the desired state comes from: a fleet folder as it is on disk, or a git repository (path or URL) at a branch or revision. */
export interface RepoLocation {
  repo: string;
  rev?: string;
  branch?: string;
}

/** A validated revision and the host's view of it. */
export interface Prepared {
  /** The folder whose files back the desired state (findLinks resolve against it). */
  fleetDir: string;
  revision: string | null;
  validation: ValidationResult;
  desired: DesiredHost;
}

/**
 * Reads, validates and resolves the desired state for one host. A git source is validated at the
 * revision before the work tree moves there, so an invalid revision never reaches the checkout.
 * Throws ValidationError (nothing is applied) when the revision or the host's view is invalid.
 */
export async function prepare(runner: Runner, where: RepoLocation, host: string, stateDir: string, capabilities?: string[]): Promise<Prepared> {
  const local = await localFolder(where.repo);
  let fleetDir: string;
  let revision: string | null = null;
  let validation: ValidationResult;
  if (local && !where.rev) {
    fleetDir = local;
    validation = await validateFleet(await loadFleet(dirSource(fleetDir)));
  } else {
    fleetDir = join(stateDir, 'checkout');
    const url = local ?? where.repo;
    // A commit the clone already has (the agent fetched it a moment ago) needs no second fetch.
    const rev = where.rev;
    const known = rev && /^[0-9a-f]{40}$/.test(rev) ? await revParse(runner, fleetDir, rev).catch(() => undefined) : undefined;
    let sha = known;
    if (!sha) {
      const head = await fetchBranch(runner, url, fleetDir, where.branch ?? 'main');
      sha = rev ? await revParse(runner, fleetDir, rev) : head;
    }
    revision = sha;
    // The work tree already at this revision (checked out, cleaned) holds exactly its files: read them from disk.
    // A new revision is validated from git before the work tree moves, so an invalid one never reaches it.
    const inPlace = (await headOf(runner, fleetDir)) === sha;
    validation = await validateFleet(await loadFleet(inPlace ? dirSource(fleetDir) : await gitSource(runner, fleetDir, sha)));
    if (validation.ok && !inPlace) await checkoutRevision(runner, fleetDir, sha);
  }
  if (!validation.ok) throw new ValidationError(validation.diagnostics);
  if (!validation.model.hosts.has(host)) {
    const guess = closest(host, [...validation.model.hosts.keys()]);
    throw new GitfleetError('E_NOT_FOUND', `host "${host}" is not in the fleet${guess ? `; did you mean "${guess}"?` : ''} — register it with \`gitfleet host register\``);
  }
  const { host: desired, diagnostics } = resolveHost(validation.model, host, { stateDir, capabilities });
  if (!desired || diagnostics.length) throw new ValidationError(diagnostics);
  return { fleetDir, revision, validation, desired };
}

/** The folder when `repo` is a local non-bare directory; undefined for URLs and bare repositories. */
async function localFolder(repo: string): Promise<string | undefined> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\\]+@[^:]+:/.test(repo)) return undefined;
  const dir = resolve(repo);
  try {
    if (!(await stat(dir)).isDirectory()) return undefined;
  } catch {
    throw new GitfleetError('E_NOT_FOUND', `the fleet repository ${dir} does not exist`);
  }
  try {
    await stat(join(dir, 'HEAD'));
    await stat(join(dir, 'objects'));
    return undefined; // a bare repository: read it through git
  } catch {
    return dir;
  }
}
