import { stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { CommandError, type Runner } from '../util/exec.js';
import { writeFileAtomic } from '../util/atomic.js';
import { GitfleetError, errorMessage } from '../util/errors.js';
import { exists } from '../util/exists.js';
import { git } from '../source/git.js';

/** Beside the cache's refs: its modification time is when housekeeping last started. */
export const MAINTENANCE_STAMP = 'gitfleet-maintenance';
/** Housekeeping runs at most this often by default. */
export const DEFAULT_MAINTENANCE_EVERY_MS = 3_600_000;
/** Unreachable objects younger than this survive a gc: a fetch or publish in flight may still be about to reference them. */
export const DEFAULT_PRUNE_EXPIRE = '1.hour.ago';

export interface MaintenanceOptions {
  /** At most one run per this many ms, by the stamp's time (default 1 h; 0 runs every time). */
  everyMs?: number;
  /** `gc.pruneExpire` (git approxidate, default `1.hour.ago`); git's own 2 weeks would keep every superseded status. */
  pruneExpire?: string;
  /** `gc.auto`, the loose-object count that makes gc work (default: git's own, 6700). */
  gcAuto?: number;
  /** Timeout of the gc (default 5 min). */
  timeoutMs?: number;
  env?: Record<string, string>;
  now?: () => Date;
  /** Where a failed gc is reported; it is never thrown. */
  log?: Pick<Logger, 'warn'>;
}

export interface MaintenanceResult {
  /** Whether gc was started (the interval had passed). */
  ran: boolean;
  /** Why it failed, or null. */
  error: string | null;
}

/** The git directory of `workDir`: itself when bare, its `.git` when a clone. */
export async function gitDirOf(workDir: string): Promise<string> {
  return (await exists(join(workDir, '.git'))) ? join(workDir, '.git') : workDir;
}

/**
 * Housekeeping of a status cache at a bounded cadence: `git gc --auto` (does nothing below git's loose-object and
 * pack thresholds), in the foreground, pruning unreachable objects older than `pruneExpire`. Refs keep their values.
 * Never throws: a failure (a lock held, a timeout) is logged and returned, and tried again after the interval.
 */
export async function maintainCache(runner: Runner, workDir: string, opts: MaintenanceOptions = {}): Promise<MaintenanceResult> {
  let ran = false;
  try {
    const expire = opts.pruneExpire ?? DEFAULT_PRUNE_EXPIRE;
    if (!/^[A-Za-z0-9][A-Za-z0-9.:-]{0,63}$/.test(expire)) throw new GitfleetError('E_USAGE', `"${expire}" is not a git expiry date`);
    if (opts.gcAuto !== undefined && !(Number.isInteger(opts.gcAuto) && opts.gcAuto >= 0)) throw new GitfleetError('E_USAGE', `gc.auto must be a whole number, not ${opts.gcAuto}`);
    const stamp = join(await gitDirOf(workDir), MAINTENANCE_STAMP);
    const now = (opts.now ?? (() => new Date()))();
    if (!(await due(stamp, now, opts.everyMs ?? DEFAULT_MAINTENANCE_EVERY_MS))) return { ran: false, error: null };
    ran = true;
    // Stamped before gc runs, so a gc that fails is tried again after the interval, not on every publish.
    await touch(stamp, now);
    // Cruft packs (git >= 2.37; older git ignores the key): without them, a gc --auto that repacks (over 50 packs: every
    // fetch of 100+ objects is kept as a pack) writes each unreachable status younger than the expiry out as a loose file.
    const config = ['-c', 'gc.autoDetach=false', '-c', 'gc.cruftPacks=true', '-c', `gc.pruneExpire=${expire}`, ...(opts.gcAuto !== undefined ? ['-c', `gc.auto=${opts.gcAuto}`] : [])];
    await git(runner, ['-C', workDir, ...config, 'gc', '--auto', '--quiet'], { env: opts.env, timeoutMs: opts.timeoutMs ?? 300_000 });
    return { ran: true, error: null };
  } catch (err) {
    const error = gcReason(err);
    opts.log?.warn({ err: error, workDir }, 'housekeeping of the status cache failed; tried again later');
    return { ran, error };
  }
}

// Due when the stamp is at least `everyMs` old or in the future (the clock was set back). A missing stamp (a new cache,
// nothing to collect yet) starts the clock instead, so a first read or publish spawns no gc.
async function due(stamp: string, now: Date, everyMs: number): Promise<boolean> {
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(stamp)).mtimeMs;
  } catch {
    if (everyMs <= 0) return true;
    await touch(stamp, now);
    return false;
  }
  const elapsed = now.getTime() - mtimeMs;
  return elapsed < 0 || elapsed >= everyMs;
}

async function touch(stamp: string, at: Date): Promise<void> {
  await writeFileAtomic(stamp, '');
  await utimes(stamp, at, at);
}

// git's own last lines say what went wrong (a lock held, ...); the generic message would name the -c values instead.
function gcReason(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  const tail = cause instanceof CommandError ? cause.stderrTail.trim().split('\n').filter((l) => l.startsWith('fatal: ') || l.startsWith('error: ')) : [];
  return tail.length > 0 ? `git gc: ${tail.join(' ')}` : errorMessage(err);
}
