/*
 * The `git` provider: a proposal is a pushed branch `gitfleet/<...>` holding one commit on top of the base;
 * a human merges it with any tool, and that merge is the approval. A plain git server has no pull-request
 * objects, so the state of a proposal is read from git itself:
 *   open    the remote branch exists and its change has not landed in the base;
 *   merged  its head (or the last SHA we pushed, when the branch is gone) has landed: merged, squashed, rebased or
 *           cherry-picked, maybe edited further since, or its pins (drift: overrides; registration: host file) are on
 *           the base (git-merged.ts, git-adopted.ts). A commit the clone lacks (a clone made again) is fetched from
 *           the remote by its id: the remote is the truth, the clone a cache (git-fetch.ts);
 *   closed  the branch was deleted and its change never landed: remembered through the last pushed SHA in
 *           `<stateDir>/proposals.json`.
 * When git cannot tell whether a change landed, the proposal is not "closed" (that would suppress its version as
 * declined): an existing branch stays open, a deleted one is as if never proposed, and the log says why.
 */
import type { Logger } from 'pino';
import type { Runner } from '../../util/exec.js';
import { GitfleetError, errorMessage } from '../../util/errors.js';
import { withoutCredentials } from '../../util/url-credentials.js';
import { git, gitCommand } from '../../source/git.js';
import { gitSource } from '../../fleet/source.js';
import { loadFleet } from '../../fleet/load.js';
import { validateFleet } from '../../fleet/validate.js';
import { formatDiagnostics } from '../../util/errors.js';
import type { CommitStatus, PullRequestRef, PullRequestSpec, PullRequests } from '../provider.js';
import type { ProposalStore } from '../state.js';
import {
  BOT_AUTHOR, assertBranch, commitToBranch, deleteRemoteBranch, fetchWorkspace, foreignCommits, isAncestor, localRef, lsRemote, modifiedMessage,
  pushBranch, remoteBranchSha, type Workspace,
} from '../workspace.js';
import { basePins, changeInBase, pinsReached, type Undecided } from './git-merged.js';
import { fetchCommit } from './git-fetch.js';
import { adoptedOnBase } from './git-adopted.js';

export interface GitProviderOptions {
  runner: Runner;
  ws: Workspace;
  store: ProposalStore;
  now?: () => Date;
  /** Checks a proposal commit before an auto-merge; default: load and validate the fleet at that SHA. */
  validate?: (sha: string) => Promise<{ ok: boolean; reason?: string }>;
  author?: { name: string; email: string };
  /** Where a proposal whose merge git cannot tell is reported. */
  log?: Logger;
}

/** What an auto-merge attempt did (git provider only). */
export interface AutoMergeOutcome {
  merged: boolean;
  /** Why not, e.g. the server refused the push to a protected base. */
  reason?: string;
  sha?: string;
}

/** The result of ensurePullRequest, plus the auto-merge outcome when one was asked for. */
export interface GitEnsureResult {
  pr: PullRequestRef;
  created: boolean;
  updated: boolean;
  /** The open branch holds commits gitfleet did not make, so it was left alone: what to do about it. */
  modified?: string;
  autoMerge?: AutoMergeOutcome;
}

/** Longest body kept in a commit message: the commit is the only place a plain git server shows it. */
const MAX_BODY_IN_COMMIT = 4000;

