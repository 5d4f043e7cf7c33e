/*
 * Commit statuses that show a rollout on the PR and commit pages: each agent sets `gitfleet/<host>` on the
 * revision it applied. A provider without statuses (plain git) is simply not asked.
 */
import type { ApplyResult } from '../apply/apply.js';
import { GitfleetError } from '../util/errors.js';
import type { CommitStatus, PullRequests } from './provider.js';

/** How a host's rollout of one revision stands: an apply outcome, or why it has not applied yet. */
export type RolloutState = ApplyResult['status'] | 'waiting-for-wave' | 'outside-window' | 'applying';

const STATES: Record<RolloutState, { state: CommitStatus['state']; description: string }> = {
  'applied': { state: 'success', description: 'applied and healthy' },
  'no-changes': { state: 'success', description: 'already in place and healthy' },
  'failed': { state: 'failure', description: 'apply failed' },
  'rolled-back': { state: 'failure', description: 'failed its health checks and was rolled back' },
  'rollback-failed': { state: 'failure', description: 'failed, and the rollback failed too' },
  'waiting-for-wave': { state: 'pending', description: 'waiting for earlier waves to be healthy' },
  'outside-window': { state: 'pending', description: 'waiting for a maintenance window' },
  'applying': { state: 'pending', description: 'applying' },
};

const HOST = /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/;

/** The `gitfleet/<host>` status for a rollout state; `detail` (e.g. the error) is appended to the description. */
export function rolloutStatus(host: string, state: RolloutState, opts: { detail?: string; targetUrl?: string } = {}): CommitStatus {
  if (!HOST.test(host)) throw new GitfleetError('E_USAGE', `"${host}" is not a valid host name`);
  const m = STATES[state];
  const description = opts.detail ? `${m.description}: ${opts.detail}` : m.description;
  return { context: `gitfleet/${host}`, state: m.state, description, ...(opts.targetUrl ? { targetUrl: opts.targetUrl } : {}) };
}

/** Sets `gitfleet/<host>` on `sha` from the host's rollout state (applied healthy → success, failed or rolled back → failure, waiting → pending). */
export async function reportRolloutStatus(
  provider: Pick<PullRequests, 'setCommitStatus'>, sha: string, host: string, state: RolloutState, opts: { detail?: string; targetUrl?: string } = {},
): Promise<CommitStatus> {
  const status = rolloutStatus(host, state, opts);
  await provider.setCommitStatus(sha, status);
  return status;
}
