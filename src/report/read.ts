import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Runner } from '../util/exec.js';
import { writeFileAtomic } from '../util/atomic.js';
import { GitfleetError, errorMessage } from '../util/errors.js';
import { withoutCredentials } from '../util/url-credentials.js';
import { git, gitCommand } from '../source/git.js';
import { CommandError, runChecked } from '../util/exec.js';
import type { HostStatus } from './types.js';
import { parseBatchOutput, type BatchItem } from './batch.js';
import { ensureGitDir, STATUS_FILE } from './publish.js';
import { parseHostStatus } from './validate.js';
import { repoArgument } from './repo.js';
import { gitDirOf, maintainCache, type MaintenanceOptions } from './maintain.js';

export { deriveHealth, heartbeatAgeMs, judgeHeartbeat, DEFAULT_STALE_AFTER_MS, CLOCK_SKEW_TOLERANCE_MS, type FleetHealth } from './health.js';

const STATUS_PREFIX = 'refs/gitfleet/status/';
/** Beside the cache's refs: when this reader first saw each host's current status commit, by its own clock. */
export const OBSERVED_FILE = 'gitfleet-observed.json';

export interface ReadOptions {
  /** The tracked branch whose head is read alongside (default `main`). */
  branch?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
  /** The reader's clock, for `observedAt` (tests inject it). */
  now?: () => Date;
  /** Housekeeping of the cache after the read, at a bounded cadence (see maintainCache); `false` leaves it out. */
  maintenance?: Omit<MaintenanceOptions, 'env' | 'log'> | false;
  /** Where failed housekeeping is reported: it never fails the read. */
  log?: MaintenanceOptions['log'];
}

/** One host's published status, or why it could not be read (the host is then shown as `unknown`). */
export interface PublishedStatus {
  host: string;
  /** The status commit under the host's ref. */
  commit: string;
  status: HostStatus | null;
  error: string | null;
  /**
   * When this reader (its cache) first saw `commit`, by the reader's own clock: the status is at least this old
   * whatever the host's clock says. Recorded in the cache, so it survives between runs.
   */
  observedAt?: string;
}

export interface FleetStatusRead {
  branch: string;
  /** The branch head SHA, or null when the repository has no such branch. */
  head: string | null;
  /** Every host with a status ref, sorted by name. */
  hosts: PublishedStatus[];
}

/**
 * Reads every host's status with ONE fetch of `refs/gitfleet/status/*` (and the branch) into the bare cache
 * `workDir`, one `for-each-ref` and one `cat-file --batch`. A malformed status is data (`error`), never a throw.
 */
