import { readFile, readdir, rm, stat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { GitfleetError } from '../util/errors.js';
import { checkSandboxPath } from './paths.js';
import type { DesiredSandbox, SandboxMarker, SandboxType } from './types.js';

/** The file that says "gitfleet made this sandbox". */
export const MARKER_FILE = '.gitfleet-sandbox.json';

/** The marker in `dir`: `undefined` when there is none, `invalid` when a file is there but is not a gitfleet marker. */
export async function readMarker(dir: string): Promise<SandboxMarker | 'invalid' | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, MARKER_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new GitfleetError('E_IO', `cannot read ${join(dir, MARKER_FILE)}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const m = JSON.parse(text) as Partial<SandboxMarker>;
    if (m && m.gitfleet === 1 && typeof m.name === 'string' && typeof m.type === 'string') return m as SandboxMarker;
  } catch {
    // falls through: a marker that does not parse is not gitfleet's
  }
  return 'invalid';
}

/** The marker gitfleet writes for `sb`. */
export function markerFor(sb: DesiredSandbox, type: SandboxType, createdAt: string): SandboxMarker {
  return { name: sb.name, type, template: sb.template, limits: sb.limits ?? {}, createdAt, gitfleet: 1 };
}

/**
 * Makes `sb.path` gitfleet's before anything is created in it: refuses a non-empty folder without a marker
 * and a marker of another sandbox or type; writes the marker first so that a crash midway is resumed, not refused.
 */
export async function claimFolder(sb: DesiredSandbox, type: SandboxType, now: string): Promise<SandboxMarker> {
  const dir = checkSandboxPath(sb.path);
  const found = await checkClaim(sb, type);
  if (found) {
    const want = markerFor(sb, type, found.createdAt);
    // template or limits changed: keep the record current, keep when it was made
    if (JSON.stringify(want) !== JSON.stringify(found)) await writeMarker(dir, want);
    return want;
  }
  return writeNewMarker(sb, type, now);
}

/** Writes a fresh marker, creating the folder; for a caller that has already checked the claim (`checkClaim`). */
export async function writeNewMarker(sb: DesiredSandbox, type: SandboxType, now: string): Promise<SandboxMarker> {
  const dir = checkSandboxPath(sb.path);
  const marker = markerFor(sb, type, now);
  await mkdir(dir, { recursive: true });
  await writeMarker(dir, marker);
  return marker;
}

/** Checks that gitfleet may create `sb` at its path without writing anything: the existing marker, or undefined for an empty or missing folder. */
export async function checkClaim(sb: DesiredSandbox, type: SandboxType): Promise<SandboxMarker | undefined> {
  const dir = checkSandboxPath(sb.path);
  const found = await readMarker(dir);
  if (found === 'invalid') throw notOurs(dir, `${MARKER_FILE} there is not a gitfleet marker`);
  if (found) {
    assertSame(found, sb, type, dir);
    return found;
  }
  if (!(await isEmptyOrMissing(dir))) throw notOurs(dir, 'it is not empty and has no gitfleet marker');
  return undefined;
}

/** The marker of a sandbox about to be removed; `undefined` when the folder is gone; throws when it is not gitfleet's. */
export async function ownedMarker(sb: DesiredSandbox, type: SandboxType): Promise<SandboxMarker | undefined> {
  const dir = checkSandboxPath(sb.path);
  if (!(await exists(dir))) return undefined;
  const found = await readMarker(dir);
  if (found === undefined || found === 'invalid') {
    throw new GitfleetError('E_VALIDATION', `refusing to remove ${dir}: it has no gitfleet marker (${MARKER_FILE}), so gitfleet did not make it`);
  }
  assertSame(found, sb, type, dir);
  return found;
}

/** Deletes a sandbox folder whose marker was checked. */
export async function removeFolder(dir: string): Promise<void> {
  await rm(checkSandboxPath(dir), { recursive: true, force: true });
}

/** True when `p` exists (any kind of file). */
export async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function writeMarker(dir: string, m: SandboxMarker): Promise<void> {
  await writeFileAtomic(join(dir, MARKER_FILE), `${JSON.stringify(m, null, 2)}\n`);
}

function assertSame(found: SandboxMarker, sb: DesiredSandbox, type: SandboxType, dir: string): void {
  if (found.name !== sb.name) throw notOurs(dir, `its marker belongs to sandbox "${found.name}", not "${sb.name}"`);
  if (found.type !== type) {
    throw new GitfleetError('E_VALIDATION', `sandbox "${sb.name}" at ${dir} was made as a ${found.type} sandbox, not ${type}: remove it with the ${found.type} driver first`);
  }
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw new GitfleetError('E_IO', `cannot read ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

function notOurs(dir: string, why: string): GitfleetError {
  return new GitfleetError('E_VALIDATION', `sandbox path ${dir} is refused: ${why}; move it away or choose another path`);
}
