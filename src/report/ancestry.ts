import type { Runner } from '../util/exec.js';
import { GitfleetError } from '../util/errors.js';
import { gitCommand } from '../source/git.js';

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** Whether commit `a` is an ancestor of (or equal to) commit `b` in the repository at `repoDir` (`git merge-base --is-ancestor`). */
export async function isAncestor(runner: Runner, repoDir: string, a: string, b: string): Promise<boolean> {
  for (const sha of [a, b]) if (!SHA.test(sha)) throw new GitfleetError('E_USAGE', `not a commit SHA: "${sha}"`);
  const res = await runner.run(gitCommand(['-C', repoDir, 'merge-base', '--is-ancestor', a, b]));
  if (res.exitCode === 0) return true;
  if (res.exitCode === 1) return false;
  throw new GitfleetError('E_GIT', `git merge-base --is-ancestor ${a.slice(0, 12)} ${b.slice(0, 12)} failed: ${res.stderr.trim().split('\n').pop() ?? ''}`, { retryable: false });
}

/**
 * Precomputes `isAtLeast(applied, target)` for the pure rollout gate: for each candidate applied SHA, whether it
 * is `target` or a descendant of it. A commit the repository does not have (a rewritten history) counts as not at least.
 */
export async function ancestryOracle(runner: Runner, repoDir: string, target: string, applied: readonly (string | null)[]): Promise<(applied: string, revision: string) => boolean> {
  const atLeast = new Set<string>([target]);
  for (const sha of new Set(applied)) {
    if (!sha || sha === target || !SHA.test(sha)) continue;
    try {
      if (await isAncestor(runner, repoDir, target, sha)) atLeast.add(sha);
    } catch {
      // unknown commit: not known to contain the target
    }
  }
  return (a, r) => a === r || (r === target && atLeast.has(a));
}
