import type { Runner } from '../util/exec.js';
import { GitfleetError } from '../util/errors.js';
import { git, gitCommand } from './git.js';

const SHA = /^[0-9a-f]{40}$/;

/** The SHA the remote's branch points at, from one `git ls-remote` (no fetch); null when the branch does not exist. */
export async function remoteHead(runner: Runner, url: string, branch: string, timeoutMs = 30_000): Promise<string | null> {
  if (!/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/.test(branch)) throw new GitfleetError('E_USAGE', `"${branch}" is not a valid branch name`);
  if (url.startsWith('-')) throw new GitfleetError('E_USAGE', `"${url}" is not a repository URL`);
  const out = await git(runner, ['ls-remote', '--', url, `refs/heads/${branch}`], { timeoutMs });
  const line = out.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
  if (!line) return null;
  const sha = line.slice(0, 40);
  if (!SHA.test(sha)) throw new GitfleetError('E_GIT', `git ls-remote gave an unexpected line: ${line}`);
  return sha;
}

/** True when `ancestor` is `descendant` or one of its ancestors in the clone `dir` (`git merge-base --is-ancestor`). */
export async function isAncestor(runner: Runner, dir: string, ancestor: string, descendant: string): Promise<boolean> {
  if (!SHA.test(ancestor) || !SHA.test(descendant)) throw new GitfleetError('E_GIT', `not commit SHAs: ${ancestor} ${descendant}`);
  // A commit the clone does not have (history rewritten and pruned) cannot be an ancestor.
  const has = await runner.run(gitCommand(['-C', dir, 'cat-file', '-e', `${ancestor}^{commit}`]));
  if (has.exitCode !== 0) return false;
  const res = await runner.run(gitCommand(['-C', dir, 'merge-base', '--is-ancestor', ancestor, descendant]));
  if (res.exitCode === 0) return true;
  if (res.exitCode === 1) return false;
  throw new GitfleetError('E_GIT', `git merge-base --is-ancestor failed (${res.exitCode}): ${res.stderr.trim()}`);
}
