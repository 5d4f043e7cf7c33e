/*
 * The `github` provider: a proposal is a GitHub pull request whose branch holds one commit on top of the base.
 * The branch is built and pushed with real git (workspace.ts) to `gitRemoteUrl`; the PR, labels, statuses and
 * auto-merge go through Octokit with the throttling and retry plugins and an injected `fetch`. GitHub Enterprise
 * is `baseUrl` (`https://ghe.example.com/api/v3`). Every message that leaves this file has the token redacted.
 *
 * A PR closed by a human stays closed: the same proposal (branch and title) is reported `closed`, not reopened.
 * A branch deleted under the bot (GitHub then closes its PR) is recreated with a new PR.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';
import type { Runner } from '../../util/exec.js';
import { GitfleetError, ProviderError, errorMessage } from '../../util/errors.js';
import { withoutCredentials } from '../../util/url-credentials.js';
import { git } from '../../source/git.js';
import type { CommitStatus, PullRequestRef, PullRequestSpec, PullRequests } from '../provider.js';
import {
  BOT_AUTHOR, assertBranch, commitToBranch, deleteRemoteBranch, foreignCommits, localRef, modifiedMessage, openWorkspace, pushBranch, type Workspace,
} from '../workspace.js';
import { isoSecond, primaryRateLimit, rateLimitWait, type RateLimitWait } from './github-rate-limit.js';

/** A personal/installation token, or a GitHub App installation. */
export type GithubAuth = { token: string } | { appId: number | string; privateKey: string; installationId: number | string };

export interface GithubProviderOptions {
  owner: string;
  repo: string;
  /** REST API root; default `https://api.github.com`. */
  baseUrl?: string;
  /** Default: `{ token: env.GITHUB_TOKEN }`. */
  auth?: GithubAuth;
  env?: NodeJS.ProcessEnv;
  /** The HTTP transport (tests inject one; default the global fetch). */
  fetch?: typeof globalThis.fetch;
  /** Where branches are pushed, e.g. `https://github.com/acme/fleet.git`; no credentials in it. */
  gitRemoteUrl: string;
  /** A local clone reused across runs. */
  workspaceDir: string;
  runner: Runner;
  log?: Logger;
  author?: { name: string; email: string };
  autoMergeMethod?: 'MERGE' | 'SQUASH' | 'REBASE';
  /**
   * Retry bounds, for REST and GraphQL alike. `maxRetries` for rate limits and 5xx (default 2); rate limits asking
   * for a longer wait than `maxWaitSeconds` (default 120) fail at once as retryable; `timeScaleMs` is one second of
   * waiting (tests shrink it); `pacing: false` drops the plugin's spacing between writes (for tests and unlimited GHES).
   */
  retry?: { maxRetries?: number; maxWaitSeconds?: number; timeScaleMs?: number; pacing?: boolean };
}

/** What ensurePullRequest did, plus the auto-merge request when one was asked for. */
export interface GithubEnsureResult {
  pr: PullRequestRef;
  created: boolean;
  updated: boolean;
  /** The open PR's branch holds commits gitfleet did not make, so it was left alone: what to do about it. */
  modified?: string;
  autoMerge?: { enabled: boolean; reason?: string };
}

interface ApiPull {
  number: number;
  node_id: string;
  title: string;
  body?: string | null;
  state: string;
  merged_at: string | null;
  html_url: string;
  head: { ref: string; sha: string; repo?: { full_name: string } | null };
  base: { ref: string };
}

const NEEDS = 'the token lacks rights: needs contents:write and pull_requests:write';

/** PullRequests, with what GitHub did about auto-merge. */
export interface GithubPullRequests extends PullRequests {
  ensurePullRequest(spec: PullRequestSpec): Promise<GithubEnsureResult>;
}