export async function readFleetStatus(runner: Runner, repo: string, workDir: string, opts: ReadOptions = {}): Promise<FleetStatusRead> {
  const branch = opts.branch ?? 'main';
  if (!/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/.test(branch) || branch.endsWith('.lock')) throw new GitfleetError('E_USAGE', `"${branch}" is not a valid branch name`);
  const run = (args: string[], input?: string) => git(runner, ['-C', workDir, ...args], { input, env: opts.env, timeoutMs: opts.timeoutMs ?? 120_000 });
  await ensureGitDir(runner, workDir);
  const url = repoArgument(repo);
  const statusSpec = `+${STATUS_PREFIX}*:${STATUS_PREFIX}*`;
  const branchRef = `refs/gitfleet/head/${branch}`;
  // git's own auto-gc after a fetch keeps unreachable objects for 2 weeks and, detached, blocks itself for a day once it
  // warns about them; superseded statuses are exactly that, so the cache is housekept by maintainCache instead.
  const fetch = (specs: string[]) => run(['-c', 'maintenance.auto=false', 'fetch', '--quiet', '--no-tags', '--prune', '--no-write-fetch-head', url, ...specs]).catch((err: unknown) => {
    // the URL may carry a token: `gitfleet status` and the agent's wave gate print and publish this message
    throw new GitfleetError('E_GIT', withoutCredentials(`cannot fetch host statuses from ${url}: ${gitReason(err)}`), { cause: err, retryable: true });
  });
  try {
    await fetch([statusSpec, `+refs/heads/${branch}:${branchRef}`]);
  } catch (err) {
    // A repository without the branch (statuses only) is still readable: fetch the statuses alone.
    if (await hasBranch(run, url, branch)) throw err;
    await fetch([statusSpec]);
    // --prune only covers the refspecs fetched: forget a head the remote no longer has.
    await run(['update-ref', '-d', branchRef]);
  }
  const listing = await run(['for-each-ref', '--format=%(objectname) %(refname)', STATUS_PREFIX, branchRef]);
  let head: string | null = null;
  const refs: { host: string; commit: string }[] = [];
  for (const line of listing.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    const [commit, name] = [line.slice(0, sp), line.slice(sp + 1)];
    if (name === branchRef) head = commit;
    else if (name.startsWith(STATUS_PREFIX)) refs.push({ host: name.slice(STATUS_PREFIX.length), commit });
  }
  refs.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  // cat-file output is read raw: trimming would cut a blob's final newline and break its size and hash check.
  const raw = async (input: string) => (await runChecked(runner, gitCommand(['-C', workDir, 'cat-file', '--batch'], { input, env: opts.env, timeoutMs: opts.timeoutMs ?? 120_000 }))).stdout;
  const items = await readBlobs(raw, refs.map((r) => `${r.commit}:${STATUS_FILE}`));
  const observed = await observe(workDir, refs, (opts.now ?? (() => new Date()))());
  const hosts = refs.map((r, i): PublishedStatus => {
    const item = items[i] ?? { error: 'not read' };
    const observedAt = observed[r.host]!.at;
    if ('error' in item) return { host: r.host, commit: r.commit, status: null, error: item.error, observedAt };
    const parsed = parseHostStatus(item.text, r.host);
    return 'status' in parsed
      ? { host: r.host, commit: r.commit, status: parsed.status, error: null, observedAt }
      : { host: r.host, commit: r.commit, status: null, error: parsed.error, observedAt };
  });
  if (opts.maintenance !== false) await maintainCache(runner, workDir, { ...opts.maintenance, env: opts.env, log: opts.log });
  return { branch, head, hosts };
}

type Observations = Record<string, { commit: string; at: string }>;

/**
 * Keeps, per host, the time this cache first saw its current status commit (a new commit is seen now); hosts whose
 * ref is gone are forgotten. Written only when something changed, so a no-op read stays a read.
 */
async function observe(workDir: string, refs: readonly { host: string; commit: string }[], now: Date): Promise<Observations> {
  const path = join(await gitDirOf(workDir), OBSERVED_FILE);
  let prev: Observations = {};
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) prev = parsed as Observations;
  } catch {
    // missing or damaged: every status counts as seen now, which is what a first run sees anyway
  }
  const next: Observations = {};
  let changed = Object.keys(prev).length !== refs.length;
  for (const r of refs) {
    const p = Object.hasOwn(prev, r.host) ? prev[r.host] : undefined;
    const keep = p && p.commit === r.commit && typeof p.at === 'string' && !Number.isNaN(Date.parse(p.at));
    next[r.host] = keep ? { commit: p.commit, at: p.at } : { commit: r.commit, at: now.toISOString() };
    if (!keep) changed = true;
  }
  if (changed) await writeFileAtomic(path, `${JSON.stringify(next)}\n`);
  return next;
}

type Git = (args: string[], input?: string) => Promise<string>;

// One batch for all; only when a blob was damaged in decoding are the rest read one by one.
async function readBlobs(catFile: (input: string) => Promise<string>, names: string[]): Promise<BatchItem[]> {
  if (names.length === 0) return [];
  const items = parseBatchOutput(await catFile(names.map((n) => n + '\n').join('')), names);
  while (items.length < names.length) {
    const name = names[items.length]!;
    items.push(parseBatchOutput(await catFile(name + '\n'), [name])[0] ?? { error: 'not read' });
  }
  return items;
}

// git's own first "fatal:" line says what went wrong; the rest is advice.
function gitReason(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  const stderr = cause instanceof CommandError ? cause.stderrTail : '';
  const fatal = stderr.split('\n').find((l) => l.startsWith('fatal: '));
  return fatal ? fatal.slice('fatal: '.length) : errorMessage(err);
}

async function hasBranch(run: Git, url: string, branch: string): Promise<boolean> {
  try {
    return (await run(['ls-remote', '--heads', url, `refs/heads/${branch}`])).trim() !== '';
  } catch {
    return true; // the remote itself is unreachable: let the first error speak
  }
}
