import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Runner } from '../util/exec.js';
import { GitfleetError, errorMessage } from '../util/errors.js';
import { withoutCredentials } from '../util/url-credentials.js';
import { exists } from '../util/exists.js';
import { git, gitCommand } from '../source/git.js';

/** A local clone used to build and push proposal branches; reused across runs (fetched, never re-cloned). */
export interface Workspace {
  dir: string;
  remote: string;
  base: string;
}

/** What one proposal commit holds. `files`: path → new text, or null to delete. */
export interface CommitSpec {
  base: string;
  branch: string;
  files: Record<string, string | null>;
  message: string;
  author?: { name: string; email: string };
}

/** Who gitfleet's own proposal commits are by, unless a provider is given another identity. */
export const BOT_AUTHOR = { name: 'gitfleet', email: 'gitfleet@localhost' };
const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9._/-]{1,200}$/;
const SHA = /^[0-9a-f]{40}$/;

/** Throws E_USAGE unless `name` is a safe branch name (it reaches git as an argument). */
export function assertBranch(name: string): void {
  if (!BRANCH.test(name)) throw new GitfleetError('E_USAGE', `"${name}" is not a valid branch name`);
}

/** A clone of `remoteUrl` in `dir` (made on first use, fetched on every later one) with every remote branch under refs/remotes/origin. */
export async function openWorkspace(runner: Runner, remoteUrl: string, dir: string, base: string): Promise<Workspace> {
  assertBranch(base);
  const fresh = !(await exists(join(dir, '.git')));
  if (fresh) {
    await mkdir(dir, { recursive: true });
    await git(runner, ['init', '-q', '-b', base, dir]);
  }
  try {
    await git(runner, ['-C', dir, 'remote', fresh ? 'add' : 'set-url', 'origin', remoteUrl]);
  } catch (err) {
    // The command line names the URL, token and all, and so does the cause chain that logs print: neither is kept.
    throw new GitfleetError('E_GIT', withoutCredentials(`cannot set the remote of the proposal workspace ${dir} to ${remoteUrl}: ${errorMessage(err)}`));
  }
  const ws = { dir, remote: remoteUrl, base };
  await fetchWorkspace(runner, ws);
  return ws;
}

/** Fetches every branch of the remote (pruning deleted ones); a remote that cannot be reached is E_GIT saying so. */
export async function fetchWorkspace(runner: Runner, ws: Workspace): Promise<void> {
  try {
    await git(runner, ['-C', ws.dir, 'fetch', '-q', '--no-tags', '--prune', 'origin', '+refs/heads/*:refs/remotes/origin/*'], { timeoutMs: 120_000 });
  } catch (err) {
    throw new GitfleetError('E_GIT', withoutCredentials(`cannot fetch the fleet repository ${ws.remote}: ${errorMessage(err)}`), { cause: err, retryable: true });
  }
  if ((await localRef(runner, ws, `refs/remotes/origin/${ws.base}`)) === undefined) {
    throw new GitfleetError('E_NOT_FOUND', `the fleet repository ${withoutCredentials(ws.remote)} has no branch "${ws.base}"`);
  }
}

/**
 * Builds ONE commit on top of `origin/<base>` with `files` changed, in a private index (the work tree and every
 * other branch stay as they are), points the local branch at it, and returns its SHA.
 */