/** The GitHub provider (GitHub.com or Enterprise). */
export function githubProvider(o: GithubProviderOptions): GithubPullRequests {
  const { owner, repo } = o;
  const env = o.env ?? process.env;
  const maybeAuth = o.auth ?? (env.GITHUB_TOKEN ? { token: env.GITHUB_TOKEN } : undefined);
  if (!maybeAuth) throw new GitfleetError('E_USAGE', 'no GitHub credentials: set GITHUB_TOKEN or configure a GitHub App (appId, privateKey, installationId)');
  const auth: GithubAuth = maybeAuth;
  const secrets = new Set<string>();
  const remember = (t: string): void => { secrets.add(t); secrets.add(Buffer.from(`x-access-token:${t}`).toString('base64')); };
  if ('token' in auth) remember(auth.token);
  else secrets.add(auth.privateKey);
  const redact = (s: string): string => {
    let out = withoutCredentials(s);
    for (const x of secrets) if (x) out = out.split(x).join('[redacted]');
    return out;
  };
  const log = o.log;
  const r = { maxRetries: 2, maxWaitSeconds: 120, timeScaleMs: 1000, pacing: true, ...o.retry };
  const baseUrl = (o.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const octokit = makeClient();
  const nodeIds = new Map<number, string>();
  const gitRunner = authedRunner(o.runner, o.gitRemoteUrl, gitToken);
  const botEmail = (o.author ?? BOT_AUTHOR).email;

  function makeClient(): Octokit {
    const Client = Octokit.plugin(throttling, retry);
    const onLimit = (kind: string) => (retryAfter: number, options: { method: string; url: string }, _k: unknown, retryCount: number): boolean => {
      // GraphQL's primary limit is graphql()'s to wait out: the plugin sees it only on github.com's /graphql path.
      if (kind === 'rate limit' && /\/graphql$/.test(new URL(options.url, baseUrl).pathname)) return false;
      const again = retryCount < r.maxRetries && retryAfter <= r.maxWaitSeconds;
      log?.warn({ method: options.method, url: redact(options.url), retryAfter, retryCount, again }, `GitHub ${kind}`);
      return again;
    };
    // A group that runs jobs at once: the plugin's default spaces writes 1-3 s apart, which only rate-limited hosts need.
    const immediate = { key: () => ({ schedule: <T>(_o: unknown, fn: (...a: unknown[]) => T, ...a: unknown[]) => fn(...a) }) };
    const groups = r.pacing ? {} : { write: immediate, notifications: immediate, search: immediate };
    return new Client({
      baseUrl,
      userAgent: 'gitfleet',
      ...('token' in auth ? { auth: auth.token } : { authStrategy: createAppAuth, auth: { appId: auth.appId, privateKey: auth.privateKey, installationId: auth.installationId } }),
      request: { fetch: o.fetch ?? globalThis.fetch },
      throttle: {
        onRateLimit: onLimit('rate limit'),
        onSecondaryRateLimit: onLimit('secondary rate limit'),
        retryAfterBaseValue: r.timeScaleMs,
        fallbackSecondaryRateRetryAfter: 60,
        ...(groups as object),
      },
      // 429 and 403 belong to the throttling plugin, which honours Retry-After.
      retry: { retries: r.maxRetries, retryAfterBaseValue: r.timeScaleMs, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (m: string) => log?.warn({ detail: redact(String(m)) }, 'octokit warning'),
        error: (m: string) => log?.error({ detail: redact(String(m)) }, 'octokit error'),
      },
    });
  }

  async function gitToken(): Promise<string> {
    if ('token' in auth) return auth.token;
    const a = (await octokit.auth({ type: 'installation' })) as { token: string };
    remember(a.token);
    return a.token;
  }

  /** Runs one API call; every failure becomes a ProviderError that says what to do. */
  async function api<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toProviderError(what, err);
    }
  }

  /**
   * Runs a GraphQL call. A spent primary quota (200 + RATE_LIMITED) is waited out as the throttling plugin does for
   * REST: until the reset (or retry-after), at most `maxRetries` times, never longer than `maxWaitSeconds` a time.
   */
  async function graphql<T>(what: string, query: string, variables: Record<string, unknown>): Promise<T> {
    for (let retryCount = 0; ; retryCount++) {
      try {
        return await octokit.graphql<T>(query, variables);
      } catch (err) {
        const headers = primaryRateLimit(err);
        if (!headers) throw toProviderError(what, err);
        const wait = rateLimitWait(headers, Date.now());
        const again = retryCount < r.maxRetries && wait.seconds <= r.maxWaitSeconds;
        log?.warn({ what, retryAfter: wait.seconds, resetsAt: isoSecond(wait.at), retryCount, again }, 'GitHub GraphQL rate limit');
        if (!again) throw graphqlLimitError(what, err, wait, retryCount);
        await sleep(wait.seconds * r.timeScaleMs);
      }
    }
  }

  // Says when to try again: the reset GitHub named, or the end of its retry-after.
  function graphqlLimitError(what: string, err: unknown, wait: RateLimitWait, retries: number): ProviderError {
    const { status, requestId, said } = described(err);
    const at = isoSecond(wait.at);
    const when = wait.from === 'x-ratelimit-reset' ? `the limit resets at ${at}`
      : wait.from === 'retry-after' ? `GitHub asks to wait until ${at}` : `GitHub named no reset time (a minute is assumed, until ${at})`;
    const why = wait.seconds > r.maxWaitSeconds
      ? `${when}, in ${wait.seconds} s, longer than gitfleet waits (${r.maxWaitSeconds} s); try again then`
      : `${when}; try again in ${wait.seconds} s`;
    const tries = retries ? ` after ${retries} ${retries === 1 ? 'retry' : 'retries'}` : '';
    return new ProviderError(`GitHub's GraphQL rate limit stopped ${what}${tries}: ${why} (GitHub said: ${said})`, { status, requestId, cause: redactCause(err), retryable: true });
  }

  /** The HTTP status, request id, headers and GitHub's own words (redacted) of a failed call, REST or GraphQL. */
  function described(err: unknown) {
    const e = err as { status?: number; response?: { headers?: Record<string, string | undefined>; data?: unknown }; headers?: Record<string, string | undefined>; errors?: { message?: string; type?: string }[] };
    const status = typeof e.status === 'number' ? e.status : undefined;
    // A GraphQL answer (GraphqlResponseError) keeps its headers beside the body, and GitHub's error `type` in errors.
    const headers = e.response?.headers ?? e.headers ?? {};
    const graphqlErrors = e.errors ?? (e.response?.data as { errors?: { message?: string; type?: string }[] } | undefined)?.errors ?? [];
    const graphqlSaid = graphqlErrors.map((x) => x.message ?? '').filter(Boolean).join('; ') || undefined;
    const said = redact(githubMessage(e.response?.data) ?? graphqlSaid ?? errorMessage(err));
    return { e, status, headers, requestId: headers['x-github-request-id'], graphqlTypes: new Set(graphqlErrors.map((x) => x.type)), said };
  }

  function toProviderError(what: string, err: unknown): ProviderError {
    if (err instanceof ProviderError) return err;
    const { e, status, headers, requestId, graphqlTypes, said } = described(err);
    const opts = { status, requestId, cause: redactCause(err) };
    const where = `${owner}/${repo}`;
    if (!e.response && status === 500) return new ProviderError(`cannot reach GitHub at ${redact(baseUrl)} to ${what}: ${said}`, { ...opts, retryable: true });
    if (status === 401) return new ProviderError(`GitHub rejected the credentials (401) to ${what}: check GITHUB_TOKEN or the App's key (GitHub said: ${said})`, opts);
    // GitHub signals rate limits by status, remaining quota and, for secondary limits, only by the message (as Octokit's own plugin reads it).
    // GraphQL says the same in a 200: RATE_LIMITED (RATE_LIMIT lately) and FORBIDDEN errors.
    const graphqlLimited = graphqlTypes.has('RATE_LIMITED') || graphqlTypes.has('RATE_LIMIT');
    const limited = graphqlLimited || status === 429 || (status === 403 && (headers['x-ratelimit-remaining'] === '0' || /secondary rate limit/i.test(said)));
    if (limited) {
      const after = headers['retry-after'] ?? (headers['x-ratelimit-reset'] ? String(Math.max(0, Number(headers['x-ratelimit-reset']) - Math.floor(Date.now() / 1000))) : undefined);
      const kind = /secondary/i.test(said) ? 'secondary rate limit' : 'rate limit';
      // REST's, retried by the throttling plugin; GraphQL's primary limit comes worded by graphql() already.
      const tries = status === undefined ? '' : ` after ${r.maxRetries} retries`;
      return new ProviderError(`GitHub's ${kind} stopped ${what}${tries}; try again${after ? ` in ${after} s` : ' later'} (GitHub said: ${said})`, { ...opts, retryable: true });
    }
    if (status === 403 || graphqlTypes.has('FORBIDDEN')) return new ProviderError(`${NEEDS} on ${where} to ${what} (GitHub said: ${said})`, opts);
    if (status === 404) return new ProviderError(`repository ${where} not found at ${redact(baseUrl)}, or the token cannot see it (while trying to ${what})`, opts);
    if (status === 422) return new ProviderError(`GitHub refused to ${what} (422 validation failed): ${said}`, opts);
    if (status !== undefined && status >= 500) return new ProviderError(`GitHub failed to ${what} (${status}) after ${r.maxRetries} retries: ${said}`, { ...opts, retryable: true });
    if (Array.isArray(e.errors)) return new ProviderError(`GitHub refused to ${what}: ${redact(e.errors.map((x) => x.message ?? '').join('; '))}`, opts);
    if (err instanceof GitfleetError) return new ProviderError(`cannot ${what}: ${redact(err.message)}`, { code: err.code, retryable: err.retryable });
    return new ProviderError(`cannot ${what}: ${said}`, opts);
  }

  // Octokit already hides the Authorization header; git errors carry the command's env (our header): keep only the text.
  function redactCause(err: unknown): unknown {
    return err instanceof GitfleetError ? undefined : err;
  }

  /** Runs a git step through workspace.ts; failures become ProviderErrors with the token removed. */
  async function gitStep<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const code = err instanceof GitfleetError ? err.code : 'E_GIT';
      const msg = redact(errorMessage(err));
      // git reports the server's HTTP status only in its text.
      if (/returned error: 403\b/.test(msg)) throw new ProviderError(`${NEEDS}: cannot ${what}: ${msg}`, { code, status: 403 });
      throw new ProviderError(`cannot ${what}: ${msg}`, { code, retryable: err instanceof GitfleetError ? err.retryable : true });
    }
  }

  function toRef(p: ApiPull): PullRequestRef {
    nodeIds.set(p.number, p.node_id);
    return { id: String(p.number), branch: p.head.ref, title: p.title, state: p.merged_at ? 'merged' : p.state === 'open' ? 'open' : 'closed', headSha: p.head.sha, url: p.html_url };
  }

  /** PRs whose head is `owner:branch`, newest first. */
  async function pullsFor(branch: string, state: 'open' | 'all'): Promise<ApiPull[]> {
    assertBranch(branch);
    const res = await api(`list pull requests for ${branch}`, () =>
      octokit.rest.pulls.list({ owner, repo, head: `${owner}:${branch}`, state, sort: 'created', direction: 'desc', per_page: 20 }));
    return res.data as ApiPull[];
  }

  async function find(branch: string, opts: { includeClosed?: boolean } = {}): Promise<PullRequestRef | undefined> {
    const list = await pullsFor(branch, opts.includeClosed ? 'all' : 'open');
    const pick = list.find((p) => p.state === 'open') ?? list[0];
    return pick ? toRef(pick) : undefined;
  }

  /** Same tree on the same parent: re-pushing would change nothing but the SHA (and rerun CI). */
  async function sameChange(ws: Workspace, a: string, b: string): Promise<boolean> {
    const shape = (sha: string) => git(gitRunner, ['-C', ws.dir, 'rev-parse', `${sha}^{tree}`, `${sha}^@`]);
    return (await shape(a)) === (await shape(b));
  }

  async function create(spec: PullRequestSpec): Promise<{ pr: ApiPull; created: boolean }> {
    try {
      const res = await octokit.rest.pulls.create({ owner, repo, head: spec.branch, base: spec.base, title: spec.title, body: spec.body });
      return { pr: res.data as ApiPull, created: true };
    } catch (err) {
      // Another run opened it between our look and our create: update that one instead.
      const open = (err as { status?: number }).status === 422 ? (await pullsFor(spec.branch, 'open'))[0] : undefined;
      if (!open) throw toProviderError(`open a pull request for ${spec.branch}`, err);
      return { pr: await patch(open, spec), created: false };
    }
  }

  async function patch(p: ApiPull, spec: PullRequestSpec): Promise<ApiPull> {
    if (p.title === spec.title && (p.body ?? '') === spec.body) return p;
    const res = await api(`update pull request #${p.number}`, () =>
      octokit.rest.pulls.update({ owner, repo, pull_number: p.number, title: spec.title, body: spec.body }));
    return res.data as ApiPull;
  }

  async function enableAutoMerge(pr: PullRequestRef): Promise<{ enabled: boolean; reason?: string }> {
    const pullRequestId = nodeIds.get(Number(pr.id));
    if (!pullRequestId) return { enabled: false, reason: 'the pull request id is unknown' };
    const query = `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod, $expectedHeadOid: GitObjectID) {
  enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId, mergeMethod: $mergeMethod, expectedHeadOid: $expectedHeadOid}) {
    pullRequest { number autoMergeRequest { enabledAt mergeMethod } }
  }
}`;
    try {
      await graphql(`enable auto-merge on #${pr.id}`, query, { pullRequestId, mergeMethod: o.autoMergeMethod ?? 'SQUASH', expectedHeadOid: pr.headSha });
      return { enabled: true };
    } catch (err) {
      // The PR stands without it; a human can still merge. Report, do not fail the proposal.
      const reason = toProviderError(`enable auto-merge on #${pr.id}`, err).message;
      log?.warn({ pr: pr.id, reason }, 'auto-merge not enabled');
      return { enabled: false, reason };
    }
  }

  async function addLabels(pr: PullRequestRef, labels: string[]): Promise<void> {
    if (!labels.length) return;
    await api(`add labels to #${pr.id}`, () => octokit.rest.issues.addLabels({ owner, repo, issue_number: Number(pr.id), labels }));
  }

  return {
    kind: 'github',
    findPullRequest: find,

    async ensurePullRequest(spec) {
      assertBranch(spec.branch);
      assertBranch(spec.base);
      const ws = await gitStep(`fetch ${redact(o.gitRemoteUrl)}`, () => openWorkspace(gitRunner, o.gitRemoteUrl, o.workspaceDir, spec.base));
      const prs = await pullsFor(spec.branch, 'all');
      const open = prs.find((p) => p.state === 'open');
      const remoteSha = await localRef(gitRunner, ws, `refs/remotes/origin/${spec.branch}`);
      const last = prs[0];
      if (!open && last && last.state === 'closed' && !last.merged_at && remoteSha && last.title === spec.title) {
        log?.info({ pr: last.number, branch: spec.branch }, 'pull request was closed by a human; not reopened');
        return { pr: toRef(last), created: false, updated: false };
      }
      if (open && remoteSha) {
        // a human's commit on the bot's branch is theirs: never force-push over it
        const foreign = await gitStep(`inspect ${spec.branch}`, () => foreignCommits(gitRunner, ws, `refs/remotes/origin/${spec.base}`, remoteSha, botEmail));
        if (foreign.length) {
          const modified = modifiedMessage(spec.branch, foreign);
          log?.warn({ pr: open.number, branch: spec.branch, reason: modified }, 'pull request branch was modified by someone else; not updating it');
          return { pr: toRef(open), created: false, updated: false, modified };
        }
      }
      const sha = await gitStep(`build the commit for ${spec.branch}`, () =>
        commitToBranch(gitRunner, ws, { base: spec.base, branch: spec.branch, files: spec.files, message: spec.commitMessage, author: o.author }));
      const tree = (rev: string) => git(gitRunner, ['-C', ws.dir, 'rev-parse', `${rev}^{tree}`]);
      if (await gitStep('compare with the base', async () => (await tree(sha)) === (await tree(`refs/remotes/origin/${spec.base}`)))) {
        throw new ProviderError(`nothing to propose on ${spec.branch}: ${spec.base} already has these files`, { code: 'E_PROVIDER' });
      }
      const unchanged = remoteSha !== undefined && (await gitStep('compare with the pushed branch', () => sameChange(ws, remoteSha, sha)));
      // The lease is what we fetched: a branch someone else moved meanwhile is not overwritten.
      if (!unchanged) await gitStep(`push ${spec.branch} to ${redact(o.gitRemoteUrl)}`, () => pushBranch(gitRunner, ws, spec.branch, { force: remoteSha !== undefined }));

      let result: { pr: ApiPull; created: boolean; updated: boolean };
      if (open) {
        const patched = await patch(open, spec);
        result = { pr: patched, created: false, updated: !unchanged || patched !== open };
      } else {
        const c = await create(spec);
        result = { ...c, updated: !c.created };
      }
      const pr = toRef(result.pr);
      if (!unchanged) pr.headSha = sha;
      log?.info({ pr: pr.id, branch: spec.branch, created: result.created, updated: result.updated }, 'pull request ensured');
      if (spec.labels?.length) await addLabels(pr, spec.labels);
      const out: GithubEnsureResult = { pr, created: result.created, updated: result.updated };
      if (spec.autoMerge) out.autoMerge = await enableAutoMerge(pr);
      return out;
    },

    async closePullRequest(pr, reason, kind = 'superseded') {
      const current = (await api(`read pull request #${pr.id}`, () => octokit.rest.pulls.get({ owner, repo, pull_number: Number(pr.id) }))).data as ApiPull;
      if (current.state !== 'open') return { closed: true };
      const base = current.base.ref;
      assertBranch(pr.branch);
      assertBranch(base);
      const ws = await gitStep(`fetch ${redact(o.gitRemoteUrl)}`, () => openWorkspace(gitRunner, o.gitRemoteUrl, o.workspaceDir, base));
      const head = await localRef(gitRunner, ws, `refs/remotes/origin/${pr.branch}`);
      if (head) {
        const foreign = await gitStep(`inspect ${pr.branch}`, () => foreignCommits(gitRunner, ws, `refs/remotes/origin/${ws.base}`, head, botEmail));
        if (foreign.length) return { closed: false, reason: modifiedMessage(pr.branch, foreign) };
      }
      // The title and body say why: the pull request API has no close reason, and comments are not an endpoint gitfleet uses.
      const title = current.title.endsWith(` (${kind})`) ? current.title : `${current.title} (${kind})`;
      const body = `${current.body ?? ''}\n\n---\nClosed by gitfleet: ${reason}`;
      await api(`close pull request #${pr.id}`, () => octokit.rest.pulls.update({ owner, repo, pull_number: Number(pr.id), state: 'closed', title, body }));
      log?.info({ pr: pr.id, branch: pr.branch, reason }, `pull request closed: ${kind}`);
      if (head) await gitStep(`delete ${pr.branch}`, () => deleteRemoteBranch(gitRunner, ws, pr.branch, head));
      return { closed: true };
    },

    addLabels,

    async setCommitStatus(sha, status: CommitStatus) {
      if (!/^[0-9a-f]{40}$/.test(sha)) throw new GitfleetError('E_USAGE', `"${sha}" is not a full commit SHA`);
      // GitHub rejects descriptions over 140 characters.
      const description = status.description.length > 140 ? `${status.description.slice(0, 139)}…` : status.description;
      await api(`set status ${status.context} on ${sha.slice(0, 12)}`, () => octokit.rest.repos.createCommitStatus({
        owner, repo, sha, state: status.state, context: status.context, description, ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
      }));
    },

    async isMerged(pr) {
      try {
        await octokit.rest.pulls.checkIfMerged({ owner, repo, pull_number: Number(pr.id) });
        return true;
      } catch (err) {
        if ((err as { status?: number }).status === 404) return false;
        throw toProviderError(`check whether #${pr.id} is merged`, err);
      }
    },

    async listOpen(prefix) {
      const all = await api('list open pull requests', () => octokit.paginate(octokit.rest.pulls.list, { owner, repo, state: 'open', per_page: 100 }));
      // Only branches of this repository: a fork's branch of the same name is not ours.
      const self = `${owner}/${repo}`.toLowerCase();
      return (all as ApiPull[]).filter((p) => p.head.ref.startsWith(prefix) && p.head.repo?.full_name.toLowerCase() === self).map(toRef);
    },
  };
}

