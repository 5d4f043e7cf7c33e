// A stateful fake of only the GitHub endpoints gitfleet calls, on 127.0.0.1, beside a real git smart-HTTP
// backend (`git http-backend`) serving a bare repository, so pushes are real and pull requests reflect real refs.
// Every REST request and response is checked against GitHub's own OpenAPI description (the extracted subset in
// test/fixtures/github/openapi-subset.json); GraphQL is checked against, and answered by executing over, GitHub's
// published GraphQL schema (@octokit/graphql-schema, see fake-github-graphql.ts). An unknown request or a contract
// violation is recorded in `failures` (tests assert it stays empty) and answered FAKE_FAILURE_STATUS so the client
// fails too. Faults (`fail`) apply to REST and GraphQL alike, each answered the way GitHub answers on that endpoint.
import { spawn } from 'node:child_process';
import { createVerify, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ajv as AjvT, ValidateFunction } from 'ajv';
import { execRunner } from '../../src/util/exec.js';
import { checkGraphqlRequest, executeGraphql, GithubGraphqlError, type RootResolver } from './fake-github-graphql.js';

const require = createRequire(import.meta.url);
const SUBSET_PATH = new URL('../fixtures/github/openapi-subset.json', import.meta.url);
// 400 is a status @octokit/plugin-retry never retries (nor the throttling plugin, without a rate-limit sign), so one
// bad request is one recorded failure and one answer; 5xx would be retried and recorded once per try. The header
// tells a reader of the answer that it is the fake's own refusal, not a GitHub behaviour under test.
const FAKE_FAILURE_STATUS = 400;
const FAKE_FAILURE_HEADERS = { 'x-fake-github-failure': 'contract' };
const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: '/nonexistent',
  GIT_AUTHOR_NAME: 'Human', GIT_AUTHOR_EMAIL: 'human@example.invalid', GIT_COMMITTER_NAME: 'Human', GIT_COMMITTER_EMAIL: 'human@example.invalid',
};

interface Param { name: string; in: string; required: boolean; schema: Record<string, unknown> }
interface Operation {
  operationId: string;
  parameters: Param[];
  requestBody: { required: boolean; schema: Record<string, unknown> } | null;
  responses: Record<string, { schema: Record<string, unknown> | null }>;
}
interface Subset { source: { version: string }; operations: Record<string, Operation>; components: { schemas: Record<string, unknown> } }

/** A pull request as the fake keeps it. */
export interface FakePull {
  number: number;
  nodeId: string;
  title: string;
  body: string;
  head: string;
  base: string;
  state: 'open' | 'closed';
  merged: boolean;
  headSha: string;
  mergeCommitSha: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  labels: string[];
  autoMerge: { method: 'merge' | 'squash' | 'rebase' } | null;
}

/**
 * A canned failure answered instead of the real handler. On GraphQL, as GitHub does: `forbidden` and `not-found` are
 * typed errors beside `data` in a 200, `rate-limit` is a 200 with a RATE_LIMITED error and a spent quota, the others
 * are HTTP statuses (5xx with GraphQL's "Something went wrong" body).
 */
export type Fault = 'forbidden' | 'rate-limit' | 'secondary-limit' | 'server-error' | 'bad-gateway' | 'not-found';

/** One request as the fake saw it. */
export interface SeenRequest { method: string; path: string; query: string; body: unknown; status: number; operation: string }