export async function commitToBranch(runner: Runner, ws: Workspace, spec: CommitSpec): Promise<string> {
  assertBranch(spec.branch);
  assertBranch(spec.base);
  const env = { GIT_INDEX_FILE: join(ws.dir, '.git', `gitfleet-index-${process.pid}`) };
  const g = (args: string[], input?: string) => git(runner, ['-C', ws.dir, ...args], { env: { ...env, ...authorEnv(spec.author) }, input });
  const baseSha = await g(['rev-parse', '--verify', `refs/remotes/origin/${spec.base}^{commit}`]);
  await g(['read-tree', baseSha]);
  const paths = Object.keys(spec.files).sort();
  for (const p of paths) assertRepoPath(p);
  const modes = await existingModes(g, baseSha, paths);
  const lines: string[] = [];
  for (const p of paths) {
    const text = spec.files[p];
    if (text === null || text === undefined) {
      lines.push(`0 ${'0'.repeat(40)}\t${p}`);
      continue;
    }
    const blob = await g(['hash-object', '-w', '--stdin'], text);
    lines.push(`${modes.get(p) ?? '100644'} ${blob}\t${p}`);
  }
  if (lines.length) await g(['update-index', '--index-info'], lines.join('\n') + '\n');
  const tree = await g(['write-tree']);
  const sha = await g(['commit-tree', tree, '-p', baseSha, '-F', '-'], spec.message.endsWith('\n') ? spec.message : `${spec.message}\n`);
  await g(['update-ref', `refs/heads/${spec.branch}`, sha]);
  return sha;
}

/** Pushes the local branch; with `force`, only if the remote still has what we last fetched (force-with-lease). */
export async function pushBranch(runner: Runner, ws: Workspace, branch: string, opts: { force: boolean; source?: string }): Promise<void> {
  assertBranch(branch);
  const src = opts.source ?? `refs/heads/${branch}`;
  const args = ['-C', ws.dir, 'push', '-q', '--porcelain'];
  if (opts.force) {
    const expected = (await localRef(runner, ws, `refs/remotes/origin/${branch}`)) ?? '';
    args.push(`--force-with-lease=refs/heads/${branch}:${expected}`, 'origin', `+${src}:refs/heads/${branch}`);
  } else {
    args.push('origin', `${src}:refs/heads/${branch}`);
  }
  try {
    await git(runner, args);
  } catch (err) {
    throw new GitfleetError('E_GIT', withoutCredentials(`cannot push ${branch} to ${ws.remote}: ${errorMessage(err)}`), { cause: err, retryable: true });
  }
  // `--porcelain` pushes do not always move the remote-tracking ref; keep it exact for the next lease.
  const sha = await git(runner, ['-C', ws.dir, 'rev-parse', '--verify', `${src}^{commit}`]);
  await git(runner, ['-C', ws.dir, 'update-ref', `refs/remotes/origin/${branch}`, sha]);
}

/** The SHA the remote has for `branch` right now (`ls-remote`), or undefined when it has no such branch. */
export async function remoteBranchSha(runner: Runner, ws: Workspace, branch: string): Promise<string | undefined> {
  assertBranch(branch);
  const out = await lsRemote(runner, ws, [`refs/heads/${branch}`]);
  return out.get(branch);
}

/** Remote branches (name → SHA) matching the patterns (`refs/heads/gitfleet/*`). */
export async function lsRemote(runner: Runner, ws: Workspace, patterns: string[]): Promise<Map<string, string>> {
  let out: string;
  try {
    out = await git(runner, ['-C', ws.dir, 'ls-remote', 'origin', ...patterns], { timeoutMs: 60_000 });
  } catch (err) {
    throw new GitfleetError('E_GIT', withoutCredentials(`cannot reach the fleet repository ${ws.remote}: ${errorMessage(err)}`), { cause: err, retryable: true });
  }
  const map = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [sha, ref] = line.split('\t');
    if (sha && ref?.startsWith('refs/heads/') && SHA.test(sha)) map.set(ref.slice('refs/heads/'.length), sha);
  }
  return map;
}

