import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Runner } from '../util/exec.js';
import { writeFileAtomic } from '../util/atomic.js';
import { GitfleetError } from '../util/errors.js';
import { exists } from '../util/exists.js';
import { canonicalJson } from '../events/canonical-json.js';
import { git } from '../source/git.js';
import { statusRef, type HostStatus } from './types.js';
import { repoArgument } from './repo.js';
import { withObjectQuarantine } from './quarantine.js';
import { gitDirOf, maintainCache, type MaintenanceOptions, type MaintenanceResult } from './maintain.js';

export interface PublishOptions {
  /** A git directory for building the commit (bare cache or a clone); created as a bare repository when missing. */
  workDir: string;
  /** Timeout of each git process (default 60 s). */
  timeoutMs?: number;
  /** Extra environment for git (credentials helpers, GIT_SSH_COMMAND). */
  env?: Record<string, string>;
  /** Housekeeping of `workDir` after a publish, at a bounded cadence (see maintainCache); `false` leaves it out. */
  maintenance?: Omit<MaintenanceOptions, 'env' | 'log'> | false;
  /** Where failed housekeeping is reported: it never fails the publish. */
  log?: Pick<Logger, 'warn'>;
}

export interface PublishResult {
  ref: string;
  commit: string;
  /** Whether housekeeping ran after this publish and how it went (absent when turned off). */
  maintenance?: MaintenanceResult;
}

/** The file name of the status document, in the state directory and in the published tree. */
export const STATUS_FILE = 'status.json';

// A ref component must survive git's ref rules: the resource-name pattern, without "..", ".lock" or a trailing ".".
const HOST_PATTERN = /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/;

/** Throws E_USAGE when `host` cannot name a status ref. */
export function validateHostName(host: string): void {
  if (!HOST_PATTERN.test(host) || host.includes('..') || host.endsWith('.lock')) {
    throw new GitfleetError('E_USAGE', `"${host}" is not a valid host name for a status ref (lower-case letters, digits, ".", "_", "-")`);
  }
}

/** The status document's bytes: stable pretty JSON with a final newline. */
export function statusText(status: HostStatus): string {
  return JSON.stringify(status, null, 2) + '\n';
}

/** Writes `status.json` in the state directory atomically (write, fsync, rename). */
export async function writeLocalStatus(stateDir: string, status: HostStatus): Promise<string> {
  const path = join(stateDir, STATUS_FILE);
  await writeFileAtomic(path, statusText(status), 0o644);
  return path;
}

/**
 * Publishes the status as an orphan commit (one file, `status.json`) force-pushed to `refs/gitfleet/status/<host>`.
 * Built with plumbing so no work tree or index is touched; each host owns its ref, so hosts never contend. The objects
 * are written to a quarantine that is deleted after the push, so publishing leaves no loose objects in `workDir`
 * (each publish used to leave three, unreachable, for good); `workDir` is housekept at most once per interval.
 */
export async function publishStatus(runner: Runner, repoDirOrUrl: string, status: HostStatus, opts: PublishOptions): Promise<PublishResult> {
  validateHostName(status.host);
  const repo = repoArgument(repoDirOrUrl);
  await ensureGitDir(runner, opts.workDir);
  const ref = statusRef(status.host);
  const commit = await withObjectQuarantine(await gitDirOf(opts.workDir), async (quarantine) => {
    const env = { ...commitEnv(status), ...(opts.env ?? {}), ...quarantine };
    const run = (args: string[], input?: string) => git(runner, ['-C', opts.workDir, ...args], { input, env, timeoutMs: opts.timeoutMs ?? 60_000 });
    const blob = await run(['hash-object', '-w', '--stdin'], statusText(status));
    const tree = await run(['mktree'], `100644 blob ${blob}\t${STATUS_FILE}\n`);
    const message = `status ${status.host}: ${status.health} at ${status.revision.applied?.slice(0, 12) ?? 'none'}`;
    const sha = await run(['commit-tree', tree, '-m', message]);
    await run(['push', '--quiet', '--force', '--no-verify', repo, `${sha}:${ref}`]);
    return sha;
  });
  if (opts.maintenance === false) return { ref, commit };
  const maintenance = await maintainCache(runner, opts.workDir, { ...opts.maintenance, env: opts.env, log: opts.log });
  return { ref, commit, maintenance };
}

/**
 * Whether to publish `next` given the last published status: on any change other than the heartbeat and the
 * agent's counters, when the heartbeat went backwards (the clock was set back), or when the last publish is at
 * least `heartbeatMs` old — by `elapsedMs` (the caller's monotonic clock since that publish) when given, else
 * between the two heartbeats.
 */
export function shouldPublish(prev: HostStatus | null | undefined, next: HostStatus, heartbeatMs: number, elapsedMs?: number): boolean {
  if (!prev) return true;
  if (canonicalJson(comparable(prev)) !== canonicalJson(comparable(next))) return true;
  const gap = Date.parse(next.heartbeat) - Date.parse(prev.heartbeat);
  // Waiting for the clock to pass a heartbeat written while it ran ahead would leave readers a frozen status (offline) for the whole skew.
  if (gap < 0) return true;
  // A monotonic clock is immune to the wall clock being stepped either way.
  if (elapsedMs !== undefined) return elapsedMs >= heartbeatMs;
  // NaN (an unreadable heartbeat) publishes too.
  return !(gap < heartbeatMs);
}

// What changes on every cycle without meaning anything to readers; version and pid (a restart) still count.
function comparable(s: HostStatus): unknown {
  const { heartbeat: _h, agent, ...rest } = JSON.parse(JSON.stringify(s)) as HostStatus;
  return { ...rest, agent: { version: agent?.version, pid: agent?.pid } };
}

// The commit's identity and date are fixed by the status itself: a status commit says who and when, nothing else.
function commitEnv(status: HostStatus): Record<string, string> {
  const date = Number.isNaN(Date.parse(status.heartbeat)) ? new Date().toISOString() : status.heartbeat;
  return {
    GIT_AUTHOR_NAME: `gitfleet agent (${status.host})`,
    GIT_AUTHOR_EMAIL: `${status.host}@gitfleet.invalid`,
    GIT_COMMITTER_NAME: `gitfleet agent (${status.host})`,
    GIT_COMMITTER_EMAIL: `${status.host}@gitfleet.invalid`,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  };
}

/** Makes `dir` a bare repository unless it already is a git directory (bare, or a clone with `.git`). */
export async function ensureGitDir(runner: Runner, dir: string): Promise<void> {
  if ((await exists(join(dir, 'HEAD'))) || (await exists(join(dir, '.git')))) return;
  await git(runner, ['init', '-q', '--bare', dir]);
}