/** The running fake and its knobs. */
export interface FakeGitHub {
  /** REST base URL, GitHub Enterprise style (`…/api/v3`); GraphQL is at `…/api/graphql`. */
  apiUrl: string;
  /** The git smart-HTTP URL of the repository. */
  gitUrl: string;
  /** The bare repository on disk. */
  bare: string;
  owner: string;
  repo: string;
  /** Contract violations and unknown requests; a test asserts this is empty. */
  failures: string[];
  requests: SeenRequest[];
  pulls: FakePull[];
  statuses: { sha: string; state: string; context: string; description: string | null; targetUrl: string | null }[];
  /** The repository setting "Allow auto-merge". */
  allowAutoMerge: boolean;
  /** Tokens the fake accepts: `write` may change things; `read` gets 403 on every REST write and, as on GitHub, a 200 with a FORBIDDEN error for a GraphQL mutation. */
  tokens: Map<string, 'write' | 'read'>;
  /**
   * Answer the next `times` requests matching `method path-regex` (GraphQL is `POST /api/graphql`) with a fault.
   * `strict`: a matching request that comes before the wait a rate-limit fault announced (its retry-after or
   * x-ratelimit-reset) is a failure, as GitHub asks clients not to retry earlier.
   */
  fail(match: { method?: string; path?: RegExp }, fault: Fault, opts?: { times?: number; retryAfter?: number; strict?: boolean }): void;
  /** Deletes a branch, closing its open PRs as GitHub does. */
  deleteBranch(branch: string): Promise<void>;
  /** A human closes the PR without merging. */
  closeAsHuman(number: number): void;
  /** A pre-receive hook refusing pushes to refs matching this pattern (a protected branch); `null` removes it. */
  protect(refPattern: RegExp | null): Promise<void>;
  /** Commits files to `main` of the bare repository (as someone with direct access would); returns the SHA. */
  seed(files: Record<string, string>, message?: string): Promise<string>;
  /** A human merges `branch` into `main` with real git (a merge commit), outside the API; returns the merge SHA. */
  humanMerge(branch: string): Promise<string>;
  /** The SHA of a branch in the bare repository, or undefined. */
  branchSha(branch: string): Promise<string | undefined>;
  /** Stop listening (the server is down) and start again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** GitHub App settings the fake accepts for installation tokens. */
export interface FakeApp { appId: number; publicKeyPem: string; installationId: number }

/** Starts the fake on 127.0.0.1 with an empty bare repository `owner/repo` (branch `main`). */
export async function startFakeGitHub(opts: { owner?: string; repo?: string; token?: string; app?: FakeApp } = {}): Promise<FakeGitHub> {
  const owner = opts.owner ?? 'acme';
  const repo = opts.repo ?? 'fleet';
  const root = await mkdtemp(join(tmpdir(), 'fake-github-'));
  const gitRoot = join(root, 'git');
  const bare = join(gitRoot, owner, `${repo}.git`);
  await mkdir(join(gitRoot, owner), { recursive: true });
  await git(gitRoot, ['init', '-q', '--bare', '-b', 'main', bare]);

  const contract = loadContract();
  const faults: { method?: string; path?: RegExp; fault: Fault; times: number; retryAfter: number; strict: boolean; notBefore: number }[] = [];
  const sockets = new Set<Socket>();
  let port = 0;
  let server: Server | undefined;
  let ids = 1000;
  const autoMergeEnabledAt = new Map<number, string>();

  const fake: FakeGitHub = {
    apiUrl: '', gitUrl: '', bare, owner, repo,
    failures: [], requests: [], pulls: [], statuses: [], allowAutoMerge: true,
    tokens: new Map(opts.token ? [[opts.token, 'write' as const]] : []),
    fail(match, fault, o = {}) {
      faults.push({ ...match, fault, times: o.times ?? 1, retryAfter: o.retryAfter ?? 1, strict: o.strict ?? false, notBefore: 0 });
    },
    async deleteBranch(branch) {
      await git(bare, ['update-ref', '-d', `refs/heads/${branch}`]);
      for (const p of fake.pulls) if (p.head === branch && p.state === 'open') close(p);
    },
    closeAsHuman(number) {
      const p = fake.pulls.find((x) => x.number === number);
      if (!p) throw new Error(`no PR #${number}`);
      close(p);
    },
    async protect(pattern) {
      const hook = join(bare, 'hooks', 'pre-receive');
      if (!pattern) return rm(hook, { force: true });
      // A pre-receive hook is how a git server refuses a push; the message mirrors GitHub's GH006.
      const script = `#!/usr/bin/env node
const lines = require('fs').readFileSync(0, 'utf8').split('\\n').filter(Boolean);
for (const l of lines) { const ref = l.split(' ')[2];
  if (${pattern.toString()}.test(ref)) { console.error('error: GH006: Protected branch update failed for ' + ref + '.'); process.exit(1); } }
`;
      await writeFile(hook, script);
      await chmod(hook, 0o755);
    },
    async seed(files, message = 'seed') {
      const work = await freshClone();
      for (const [p, text] of Object.entries(files)) {
        await mkdir(join(work, p, '..'), { recursive: true });
        await writeFile(join(work, p), text);
      }
      await git(work, ['add', '-A']);
      await git(work, ['commit', '-q', '-m', message]);
      await git(work, ['push', '-q', bare, 'HEAD:refs/heads/main']);
      return (await revParse('refs/heads/main')) ?? '';
    },
    async humanMerge(branch) {
      const work = await freshClone();
      await git(work, ['fetch', '-q', bare, `refs/heads/${branch}:refs/remotes/x/${branch}`]);
      await git(work, ['merge', '-q', '--no-ff', '-m', `Merge ${branch}`, `refs/remotes/x/${branch}`]);
      await git(work, ['push', '-q', bare, 'HEAD:refs/heads/main']);
      return (await revParse('refs/heads/main')) ?? '';
    },
    branchSha: (branch) => revParse(`refs/heads/${branch}`),
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((res) => s.close(() => res()));
    },
    async start() {
      if (server) return;
      const s = createServer((req, res) => {
        handle(req, res).catch((err: unknown) => {
          fake.failures.push(`fake-github crashed on ${req.method} ${req.url}: ${String((err as Error)?.stack ?? err)}`);
          if (!res.headersSent) res.writeHead(FAKE_FAILURE_STATUS, FAKE_FAILURE_HEADERS);
          res.end();
        });
      });
      s.on('connection', (sock) => { sockets.add(sock); sock.on('close', () => sockets.delete(sock)); });
      await new Promise<void>((res, rej) => { s.once('error', rej); s.listen(port, '127.0.0.1', () => res()); });
      server = s;
      port = (s.address() as AddressInfo).port;
      fake.apiUrl = `http://127.0.0.1:${port}/api/v3`;
      fake.gitUrl = `http://127.0.0.1:${port}/git/${owner}/${repo}.git`;
    },
    async close() {
      await fake.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
  await fake.start();
  return fake;

  async function freshClone(): Promise<string> {
    const work = join(root, `work-${++ids}`);
    await git(root, ['init', '-q', '-b', 'main', work]);
    if (await revParse('refs/heads/main')) {
      await git(work, ['fetch', '-q', bare, 'refs/heads/main:refs/remotes/x/main']);
      await git(work, ['reset', '-q', '--hard', 'refs/remotes/x/main']);
    }
    return work;
  }

  function close(p: FakePull): void {
    p.state = 'closed';
    p.closedAt = now();
    p.updatedAt = p.closedAt;
  }

  async function revParse(ref: string): Promise<string | undefined> {
    const r = await execRunner.run({ file: 'git', args: ['rev-parse', '--verify', '-q', `${ref}^{commit}`], cwd: bare, env: GIT_ENV });
    return r.exitCode === 0 ? r.stdout.trim() : undefined;
  }

  async function isAncestor(a: string, b: string): Promise<boolean> {
    const r = await execRunner.run({ file: 'git', args: ['merge-base', '--is-ancestor', a, b], cwd: bare, env: GIT_ENV });
    return r.exitCode === 0;
  }

  // GitHub marks a PR merged when its head commits reach the base branch, by whatever tool.
  async function refresh(p: FakePull): Promise<void> {
    if (p.state !== 'open') return;
    const head = await revParse(`refs/heads/${p.head}`);
    if (head) p.headSha = head;
    const base = await revParse(`refs/heads/${p.base}`);
    if (base && (await isAncestor(p.headSha, base))) {
      p.state = 'closed';
      p.merged = true;
      p.mergedAt = now();
      p.closedAt = p.mergedAt;
      p.mergeCommitSha = base;
    }
  }

  async function mergeable(p: FakePull): Promise<boolean | null> {
    if (p.state !== 'open') return null;
    const r = await execRunner.run({ file: 'git', args: ['merge-tree', '--write-tree', p.base, p.headSha], cwd: bare, env: GIT_ENV });
    return r.exitCode === 0;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/git/')) return gitBackend(req, res, url);
    const raw = await readBody(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const seen: SeenRequest = { method, path: url.pathname, query: url.search, body: undefined, status: 0, operation: '' };
    fake.requests.push(seen);
    const reply = (status: number, body?: unknown, headers: Record<string, string> = {}): void => {
      seen.status = status;
      const problems = seen.operation === 'graphql' ? contract.checkGraphqlResponse(status, body) : contract.checkResponse(seen.operation, status, body);
      if (problems.length > 0) {
        fake.failures.push(`response ${status} to ${method} ${url.pathname} breaks the contract: ${problems.join('; ')}`);
        return send(res, FAKE_FAILURE_STATUS, { message: 'fake-github: response contract violation' }, FAKE_FAILURE_HEADERS);
      }
      send(res, status, body, { 'x-github-request-id': `FAKE:${++ids}`, ...headers });
    };
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      fake.failures.push(`${method} ${url.pathname}: body is not JSON`);
      seen.status = FAKE_FAILURE_STATUS;
      return send(res, FAKE_FAILURE_STATUS, { message: 'fake-github: body is not JSON' }, FAKE_FAILURE_HEADERS);
    }
    seen.body = body;

    if (method === 'POST' && url.pathname === '/api/graphql') {
      seen.operation = 'graphql';
      const request = checkGraphqlRequest(body);
      if (!request.ok) return unknown(`graphql request breaks GitHub's GraphQL schema: ${request.problems.join('; ')}`);
      const early = tooEarly(method, url.pathname);
      if (early) return unknown(early);
      const fault = takeFault(method, url.pathname);
      const refusal = fault && fieldRefusal(fault.fault);
      if (fault && !refusal) return answerGraphqlFault(fault, reply);
      // Any valid token may post; what it may not do is refused per field, in a 200, as GitHub does.
      const right = authorized(req, 'read', reply);
      if (!right) return;
      const root: Record<string, RootResolver> = refusal
        ? { enablePullRequestAutoMerge: (a) => { throw refusal(a); } }
        : { enablePullRequestAutoMerge: (a) => enablePullRequestAutoMerge(a, right) };
      const result = await executeGraphql(request.value, root);
      if (!result.ok) return unknown(`graphql response breaks GitHub's GraphQL schema: ${result.problems.join('; ')}`);
      return reply(200, result.value);
    }
    if (!url.pathname.startsWith('/api/v3/')) return unknown(`unknown request ${method} ${url.pathname}`);
    const match = contract.match(method, url.pathname.slice('/api/v3'.length));
    if (!match) return unknown(`unknown request ${method} ${url.pathname}${url.search}`);
    seen.operation = match.key;
    const problems = contract.checkRequest(match.key, match.params, url.searchParams, body);
    if (problems.length > 0) return unknown(`request ${method} ${url.pathname}${url.search} breaks the contract: ${problems.join('; ')}`);

    const early = tooEarly(method, url.pathname);
    if (early) return unknown(early);
    const fault = takeFault(method, url.pathname);
    if (fault) return answerFault(fault, reply);
    if (match.key === 'POST /app/installations/{installation_id}/access_tokens') return installationToken(req, match.params, reply);
    if (!authorized(req, method === 'GET' ? 'read' : 'write', reply)) return;
    if (match.params.owner !== owner || match.params.repo !== repo) return reply(404, notFound());
    return route(match.key, match.params, url.searchParams, body, reply);

    function unknown(msg: string): void {
      fake.failures.push(msg);
      seen.status = FAKE_FAILURE_STATUS;
      send(res, FAKE_FAILURE_STATUS, { message: `fake-github: ${msg}` }, FAKE_FAILURE_HEADERS);
    }
  }

  function takeFault(method: string, path: string): (typeof faults)[number] | undefined {
    const f = faults.find((x) => x.times > 0 && (!x.method || x.method === method) && (!x.path || x.path.test(path)));
    if (f) f.times--;
    return f;
  }

  // A strict fault's announced wait: a retry before it runs out breaks GitHub's rules for clients.
  function tooEarly(method: string, path: string): string | undefined {
    const f = faults.find((x) => x.strict && Date.now() < x.notBefore && (!x.method || x.method === method) && (!x.path || x.path.test(path)));
    return f && `${method} ${path} came ${f.notBefore - Date.now()} ms before the ${f.fault} fault's announced wait ran out (${new Date(f.notBefore).toISOString()})`;
  }

  function answerFault(f: (typeof faults)[number], reply: Reply): void {
    const doc = 'https://docs.github.com/rest';
    const reset = String(Math.floor(Date.now() / 1000) + f.retryAfter);
    if (f.fault === 'rate-limit' || f.fault === 'secondary-limit') f.notBefore = Date.now() + f.retryAfter * 1000;
    switch (f.fault) {
      case 'forbidden': return reply(403, { message: 'Resource not accessible by integration', documentation_url: doc, status: '403' });
      case 'not-found': return reply(404, notFound());
      case 'server-error': return reply(500, { message: 'Server Error' });
      case 'bad-gateway': return reply(502, { message: 'Server Error' });
      case 'rate-limit':
        return reply(429, { message: 'API rate limit exceeded for installation.', documentation_url: doc },
          { 'retry-after': String(f.retryAfter), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset, 'x-ratelimit-limit': '5000' });
      case 'secondary-limit':
        return reply(403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: doc },
          { 'retry-after': String(f.retryAfter) });
    }
  }

  // GraphQL on GitHub: a spent quota is a 200 whose errors say so; an outage is a 5xx whose body is still GraphQL's.
  function answerGraphqlFault(f: (typeof faults)[number], reply: Reply): void {
    const reset = String(Math.floor(Date.now() / 1000) + f.retryAfter);
    const requestId = `FAKE:${++ids}`;
    switch (f.fault) {
      case 'rate-limit':
        // GitHub: do not retry before x-ratelimit-reset (there is no retry-after here).
        f.notBefore = Number(reset) * 1000;
        return reply(200, { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for installation ID 1.' }] },
          { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset, 'x-ratelimit-limit': '5000', 'x-ratelimit-used': '5000', 'x-ratelimit-resource': 'graphql' });
      case 'server-error':
      case 'bad-gateway':
        return reply(f.fault === 'server-error' ? 500 : 502, {
          data: null,
          errors: [{ message: `Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include \`${requestId}\` when reporting this issue.` }],
        }, { 'x-github-request-id': requestId });
      default: return answerFault(f, reply);
    }
  }

  /** The token's right, or undefined after answering 401; a write refused to a read token is answered 403. */
  function authorized(req: IncomingMessage, need: 'read' | 'write', reply: Reply): 'read' | 'write' | undefined {
    const m = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '');
    const right = m ? fake.tokens.get(m[1] ?? '') : undefined;
    if (!right) { reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }); return undefined; }
    if (need === 'write' && right !== 'write') {
      reply(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' });
      return undefined;
    }
    return right;
  }