/** Deletes the remote branch, only while it still points at `expected` (a lease: a branch someone moved meanwhile stays). */
export async function deleteRemoteBranch(runner: Runner, ws: Workspace, branch: string, expected: string): Promise<void> {
  assertBranch(branch);
  if (!SHA.test(expected)) throw new GitfleetError('E_USAGE', `"${expected}" is not a full commit SHA`);
  try {
    await git(runner, ['-C', ws.dir, 'push', '-q', '--porcelain', `--force-with-lease=refs/heads/${branch}:${expected}`, 'origin', `:refs/heads/${branch}`]);
  } catch (err) {
    throw new GitfleetError('E_GIT', withoutCredentials(`cannot delete ${branch} on ${ws.remote}: ${errorMessage(err)}`), { cause: err, retryable: true });
  }
  await git(runner, ['-C', ws.dir, 'update-ref', '-d', `refs/remotes/origin/${branch}`]);
}

/** A commit on a proposal branch that gitfleet did not make. */
export interface ForeignCommit {
  sha: string;
  /** The author's or, when only the committer differs (an amend, a rebase), the committer's e-mail. */
  email: string;
}

/**
 * Commits on `head` but not on `base` whose author or committer is not `botEmail`: someone edited the proposal
 * branch (Renovate's "modified by someone else"), so gitfleet must not force-push over it.
 */
export async function foreignCommits(runner: Runner, ws: Workspace, base: string, head: string, botEmail: string): Promise<ForeignCommit[]> {
  const out = await git(runner, ['-C', ws.dir, 'log', '--no-mailmap', '--format=%H%x00%ae%x00%ce', `${base}..${head}`, '--']);
  const bot = botEmail.toLowerCase();
  const found: ForeignCommit[] = [];
  for (const line of out.split('\n').filter(Boolean)) {
    const [sha = '', author = '', committer = ''] = line.split('\0');
    if (author.toLowerCase() !== bot) found.push({ sha, email: author });
    else if (committer.toLowerCase() !== bot) found.push({ sha, email: committer });
  }
  return found;
}

/** What to tell the operator about a proposal branch someone else modified. */
export function modifiedMessage(branch: string, foreign: readonly ForeignCommit[]): string {
  const first = foreign[0];
  const who = first ? ` (commit ${first.sha.slice(0, 12)} by ${first.email || 'an unknown author'}${foreign.length > 1 ? ` and ${foreign.length - 1} more` : ''})` : '';
  return `branch ${branch} was modified by someone else${who}; gitfleet does not update it. Delete the branch to let gitfleet recreate it`;
}

/** A ref's SHA in the clone, or undefined. */
export async function localRef(runner: Runner, ws: Workspace, ref: string): Promise<string | undefined> {
  try {
    return await git(runner, ['-C', ws.dir, 'rev-parse', '-q', '--verify', `${ref}^{commit}`]);
  } catch {
    return undefined;
  }
}

/** True when `ancestor` is reachable from `descendant` (both must be known to the clone). */
export async function isAncestor(runner: Runner, ws: Workspace, ancestor: string, descendant: string): Promise<boolean> {
  // exit 1 means "no", which the checked helper would turn into an error
  const res = await runner.run(gitCommand(['-C', ws.dir, 'merge-base', '--is-ancestor', ancestor, descendant]));
  return res.exitCode === 0;
}

function authorEnv(a: CommitSpec['author']): Record<string, string> {
  const who = a ?? BOT_AUTHOR;
  return { GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email };
}

/** Existing files keep their mode (an executable stays executable). */
async function existingModes(g: (args: string[]) => Promise<string>, base: string, paths: string[]): Promise<Map<string, string>> {
  const modes = new Map<string, string>();
  if (!paths.length) return modes;
  const out = await g(['ls-tree', '-z', base, '--', ...paths]);
  for (const rec of out.split('\0')) {
    const m = /^(\d{6}) blob [0-9a-f]+\t(.+)$/.exec(rec);
    if (m) modes.set(m[2]!, m[1]!);
  }
  return modes;
}

function assertRepoPath(p: string): void {
  if (!p || p.startsWith('/') || p.startsWith('-') || p.split('/').some((s) => s === '..' || s === '' || s === '.git') || /[\0\n\t]/.test(p)) {
    throw new GitfleetError('E_USAGE', `"${p}" is not a file path inside the repository`);
  }
}