/** The git provider over a workspace clone of the fleet repository. */
export function gitProvider(o: GitProviderOptions): PullRequests & { ensurePullRequest(spec: PullRequestSpec): Promise<GitEnsureResult> } {
  const { runner, ws, store } = o;
  const now = o.now ?? (() => new Date());
  const baseRef = () => `refs/remotes/origin/${ws.base}`;
  const botEmail = (o.author ?? BOT_AUTHOR).email;

  async function known(sha: string): Promise<boolean> {
    return (await localRef(runner, ws, sha)) !== undefined;
  }

  const pinsAt = basePins(runner, ws);

  /**
   * The change of `sha` (the head of `branch`) has landed in the base, by content; or, for an update proposal
   * that is exactly what gitfleet pushed, its pins are reached on the base (taken, or moved beyond by hand).
   */
  async function mergedIntoBase(sha: string, branch: string): Promise<boolean | Undecided> {
    const base = await localRef(runner, ws, baseRef());
    if (!base) return false;
    // a commit the clone no longer has (a workspace made afresh, the branch deleted since) is asked of the remote
    const have = (await known(sha)) || (await fetchCommit(runner, ws, sha));
    const content = have === true ? await changeInBase(runner, ws, sha, base) : have;
    if (content === true) return true;
    const rec = store.state.proposals[branch];
    // the record's versions describe only the commit gitfleet pushed: a branch someone modified is judged by content
    if (rec && !rec.modified && rec.sha === sha) {
      const fleet = await pinsAt(base);
      if (rec.kind === 'updates' ? pinsReached(fleet.pins, rec.versions) : adoptedOnBase(fleet.model, rec)) return true;
    }
    if (content !== false) o.log?.warn({ branch, sha, reason: content.undecided }, 'cannot tell whether the proposal was merged; it is not taken as declined');
    return content;
  }

  function ref(branch: string, state: PullRequestRef['state'], headSha: string): PullRequestRef {
    // The URL is the remote's, token and all; it reaches events, status, logs and output: never with credentials.
    return { id: branch, branch, title: store.state.proposals[branch]?.title ?? branch, state, headSha, url: `${withoutCredentials(ws.remote)}#${branch}` };
  }

  async function find(branch: string, opts: { includeClosed?: boolean } = {}): Promise<PullRequestRef | undefined> {
    assertBranch(branch);
    const head = await remoteBranchSha(runner, ws, branch);
    if (head) {
      if (!(await known(head))) await fetchWorkspace(runner, ws);
      // undecided: the branch is there, so it is open until git can tell
      if ((await mergedIntoBase(head, branch)) === true) return opts.includeClosed ? ref(branch, 'merged', head) : undefined;
      return ref(branch, 'open', head);
    }
    const last = store.state.proposals[branch]?.sha;
    if (!last || !opts.includeClosed) return undefined;
    const merged = await mergedIntoBase(last, branch);
    // undecided: no decision is known, so nothing is suppressed as declined
    if (merged !== true && merged !== false) return undefined;
    return ref(branch, merged ? 'merged' : 'closed', last);
  }

  async function sameProposal(existing: string, sha: string): Promise<boolean> {
    const [a, b, parent, base] = await Promise.all([
      git(runner, ['-C', ws.dir, 'rev-parse', `${existing}^{tree}`]),
      git(runner, ['-C', ws.dir, 'rev-parse', `${sha}^{tree}`]),
      git(runner, ['-C', ws.dir, 'rev-parse', `${existing}^`]).catch(() => ''),
      git(runner, ['-C', ws.dir, 'rev-parse', baseRef()]),
    ]);
    return a === b && parent === base;
  }

  async function validateAt(sha: string): Promise<{ ok: boolean; reason?: string }> {
    if (o.validate) return o.validate(sha);
    const res = await validateFleet(await loadFleet(await gitSource(runner, ws.dir, sha)));
    return res.ok ? { ok: true } : { ok: false, reason: `the proposal does not validate:\n${formatDiagnostics(res.diagnostics)}` };
  }

  /** Merges `sha` into the base for real (fast-forward, else a merge commit made with merge-tree) and pushes the base. */
  async function mergeIntoBase(branch: string, sha: string): Promise<AutoMergeOutcome> {
    const check = await validateAt(sha);
    if (!check.ok) return { merged: false, reason: check.reason ?? 'the proposal does not validate' };
    const base = await git(runner, ['-C', ws.dir, 'rev-parse', baseRef()]);
    let target = sha;
    if (!(await isAncestor(runner, ws, base, sha))) {
      // exit 1 is a conflict, which the checked helper would turn into an error
      const tree = await runner.run(gitCommand(['-C', ws.dir, 'merge-tree', '--write-tree', base, sha]));
      if (tree.exitCode === 1) return { merged: false, reason: `merging ${branch} into ${ws.base} conflicts; the next run regenerates it from the base` };
      // 129: git < 2.38 has no merge-tree --write-tree; not a conflict, and nothing to regenerate
      if (tree.exitCode !== 0) {
        const why = tree.stderr.trim().split('\n').pop() ?? '';
        return { merged: false, reason: `git merge-tree --write-tree exited with ${tree.exitCode} (it needs git >= 2.38): ${why}; the proposal branch stays for a human to merge` };
      }
      const who = o.author ?? { name: 'gitfleet', email: 'gitfleet@localhost' };
      target = await git(runner, ['-C', ws.dir, 'commit-tree', tree.stdout.split('\n')[0]!.trim(), '-p', base, '-p', sha, '-m', `Merge ${branch} (gitfleet auto-merge)`], {
        env: { GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email },
      });
    }
    try {
      // not forced: the server refuses it if the base moved meanwhile, and a protected base refuses it outright
      await pushBranch(runner, ws, ws.base, { force: false, source: target });
    } catch (err) {
      return { merged: false, reason: `the server refused the push to ${ws.base}: ${errorMessage(err)}; the proposal branch stays for a human to merge` };
    }
    return { merged: true, sha: target };
  }

  return {
    kind: 'git',
    findPullRequest: find,

    async ensurePullRequest(spec) {
      assertBranch(spec.branch);
      const existing = await localRef(runner, ws, `refs/remotes/origin/${spec.branch}`);
      const wasMerged = existing !== undefined && (await mergedIntoBase(existing, spec.branch)) === true;
      if (existing && !wasMerged) {
        // a human's commit on the bot's branch is theirs: never force-push over it
        const foreign = await foreignCommits(runner, ws, baseRef(), existing, botEmail);
        if (foreign.length) return { pr: ref(spec.branch, 'open', existing), created: false, updated: false, modified: modifiedMessage(spec.branch, foreign) };
      }
      const sha = await commitToBranch(runner, ws, {
        base: spec.base, branch: spec.branch, files: spec.files, message: commitMessage(spec), ...(o.author ? { author: o.author } : {}),
      });
      let head = sha;
      const created = existing === undefined || wasMerged;
      let updated = false;
      if (existing && !wasMerged && (await sameProposal(existing, sha))) {
        head = existing;
      } else {
        await pushBranch(runner, ws, spec.branch, { force: true });
        updated = !created;
      }
      const prev = store.state.proposals[spec.branch];
      store.record({ branch: spec.branch, title: spec.title, kind: kindOf(spec.branch), sha: head, id: spec.branch, versions: prev?.versions ?? {} }, now());
      await store.save();
      const pr = ref(spec.branch, 'open', head);
      if (!spec.autoMerge) return { pr, created, updated };
      const autoMerge = await mergeIntoBase(spec.branch, head);
      if (autoMerge.merged) pr.state = 'merged';
      return { pr, created, updated, autoMerge };
    },

    // A plain git server has nowhere to write the reason; the caller reports it.
    async closePullRequest(pr, _reason) {
      assertBranch(pr.branch);
      const head = await remoteBranchSha(runner, ws, pr.branch);
      if (!head) return { closed: true };
      if (!(await known(head))) await fetchWorkspace(runner, ws);
      const foreign = await foreignCommits(runner, ws, baseRef(), head, botEmail);
      if (foreign.length) return { closed: false, reason: modifiedMessage(pr.branch, foreign) };
      await deleteRemoteBranch(runner, ws, pr.branch, head);
      return { closed: true };
    },

    // A plain git server has no labels: the update type is in the branch name and the commit message.
    async addLabels(_pr: PullRequestRef, _labels: string[]) {
      return;
    },

    // Nor commit statuses: hosts publish their rollout on their own status refs (DESIGN.md §6) instead.
    async setCommitStatus(_sha: string, _status: CommitStatus) {
      return;
    },

    async isMerged(pr) {
      const head = await remoteBranchSha(runner, ws, pr.branch);
      if (head && !(await known(head))) await fetchWorkspace(runner, ws);
      return (await mergedIntoBase(head ?? pr.headSha, pr.branch)) === true;
    },

    async listOpen(prefix) {
      if (!/^[A-Za-z0-9._/-]*$/.test(prefix)) throw new GitfleetError('E_USAGE', `"${prefix}" is not a branch prefix`);
      const heads = await lsRemote(runner, ws, [`refs/heads/${prefix}*`]);
      const out: PullRequestRef[] = [];
      for (const [branch, sha] of [...heads].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (branch.startsWith(prefix) && (await mergedIntoBase(sha, branch)) !== true) out.push(ref(branch, 'open', sha));
      }
      return out;
    },
  };
}

/** The title, then the body (shortened: the commit message is where a plain git server shows it). */
export function commitMessage(spec: Pick<PullRequestSpec, 'commitMessage' | 'body'>): string {
  const body = spec.body.length > MAX_BODY_IN_COMMIT ? `${spec.body.slice(0, MAX_BODY_IN_COMMIT)}\n\n[… shortened]` : spec.body;
  return `${spec.commitMessage.trim()}\n\n${body.trim()}\n`;
}

function kindOf(branch: string): 'updates' | 'drift' | 'register' {
  if (branch.startsWith('gitfleet/drift-')) return 'drift';
  if (branch.startsWith('gitfleet/register-')) return 'register';
  return 'updates';
}
