import type { Logger } from 'pino';
import { errorMessage } from '../util/errors.js';
import type { ClosingKind, PullRequestRef, PullRequests } from './provider.js';
import type { ProposalStore } from './state.js';

export type { ClosingKind } from './provider.js';

/** What closing one proposal did: `modified` when its branch holds someone else's commits (left open). */
export interface ClosingResult<K extends ClosingKind = ClosingKind> {
  action: K | 'modified' | 'failed';
  reason: string;
}

/**
 * Closes a proposal gitfleet no longer needs (the provider deletes its branch) and records the closing as gitfleet's
 * own, so that it is not a human's "no"; a branch someone else committed to is left open. A failure is data.
 */
export async function closeProposal<K extends ClosingKind>(
  provider: PullRequests, store: ProposalStore, pr: PullRequestRef, kind: K, reason: string, log: Logger | undefined, now: Date,
): Promise<ClosingResult<K>> {
  try {
    const res = await provider.closePullRequest(pr, reason, kind);
    if (!res.closed) {
      log?.warn({ branch: pr.branch, reason: res.reason }, `${kind} proposal not closed`);
      return { action: 'modified', reason: res.reason ?? 'not closed' };
    }
    store.closedByGitfleet(pr, reason, now);
    await store.save();
    log?.info({ branch: pr.branch, reason }, `${kind} proposal closed`);
    return { action: kind, reason };
  } catch (err) {
    log?.error({ err, branch: pr.branch }, `closing a ${kind} proposal failed`);
    return { action: 'failed', reason: `cannot close the ${kind} proposal: ${errorMessage(err)}` };
  }
}