  async function route(key: string, params: Record<string, string>, query: URLSearchParams, body: unknown, reply: Reply): Promise<void> {
    const b = (body ?? {}) as Record<string, unknown>;
    const pull = (): FakePull | undefined => fake.pulls.find((p) => p.number === Number(params.pull_number ?? params.issue_number));
    switch (key) {
      case 'GET /repos/{owner}/{repo}/pulls': {
        for (const p of fake.pulls) await refresh(p);
        const state = query.get('state') ?? 'open';
        const head = query.get('head');
        const base = query.get('base');
        let list = fake.pulls.filter((p) => (state === 'all' || p.state === state)
          && (!head || `${owner}:${p.head}` === head) && (!base || p.base === base));
        list = list.sort((a, z) => z.number - a.number);
        const perPage = Number(query.get('per_page') ?? 30);
        const page = Number(query.get('page') ?? 1);
        const slice = list.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        if (page * perPage < list.length) {
          const next = new URL(`${fake.apiUrl}/repos/${owner}/${repo}/pulls`);
          query.forEach((v, k) => next.searchParams.set(k, v));
          next.searchParams.set('page', String(page + 1));
          headers.link = `<${next.href}>; rel="next"`;
        }
        return reply(200, await Promise.all(slice.map((p) => pullJson(p, false))), headers);
      }
      case 'POST /repos/{owner}/{repo}/pulls': {
        const head = String(b.head ?? '').replace(new RegExp(`^${owner}:`), '');
        const base = String(b.base ?? '');
        const headSha = await revParse(`refs/heads/${head}`);
        const baseSha = await revParse(`refs/heads/${base}`);
        if (!headSha) return reply(422, invalid('head', 'invalid'));
        if (!baseSha) return reply(422, invalid('base', 'invalid'));
        if (fake.pulls.some((p) => p.state === 'open' && p.head === head && p.base === base)) {
          return reply(422, { ...invalid('', 'custom'), errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${head}.` }] });
        }
        if (await isAncestor(headSha, baseSha)) {
          return reply(422, { ...invalid('', 'custom'), errors: [{ resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` }] });
        }
        const t = now();
        const p: FakePull = {
          number: fake.pulls.length + 1, nodeId: `PR_fake${randomBytes(6).toString('hex')}`, title: String(b.title ?? ''), body: String(b.body ?? ''),
          head, base, state: 'open', merged: false, headSha, mergeCommitSha: null, createdAt: t, updatedAt: t, closedAt: null, mergedAt: null, labels: [], autoMerge: null,
        };
        fake.pulls.push(p);
        return reply(201, await pullJson(p, true), { location: `${fake.apiUrl}/repos/${owner}/${repo}/pulls/${p.number}` });
      }
      case 'GET /repos/{owner}/{repo}/pulls/{pull_number}': {
        const p = pull();
        if (!p) return reply(404, notFound());
        await refresh(p);
        return reply(200, await pullJson(p, true));
      }
      case 'PATCH /repos/{owner}/{repo}/pulls/{pull_number}': {
        const p = pull();
        if (!p) return reply(404, notFound());
        await refresh(p);
        if (typeof b.title === 'string') p.title = b.title;
        if (typeof b.body === 'string') p.body = b.body;
        if (b.state === 'closed' && p.state === 'open') close(p);
        if (b.state === 'open' && p.state === 'closed' && !p.merged) p.state = 'open';
        p.updatedAt = now();
        return reply(200, await pullJson(p, true));
      }
      case 'GET /repos/{owner}/{repo}/pulls/{pull_number}/merge': {
        const p = pull();
        if (p) await refresh(p);
        return p?.merged ? reply(204) : reply(404);
      }
      case 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': {
        const p = pull();
        if (!p) return reply(404, notFound());
        const names = (Array.isArray(b.labels) ? b.labels : []).map((l: unknown) => (typeof l === 'string' ? l : String((l as { name: string }).name)));
        for (const n of names) if (!p.labels.includes(n)) p.labels.push(n);
        return reply(200, p.labels.map((n) => labelJson(n, true)));
      }
      case 'POST /repos/{owner}/{repo}/statuses/{sha}': {
        const sha = params.sha ?? '';
        if (!/^[0-9a-f]{40}$/.test(sha) || !(await revParse(sha))) {
          return reply(422, { message: `No commit found for SHA: ${sha}`, documentation_url: 'https://docs.github.com/rest/commits/statuses#create-a-commit-status' });
        }
        const s = { sha, state: String(b.state), context: String(b.context ?? 'default'), description: (b.description as string | null | undefined) ?? null, targetUrl: (b.target_url as string | null | undefined) ?? null };
        fake.statuses.push(s);
        const t = now();
        return reply(201, {
          url: `${fake.apiUrl}/repos/${owner}/${repo}/statuses/${sha}`, avatar_url: null, id: ++ids, node_id: `SC_${ids}`, state: s.state,
          description: s.description, target_url: s.targetUrl, context: s.context, created_at: t, updated_at: t, creator: user('gitfleet[bot]'),
        }, { location: `${fake.apiUrl}/repos/${owner}/${repo}/statuses/${sha}` });
      }
    }
    fake.failures.push(`${key} is in the contract but the fake has no handler for it`);
    return reply(FAKE_FAILURE_STATUS, { message: `fake-github: ${key} has no handler` }, FAKE_FAILURE_HEADERS);
  }

  function installationToken(req: IncomingMessage, params: Record<string, string>, reply: Reply): void {
    const app = opts.app;
    const jwt = /^bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!app || !jwt || !verifyJwt(jwt, app)) return reply(401, { message: 'A JSON web token could not be decoded', documentation_url: 'https://docs.github.com/rest' });
    if (Number(params.installation_id) !== app.installationId) return reply(404, notFound());
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    fake.tokens.set(token, 'write');
    return reply(201, {
      token, expires_at: new Date(Date.now() + 3600_000).toISOString(), repository_selection: 'all',
      permissions: { contents: 'write', pull_requests: 'write', statuses: 'write', issues: 'write' },
    });
  }

  // Mutation.enablePullRequestAutoMerge; refusals are GraphQL errors with GitHub's `type`, `data` stays.
  async function enablePullRequestAutoMerge(args: Record<string, unknown>, right: 'read' | 'write'): Promise<Record<string, unknown>> {
    const input = args.input as { pullRequestId: string; mergeMethod?: string | null; expectedHeadOid?: string | null; commitHeadline?: string | null; commitBody?: string | null; authorEmail?: string | null; clientMutationId?: string | null };
    const p = fake.pulls.find((x) => x.nodeId === input.pullRequestId);
    if (!p) throw new GithubGraphqlError('NOT_FOUND', `Could not resolve to a node with the global id of '${input.pullRequestId}'`);
    // A token that may read the pull request but not change it: GitHub's answer for a GitHub App installation token.
    if (right !== 'write') throw new GithubGraphqlError('FORBIDDEN', 'Resource not accessible by integration');
    await refresh(p);
    if (!fake.allowAutoMerge) throw new GithubGraphqlError('UNPROCESSABLE', 'Pull request Auto merge is not allowed for this repository');
    if (p.state !== 'open') throw new GithubGraphqlError('UNPROCESSABLE', 'Pull request is not open');
    if (input.expectedHeadOid && input.expectedHeadOid !== p.headSha) throw new GithubGraphqlError('UNPROCESSABLE', 'Head ref was modified');
    // The schema's default (MERGE) is already applied when the variable is omitted; an explicit null means the same.
    const method = input.mergeMethod ?? 'MERGE';
    p.autoMerge = { method: method.toLowerCase() as 'merge' | 'squash' | 'rebase' };
    autoMergeEnabledAt.set(p.number, now());
    return { clientMutationId: input.clientMutationId ?? null, actor: null, pullRequest: pullNode(p, { commitHeadline: input.commitHeadline ?? null, commitBody: input.commitBody ?? null, authorEmail: input.authorEmail ?? null }) };
  }

  // A PullRequest as GraphQL objects: values in the schema's types (enums upper-case, URI, DateTime, GitObjectID).
  function pullNode(p: FakePull, commit: { commitHeadline: string | null; commitBody: string | null; authorEmail: string | null }): Record<string, unknown> {
    const url = `http://127.0.0.1:${port}/${owner}/${repo}/pull/${p.number}`;
    const node: Record<string, unknown> = {
      id: p.nodeId, number: p.number, title: p.title, body: p.body, state: p.merged ? 'MERGED' : p.state === 'open' ? 'OPEN' : 'CLOSED',
      merged: p.merged, closed: p.state === 'closed', isDraft: false, locked: false, headRefName: p.head, headRefOid: p.headSha, baseRefName: p.base,
      url, permalink: url, createdAt: p.createdAt, updatedAt: p.updatedAt, closedAt: p.closedAt, mergedAt: p.mergedAt,
    };
    node.autoMergeRequest = p.autoMerge
      ? { enabledAt: autoMergeEnabledAt.get(p.number) ?? null, mergeMethod: p.autoMerge.method.toUpperCase(), enabledBy: null, pullRequest: node, ...commit }
      : null;
    return node;
  }

  async function pullJson(p: FakePull, full: boolean): Promise<Record<string, unknown>> {
    const api = `${fake.apiUrl}/repos/${owner}/${repo}`;
    const html = `http://127.0.0.1:${port}/${owner}/${repo}/pull/${p.number}`;
    const baseSha = (await revParse(`refs/heads/${p.base}`)) ?? p.headSha;
    const side = (ref: string, sha: string): Record<string, unknown> => ({ label: `${owner}:${ref}`, ref, sha, user: user(owner), repo: repoJson() });
    const link = (href: string): { href: string } => ({ href });
    const out: Record<string, unknown> = {
      url: `${api}/pulls/${p.number}`, id: p.number + 5000, node_id: p.nodeId, html_url: html, diff_url: `${html}.diff`, patch_url: `${html}.patch`,
      issue_url: `${api}/issues/${p.number}`, commits_url: `${api}/pulls/${p.number}/commits`, review_comments_url: `${api}/pulls/${p.number}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`, comments_url: `${api}/issues/${p.number}/comments`, statuses_url: `${api}/statuses/${p.headSha}`,
      number: p.number, state: p.state, locked: false, title: p.title, user: user('gitfleet[bot]'), body: p.body,
      labels: p.labels.map((n) => labelJson(n, full)), milestone: null, active_lock_reason: null,
      created_at: p.createdAt, updated_at: p.updatedAt, closed_at: p.closedAt, merged_at: p.mergedAt, merge_commit_sha: p.mergeCommitSha,
      assignee: null, assignees: [], requested_reviewers: [], requested_teams: [],
      head: side(p.head, p.headSha), base: side(p.base, baseSha),
      _links: {
        self: link(`${api}/pulls/${p.number}`), html: link(html), issue: link(`${api}/issues/${p.number}`), comments: link(`${api}/issues/${p.number}/comments`),
        review_comments: link(`${api}/pulls/${p.number}/comments`), review_comment: link(`${api}/pulls/comments{/number}`),
        commits: link(`${api}/pulls/${p.number}/commits`), statuses: link(`${api}/statuses/${p.headSha}`),
      },
      author_association: 'NONE', draft: false,
      auto_merge: p.autoMerge ? { enabled_by: user('gitfleet[bot]'), merge_method: p.autoMerge.method, commit_title: p.title, commit_message: '' } : null,
    };
    if (!full) return out;
    const m = await mergeable(p);
    return {
      ...out, merged: p.merged, mergeable: m, rebaseable: m, mergeable_state: m === null ? 'unknown' : m ? 'clean' : 'dirty', merged_by: p.merged ? user(owner) : null,
      comments: 0, review_comments: 0, maintainer_can_modify: false, commits: 1, additions: 1, deletions: 0, changed_files: 1,
    };
  }

  function labelJson(name: string, nullableDescription: boolean): Record<string, unknown> {
    return { id: 7000 + name.length, node_id: `LA_${name}`, url: `${fake.apiUrl}/repos/${owner}/${repo}/labels/${encodeURIComponent(name)}`, name, description: nullableDescription ? null : '', color: 'ededed', default: false };
  }

  function repoJson(): Record<string, unknown> {
    const api = `${fake.apiUrl}/repos/${owner}/${repo}`;
    const html = `http://127.0.0.1:${port}/${owner}/${repo}`;
    const t = '2024-01-01T00:00:00Z';
    const urls = Object.fromEntries(['archive', 'assignees', 'blobs', 'branches', 'collaborators', 'comments', 'commits', 'compare', 'contents', 'contributors',
      'deployments', 'downloads', 'events', 'forks', 'git_commits', 'git_refs', 'git_tags', 'hooks', 'issue_comment', 'issue_events', 'issues', 'keys', 'labels',
      'languages', 'merges', 'milestones', 'notifications', 'pulls', 'releases', 'stargazers', 'statuses', 'subscribers', 'subscription', 'tags', 'teams', 'trees']
      .map((k) => [`${k}_url`, `${api}/${k}`]));
    return {
      ...urls, id: 4242, node_id: 'R_fake', name: repo, full_name: `${owner}/${repo}`, owner: user(owner), private: true, html_url: html, description: null,
      fork: false, url: api, clone_url: fake.gitUrl, git_url: fake.gitUrl, ssh_url: `git@127.0.0.1:${owner}/${repo}.git`, svn_url: html, mirror_url: null, homepage: null,
      language: null, forks: 0, forks_count: 0, stargazers_count: 0, watchers_count: 0, watchers: 0, size: 1, default_branch: 'main', open_issues: 0, open_issues_count: 0,
      has_issues: true, has_projects: false, has_wiki: false, has_pages: false, has_downloads: false, archived: false, disabled: false, license: null,
      pushed_at: t, created_at: t, updated_at: t, allow_auto_merge: true,
    };
  }

  function user(login: string): Record<string, unknown> {
    const u = `${fake.apiUrl}/users/${encodeURIComponent(login)}`;
    return {
      login, id: 1, node_id: `U_${login}`, avatar_url: `http://127.0.0.1:${port}/avatars/${encodeURIComponent(login)}`, gravatar_id: '', url: u,
      html_url: `http://127.0.0.1:${port}/${encodeURIComponent(login)}`, followers_url: `${u}/followers`, following_url: `${u}/following{/other_user}`,
      gists_url: `${u}/gists{/gist_id}`, starred_url: `${u}/starred{/owner}{/repo}`, subscriptions_url: `${u}/subscriptions`, organizations_url: `${u}/orgs`,
      repos_url: `${u}/repos`, events_url: `${u}/events{/privacy}`, received_events_url: `${u}/received_events`, type: login.endsWith('[bot]') ? 'Bot' : 'Organization', site_admin: false,
    };
  }

  // The real git side: `git http-backend` per request, as a CGI, with receive-pack enabled.
  async function gitBackend(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const auth = /^basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const [user, ...pw] = auth ? Buffer.from(auth, 'base64').toString('utf8').split(':') : [];
    const right = user === 'x-access-token' ? fake.tokens.get(pw.join(':')) : undefined;
    const pushing = url.searchParams.get('service') === 'git-receive-pack' || url.pathname.endsWith('/git-receive-pack');
    fake.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.search, body: undefined, status: 0, operation: 'git' });
    if (!right) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="fake-github"' });
      return void res.end('authentication required\n');
    }
    if (pushing && right !== 'write') {
      res.writeHead(403, { 'content-type': 'text/plain' });
      return void res.end('Permission to push denied\n');
    }
    const h = req.headers;
    const env: Record<string, string> = {
      ...GIT_ENV, PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_PROJECT_ROOT: gitRoot, GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method ?? 'GET', PATH_INFO: url.pathname.slice('/git'.length), QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: h['content-type'] ?? '', REMOTE_USER: 'x-access-token', REMOTE_ADDR: '127.0.0.1',
      GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.receivepack', GIT_CONFIG_VALUE_0: 'true',
    };
    if (h['git-protocol']) env.HTTP_GIT_PROTOCOL = String(h['git-protocol']);
    if (h['content-encoding']) env.HTTP_CONTENT_ENCODING = String(h['content-encoding']);
    if (h['content-length']) env.CONTENT_LENGTH = String(h['content-length']);
    // Streams both ways (packs are binary), which the string-based Runner cannot do; this is test plumbing.
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    req.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const i = line.indexOf(':');
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else res.setHeader(name, value);
      }
      res.statusCode = status;
      res.write(head.subarray(end + 4));
    });
    await new Promise<void>((resolve) => {
      child.on('close', () => { res.end(); resolve(); });
      child.on('error', (err) => { fake.failures.push(`git http-backend: ${err.message}`); res.end(); resolve(); });
    });
  }

  function now(): string { return new Date().toISOString().replace(/\.\d+Z$/, 'Z'); }
}