/** GitHub's own words from an error body: `message` and each `errors[].message`. */
function githubMessage(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return typeof data === 'string' && data ? data : undefined;
  const d = data as { message?: unknown; errors?: { message?: unknown; code?: unknown; field?: unknown }[] };
  const details = (d.errors ?? []).map((x) => String(x.message ?? `${String(x.field ?? '')} ${String(x.code ?? '')}`.trim())).filter(Boolean);
  return [typeof d.message === 'string' ? d.message : undefined, ...details].filter(Boolean).join(': ') || undefined;
}

/** Adds the token as an HTTP header for git talking to `remoteUrl` only: never in the URL, argv or config files. */
export function authedRunner(runner: Runner, remoteUrl: string, token: () => Promise<string>): Runner {
  if (!/^https?:\/\//.test(remoteUrl)) return runner;
  const network = new Set(['fetch', 'push', 'ls-remote', 'clone', 'pull']);
  return {
    async run(cmd) {
      // Only commands that talk to the remote get the header, so no other command (or its error) holds it.
      const sub = cmd.args.find((a, i) => !a.startsWith('-') && cmd.args[i - 1] !== '-c' && cmd.args[i - 1] !== '-C');
      if (cmd.file !== 'git' || !sub || !network.has(sub)) return runner.run(cmd);
      const env = { ...(cmd.env ?? {}) };
      const n = Number(env.GIT_CONFIG_COUNT ?? 0);
      env.GIT_CONFIG_COUNT = String(n + 1);
      env[`GIT_CONFIG_KEY_${n}`] = `http.${remoteUrl}.extraHeader`;
      env[`GIT_CONFIG_VALUE_${n}`] = `Authorization: Basic ${Buffer.from(`x-access-token:${await token()}`).toString('base64')}`;
      return runner.run({ ...cmd, env });
    },
  };
}
