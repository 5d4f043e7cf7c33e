/**
 * Where proposals become pull requests. Two providers implement it: `github` (octokit; the PR is a
 * GitHub pull request) and `git` (a pushed branch on any git server; a human merges it with any tool).
 * Either way the branch holds one commit on top of the base, and merging it is the approval.
 */

/** Why gitfleet closes one of its proposals: another one replaces it, or what it proposes is no longer needed. */
export type ClosingKind = 'superseded' | 'obsolete';

/** What to propose: the files to change on top of `base` (null deletes), as one commit on `branch`. */
export interface PullRequestSpec {
  /** The key: one open PR per branch, updated in place. `gitfleet/<group>`. */
  branch: string;
  base: string;
  title: string;
  body: string;
  labels?: string[];
  files: Record<string, string | null>;
  commitMessage: string;
  /** Ask the provider to merge once checks pass (GitHub auto-merge; git: only after validation, by policy). */
  autoMerge?: boolean;
}

/** A pull request (or, for the git provider, a proposal branch) as the provider knows it. */
export interface PullRequestRef {
  /** The PR number for GitHub; the branch name for git. */
  id: string;
  branch: string;
  title: string;
  state: 'open' | 'closed' | 'merged';
  headSha: string;
  /** Where a human finds it; never with credentials (it reaches events, status and output): see withoutCredentials. */
  url?: string;
}

/** A commit status on a revision, e.g. `gitfleet/<host>`: success, failure, pending. */
export interface CommitStatus {
  context: string;
  state: 'success' | 'failure' | 'pending' | 'error';
  description: string;
  targetUrl?: string;
}

/** The one interface both providers implement. */
export interface PullRequests {
  kind: 'github' | 'git';
  /** The open (or, when `includeClosed`, most recent) PR for a branch. */
  findPullRequest(branch: string, opts?: { includeClosed?: boolean }): Promise<PullRequestRef | undefined>;
  /**
   * Creates the PR, or updates the open one for the same branch in place (force-push, body and title refreshed).
   * An open branch holding commits gitfleet did not make is left alone: `modified` then says so and what to do.
   */
  ensurePullRequest(spec: PullRequestSpec): Promise<{ pr: PullRequestRef; created: boolean; updated: boolean; modified?: string }>;
  /**
   * Closes a proposal gitfleet no longer needs (another one supersedes it, or it is obsolete) and deletes its branch;
   * a branch someone else modified is left open (`closed: false` and why).
   */
  closePullRequest(pr: PullRequestRef, reason: string, kind?: ClosingKind): Promise<{ closed: boolean; reason?: string }>;
  addLabels(pr: PullRequestRef, labels: string[]): Promise<void>;
  setCommitStatus(sha: string, status: CommitStatus): Promise<void>;
  isMerged(pr: PullRequestRef): Promise<boolean>;
  /** Open PRs whose branch starts with `prefix` (for the open-PR limit). */
  listOpen(prefix: string): Promise<PullRequestRef[]>;
}