type Reply = (status: number, body?: unknown, headers?: Record<string, string>) => void;

// The faults GitHub's GraphQL answers inside a 200: a typed error at the field, which becomes null beside it in `data`.
function fieldRefusal(fault: Fault): ((args: Record<string, unknown>) => GithubGraphqlError) | undefined {
  if (fault === 'forbidden') return () => new GithubGraphqlError('FORBIDDEN', 'Resource not accessible by integration');
  if (fault !== 'not-found') return undefined;
  return (a) => new GithubGraphqlError('NOT_FOUND', `Could not resolve to a node with the global id of '${String((a.input as { pullRequestId?: unknown } | undefined)?.pullRequestId ?? '')}'`);
}

function notFound(): Record<string, string> {
  return { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };
}

function invalid(field: string, code: string): Record<string, unknown> {
  return { message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request', errors: [{ resource: 'PullRequest', field, code }] };
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers);
    return void res.end();
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function git(cwd: string, args: string[]): Promise<void> {
  const r = await execRunner.run({ file: 'git', args, cwd, env: GIT_ENV });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

function verifyJwt(jwt: string, app: FakeApp): boolean {
  const [h, p, s] = jwt.split('.');
  if (!h || !p || !s) return false;
  const ok = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(app.publicKeyPem, Buffer.from(s, 'base64url'));
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { iss?: unknown; exp?: number };
  return ok && String(claims.iss) === String(app.appId) && (claims.exp ?? 0) * 1000 > Date.now();
}

/** The REST contract: the OpenAPI subset compiled with ajv. GraphQL has its own, GitHub's schema (fake-github-graphql.ts). */
export interface Contract {
  version: string;
  match(method: string, path: string): { key: string; params: Record<string, string> } | undefined;
  checkRequest(key: string, params: Record<string, string>, query: URLSearchParams, body: unknown): string[];
  checkResponse(key: string, status: number, body: unknown): string[];
  /** A 200 is GraphQL's shape (its `data` was checked by executing over GitHub's schema); a 5xx GraphQL's or REST's error shape; other statuses REST's. */
  checkGraphqlResponse(status: number, body: unknown): string[];
}

let cached: Contract | undefined;

/** Loads and compiles the OpenAPI subset once per process. */
export function loadContract(): Contract {
  if (cached) return cached;
  const subset = JSON.parse(readFileSync(SUBSET_PATH, 'utf8')) as Subset;
  const { Ajv } = require('ajv') as { Ajv: new (o: object) => AjvT };
  const formatsModule = require('ajv-formats') as { default: (a: AjvT) => void };
  const ajv = new Ajv({ strict: false, allErrors: true });
  formatsModule.default(ajv);
  // GitHub-specific formats the description uses; their shape is not specified, so any string passes.
  ajv.addFormat('repo.nwo', true);
  ajv.addFormat('timestamp', true);
  ajv.addSchema({ $id: 'gh', components: { schemas: toJsonSchema(subset.components.schemas) } });
  const compile = (schema: unknown): ValidateFunction => ajv.compile(toJsonSchema(schema) as object);
  const ops = Object.entries(subset.operations).map(([key, op]) => {
    const [method, template] = key.split(' ') as [string, string];
    const names: string[] = [];
    const re = new RegExp(`^${template.replace(/\{(\w+)\}/g, (_m, n: string) => { names.push(n); return '([^/]+)'; })}$`);
    const responses = new Map(Object.entries(op.responses).map(([code, r]) => [code, r.schema ? compile(r.schema) : null]));
    const params = op.parameters.map((p) => ({ ...p, validate: compile(p.schema) }));
    const body = op.requestBody ? { ...op.requestBody, validate: compile(op.requestBody.schema), props: declared(op.requestBody.schema) } : null;
    return { key, method, re, names, responses, params, body };
  });
  const basicError = compile({ $ref: '#/components/schemas/basic-error' });
  const validationError = compile({ $ref: '#/components/schemas/validation-error' });
  const errs = (v: ValidateFunction): string[] => (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
  // GitHub answers any request with these (auth, rate limits, outages): the generic error shapes.
  const genericError = (status: number, body: unknown): string[] => {
    const v = status === 422 ? validationError : basicError;
    return v(body) ? [] : errs(v);
  };

  cached = {
    version: subset.source.version,
    match(method, path) {
      for (const op of ops) {
        if (op.method !== method) continue;
        const m = op.re.exec(path);
        if (m) return { key: op.key, params: Object.fromEntries(op.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')])) };
      }
      return undefined;
    },
    checkRequest(key, params, query, body) {
      const op = ops.find((o) => o.key === key);
      if (!op) return [`no operation ${key}`];
      const out: string[] = [];
      for (const p of op.params) {
        const raw = p.in === 'path' ? params[p.name] : p.in === 'query' ? query.get(p.name) ?? undefined : undefined;
        if (p.in !== 'path' && p.in !== 'query') continue;
        if (raw === undefined) { if (p.required) out.push(`missing ${p.in} parameter ${p.name}`); continue; }
        const value = coerce(raw, p.schema);
        if (!p.validate(value)) out.push(`${p.in} parameter ${p.name}=${raw}: ${errs(p.validate).join(', ')}`);
      }
      for (const k of query.keys()) if (!op.params.some((p) => p.in === 'query' && p.name === k)) out.push(`unknown query parameter ${k}`);
      if (!op.body) { if (body !== undefined) out.push('a body where the operation takes none'); return out; }
      if (body === undefined) { if (op.body.required) out.push('missing required body'); return out; }
      if (!op.body.validate(body)) out.push(`body: ${errs(op.body.validate).join(', ')}`);
      // GitHub ignores unknown fields; a client sending one has a typo the API would silently drop.
      if (op.body.props && body && typeof body === 'object' && !Array.isArray(body)) {
        for (const k of Object.keys(body)) if (!op.body.props.includes(k)) out.push(`body has unknown property ${k}`);
      }
      return out;
    },
    checkResponse(key, status, body) {
      const op = ops.find((o) => o.key === key);
      if (!op) return [`no operation ${key}`];
      const declaredSchema = op.responses.get(String(status));
      if (declaredSchema === undefined) return status < 400 ? [`status ${status} is not declared`] : genericError(status, body);
      if (declaredSchema === null) return body === undefined ? [] : [`status ${status} declares no body`];
      return declaredSchema(body) ? [] : errs(declaredSchema);
    },
    checkGraphqlResponse(status, body) {
      if (status === 200) return graphqlBody(body, false);
      if (status < 400) return [`status ${status} is not GraphQL's`];
      if (status >= 500 && body && typeof body === 'object' && 'errors' in body) return graphqlBody(body, true);
      return genericError(status, body);
    },
  };
  return cached;
}

// GraphQL's response shape: `data` and/or `errors` (each with a message), nothing else but `extensions`.
function graphqlBody(body: unknown, needsErrors: boolean): string[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return ['a GraphQL response is a JSON object'];
  const b = body as Record<string, unknown>;
  const out = Object.keys(b).filter((k) => !['data', 'errors', 'extensions'].includes(k)).map((k) => `a GraphQL response has no key ${k}`);
  if (b.data !== undefined && b.data !== null && typeof b.data !== 'object') out.push('data is not an object');
  if (b.errors === undefined) { if (needsErrors || b.data === undefined) out.push('neither data nor errors'); return out; }
  if (!Array.isArray(b.errors) || b.errors.length === 0) return [...out, 'errors is not a non-empty list'];
  for (const e of b.errors as unknown[]) if (typeof (e as { message?: unknown } | null)?.message !== 'string') out.push(`an error without a message: ${JSON.stringify(e)}`);
  return out;
}

function declared(schema: Record<string, unknown>): string[] | null {
  const props = schema.properties as Record<string, unknown> | undefined;
  return props ? Object.keys(props) : null;
}

function coerce(raw: string, schema: Record<string, unknown>): unknown {
  if (schema.type === 'integer' || schema.type === 'number') return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  if (schema.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}

/** OpenAPI 3.0 → JSON Schema for ajv: `nullable` becomes a type union (or anyOf with null), refs point at `gh`. */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const src = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'nullable') continue;
    if (k === '$ref' && typeof v === 'string') out[k] = v.startsWith('#/components/') ? `gh${v}` : v;
    else if (k === 'properties' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([p, s]) => [p, toJsonSchema(s)]));
    } else out[k] = toJsonSchema(v);
  }
  if (src.nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}
