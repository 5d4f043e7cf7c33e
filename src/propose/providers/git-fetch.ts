/*
 * The workspace clone is a cache of the remote: made again (a state directory restored without it, a clone that was
 * broken), it lacks the commits of proposal branches deleted since. The remote usually still has them (until its gc),
 * and a protocol v2 server (git >= 2.18; git daemon, http-backend, the forges) serves a commit asked for by its id.
 */
import type { Runner } from '../../util/exec.js';
import { withoutCredentials } from '../../util/url-credentials.js';
import { gitCommand } from '../../source/git.js';
import type { Workspace } from '../workspace.js';
import type { Undecided } from './git-merged.js';

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Fetches the commit `sha` from the remote into the clone; undecided (and why) when the remote does not serve it. */
export async function fetchCommit(runner: Runner, ws: Workspace, sha: string): Promise<true | Undecided> {
  if (!OBJECT_ID.test(sha)) return { undecided: `"${sha}" is not a commit id` };
  // no ref is written: the commit only has to be in the object store while it is compared
  const res = await runner.run(gitCommand(['-C', ws.dir, 'fetch', '-q', '--no-tags', 'origin', sha], { timeoutMs: 120_000 }));
  if (res.exitCode === 0) return true;
  const why = res.stderr.trim().split('\n').pop()?.trim() || `exit ${res.exitCode}`;
  // a server that serves only what its refs reach (protocol v0), a commit it pruned, or no network: none proves a "no"
  return { undecided: withoutCredentials(`the workspace clone does not have ${sha} and the remote did not serve it (${why})`) };
}
