import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Runner } from '../util/exec.js';
import { GitfleetError } from '../util/errors.js';
import { git } from './git.js';

/** A local clone of the fleet repository inside the state directory. */
export interface Checkout {
  dir: string;
  url: string;
}

/** Makes sure `dir` is a clone of `url` (cloning on first use) and fetches the branch; returns the remote head's SHA. */
export async function fetchBranch(runner: Runner, url: string, dir: string, branch: string): Promise<string> {
  validateRef(branch);
  if (!(await exists(join(dir, '.git')))) {
    await git(runner, ['init', '-q', '-b', branch, dir]);
    await git(runner, ['-C', dir, 'remote', 'add', 'origin', url]);
  } else if ((await originUrl(dir)) !== url) {
    await git(runner, ['-C', dir, 'remote', 'set-url', 'origin', url]);
  }
  const tracking = `refs/remotes/origin/${branch}`;
  // A remote on this machine whose branch still points where we last fetched: nothing to fetch.
  const remoteHead = await localRemoteHead(url, branch);
  if (remoteHead !== undefined && remoteHead === (await looseRef(dir, tracking))) return remoteHead;
  await git(runner, ['-C', dir, 'fetch', '-q', '--no-tags', '--prune', 'origin', `+refs/heads/${branch}:${tracking}`]);
  return (await looseRef(dir, tracking)) ?? git(runner, ['-C', dir, 'rev-parse', '--verify', `${tracking}^{commit}`]);
}

/** The branch's SHA in a repository on this machine (a path or file:// URL) when it is a plain loose ref; else undefined. */
export async function localRemoteHead(url: string, branch: string): Promise<string | undefined> {
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  if (!path.startsWith('/')) return undefined;
  for (const gitDir of [path, join(path, '.git')]) {
    const text = await readFile(join(gitDir, 'refs/heads', branch), 'utf8').catch(() => '');
    const sha = text.trim();
    if (/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) return sha;
  }
  return undefined;
}

/** The SHA a revision name stands for in the clone. */
export async function revParse(runner: Runner, dir: string, rev: string): Promise<string> {
  validateRef(rev);
  return git(runner, ['-C', dir, 'rev-parse', '--verify', `${rev}^{commit}`]);
}

/** Puts the work tree at exactly `sha` (detached), removing files that revision does not have. */
export async function checkoutRevision(runner: Runner, dir: string, sha: string): Promise<void> {
  if (!/^[0-9a-f]{40}$/.test(sha)) throw new GitfleetError('E_GIT', `not a commit SHA: ${sha}`);
  await git(runner, ['-C', dir, 'checkout', '-q', '-f', '--detach', sha]);
  await git(runner, ['-C', dir, 'clean', '-q', '-ffdx']);
}

/** The SHA the work tree is at, or undefined for a fresh clone. */
export async function headOf(runner: Runner, dir: string): Promise<string | undefined> {
  const detached = await looseRef(dir, 'HEAD');
  if (detached) return detached;
  try {
    return await git(runner, ['-C', dir, 'rev-parse', '--verify', 'HEAD^{commit}']);
  } catch {
    return undefined;
  }
}

function validateRef(ref: string): void {
  if (!/^(?!-)(?!.*\.\.)[A-Za-z0-9._/^~@{}-]{1,200}$/.test(ref)) throw new GitfleetError('E_USAGE', `"${ref}" is not a valid branch or revision name`);
}

// Each git process costs a few ms and a no-op apply runs several: answers that sit plainly in a file are read
// directly, and anything unusual (packed refs, symbolic refs, escaped config values) falls back to git.

/** The SHA in `.git/<ref>` when it is a loose ref holding a full SHA (a detached HEAD, a fetched branch). */
async function looseRef(dir: string, ref: string): Promise<string | undefined> {
  const text = await readFile(join(dir, '.git', ref), 'utf8').catch(() => '');
  const sha = text.trim();
  return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha) ? sha : undefined;
}

/** `remote.origin.url` when `.git/config` states it plainly (no quoting or escapes); otherwise undefined. */
async function originUrl(dir: string): Promise<string | undefined> {
  const text = await readFile(join(dir, '.git', 'config'), 'utf8').catch(() => '');
  const section = /^\[remote "origin"\][ \t]*\n((?:(?!\[).*\n?)*)/m.exec(text)?.[1] ?? '';
  const urls = [...section.matchAll(/^[ \t]*url[ \t]*=[ \t]*(.*?)[ \t]*$/gm)].map((m) => m[1] ?? '');
  return urls.length === 1 && !/["\\;#]/.test(urls[0]!) ? urls[0] : undefined;
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}
