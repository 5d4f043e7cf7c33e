// The github provider against a fake GitHub (contract-checked against GitHub's OpenAPI description) with a real
// git smart-HTTP backend: pushes are real, PR state follows the real refs.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubProvider, type GithubProviderOptions } from '../../src/propose/providers/github.js';
import type { PullRequestSpec } from '../../src/propose/provider.js';
import { ProviderError } from '../../src/util/errors.js';
import { execRunner } from '../../src/util/exec.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const TOKEN = `ghp_${randomBytes(18).toString('hex')}`;
let fake: FakeGitHub;
let dir: string;
let fetchCalls = 0;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gh-provider-'));
  fake = await startFakeGitHub({ token: TOKEN });
  await fake.seed({ 'fleet.yaml': 'name: acme\n', 'baselines/base.yaml': 'numpy: 1.26.3\n' });
  fetchCalls = 0;
});

afterEach(async () => {
  const failures = [...fake.failures];
  await fake.close();
  await rm(dir, { recursive: true, force: true });
  // Every test ends here: the fake saw no unknown request and no contract violation.
  expect(failures).toEqual([]);
});

function provider(over: Partial<GithubProviderOptions> = {}) {
  return githubProvider({
    owner: 'acme', repo: 'fleet', baseUrl: fake.apiUrl, auth: { token: TOKEN }, gitRemoteUrl: fake.gitUrl,
    workspaceDir: join(dir, 'ws'), runner: execRunner, retry: { timeScaleMs: 5, pacing: false },
    fetch: (url, init) => { fetchCalls++; return fetch(url, init); },
    ...over,
  });
}

function spec(over: Partial<PullRequestSpec> = {}): PullRequestSpec {
  return {
    branch: 'gitfleet/base-minor', base: 'main', title: 'Update base (minor)', body: 'numpy 1.26.3 → 1.26.4',
    files: { 'baselines/base.yaml': 'numpy: 1.26.4\n' }, commitMessage: 'gitfleet: update base (minor)', labels: ['gitfleet', 'minor'], ...over,
  };
}

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const count = (re: RegExp, method?: string) => fake.requests.filter((r) => re.test(r.path) && (!method || r.method === method)).length;

describe('github provider: the life of a proposal', () => {
  it('creates, finds, updates in place, labels, sets a status, detects a real-git merge and asks for auto-merge', async () => {
    const gh = provider();
    const first = await gh.ensurePullRequest(spec());
    expect(first).toMatchObject({ created: true, updated: false, pr: { id: '1', branch: 'gitfleet/base-minor', state: 'open' } });
    expect(fetchCalls).toBeGreaterThan(0); // the injected transport carried the calls
    expect(await fake.branchSha('gitfleet/base-minor')).toBe(first.pr.headSha);
    expect(fake.pulls[0]?.labels).toEqual(['gitfleet', 'minor']);

    expect(await gh.findPullRequest('gitfleet/base-minor')).toMatchObject({ id: '1', state: 'open', headSha: first.pr.headSha });
    expect(await gh.findPullRequest('gitfleet/other')).toBeUndefined();

    // The same proposal again: nothing pushed, nothing patched.
    const pushesBefore = count(/git-receive-pack$/, 'POST');
    const again = await gh.ensurePullRequest(spec());
    expect(again).toMatchObject({ created: false, updated: false, pr: { id: '1', headSha: first.pr.headSha } });
    expect(count(/git-receive-pack$/, 'POST')).toBe(pushesBefore);
    expect(count(/\/pulls\/1$/, 'PATCH')).toBe(0);

    // A newer version: the same PR, force-pushed (one commit on the base), body refreshed.
    const newer = await gh.ensurePullRequest(spec({ body: 'numpy 1.26.3 → 1.26.5', files: { 'baselines/base.yaml': 'numpy: 1.26.5\n' } }));
    expect(newer).toMatchObject({ created: false, updated: true, pr: { id: '1' } });
    expect(newer.pr.headSha).not.toBe(first.pr.headSha);
    expect(fake.pulls).toHaveLength(1);
    expect(fake.pulls[0]).toMatchObject({ body: 'numpy 1.26.3 → 1.26.5', headSha: newer.pr.headSha, state: 'open' });
    expect(await fake.branchSha('gitfleet/base-minor')).toBe(newer.pr.headSha);

    await gh.setCommitStatus(newer.pr.headSha, { context: 'gitfleet/web-01', state: 'pending', description: 'waiting for wave canary' });
    expect(fake.statuses).toEqual([{ sha: newer.pr.headSha, state: 'pending', context: 'gitfleet/web-01', description: 'waiting for wave canary', targetUrl: null }]);

    expect(await gh.isMerged(newer.pr)).toBe(false);
    await fake.humanMerge('gitfleet/base-minor');
    expect(await gh.isMerged(newer.pr)).toBe(true);
    expect(await gh.findPullRequest('gitfleet/base-minor')).toBeUndefined();
    expect(await gh.findPullRequest('gitfleet/base-minor', { includeClosed: true })).toMatchObject({ id: '1', state: 'merged' });

    const auto = await gh.ensurePullRequest(spec({ branch: 'gitfleet/base-patch', title: 'Update base (patch)', autoMerge: true, files: { 'fleet.yaml': 'name: acme2\n' } }));
    expect(auto).toMatchObject({ created: true, autoMerge: { enabled: true } });
    expect(fake.pulls.find((p) => p.head === 'gitfleet/base-patch')?.autoMerge).toEqual({ method: 'squash' });

    expect((await gh.listOpen('gitfleet/')).map((p) => p.branch)).toEqual(['gitfleet/base-patch']);
    expect(await gh.listOpen('other/')).toEqual([]);
  });

  it('regenerates from a moved base: the branch is one commit on the new base', async () => {
    const gh = provider();
    const first = await gh.ensurePullRequest(spec());
    const base2 = await fake.seed({ 'README.md': 'hello\n' });
    const second = await gh.ensurePullRequest(spec());
    expect(second).toMatchObject({ created: false, updated: true, pr: { id: '1' } });
    expect(second.pr.headSha).not.toBe(first.pr.headSha);
    expect(await fake.branchSha('gitfleet/base-minor')).toBe(second.pr.headSha);
    expect(await provider().findPullRequest('gitfleet/base-minor')).toMatchObject({ headSha: second.pr.headSha });
    const { git } = await import('../helpers/git.js');
    expect(await git(fake.bare, ['rev-parse', `${second.pr.headSha}^`])).toBe(base2);
  });

  it('works as a GitHub App installation: JWT → installation token for the API and for the push', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const app = await startFakeGitHub({ app: { appId: 77, installationId: 123, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() } });
    try {
      await app.seed({ 'fleet.yaml': 'name: acme\n' });
      const gh = githubProvider({
        owner: 'acme', repo: 'fleet', baseUrl: app.apiUrl, auth: { appId: 77, privateKey: pem, installationId: 123 }, gitRemoteUrl: app.gitUrl,
        workspaceDir: join(dir, 'ws-app'), runner: execRunner, retry: { timeScaleMs: 5, pacing: false },
      });
      const r = await gh.ensurePullRequest(spec({ labels: [] }));
      expect(r).toMatchObject({ created: true, pr: { id: '1' } });
      expect(await app.branchSha('gitfleet/base-minor')).toBe(r.pr.headSha);
      expect(app.requests.filter((q) => q.operation.startsWith('POST /app/installations')).length).toBe(1);
      expect(app.failures).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe('github provider: configuration', () => {
  it('takes the token from GITHUB_TOKEN by default, with the throttling plugin\'s default pacing', async () => {
    const gh = provider({ auth: undefined, env: { GITHUB_TOKEN: TOKEN }, retry: { timeScaleMs: 5 } });
    await gh.setCommitStatus((await fake.branchSha('main'))!, { context: 'gitfleet/a', state: 'success', description: 'ok' });
    expect(await gh.findPullRequest('gitfleet/none')).toBeUndefined();
    expect(fake.statuses).toHaveLength(1);
  });

  it('without any credentials it says how to give them', () => {
    expect(() => provider({ auth: undefined, env: {} })).toThrow(/set GITHUB_TOKEN or configure a GitHub App/);
  });
});

describe('github provider: bad input', () => {
  it('a token without rights (403): says which rights, pushes nothing, and a token with rights recovers', async () => {
    const READ = `ghp_${randomBytes(18).toString('hex')}`;
    fake.tokens.set(READ, 'read');
    const ro = provider({ auth: { token: READ } });
    const push = await rejection(ro.ensurePullRequest(spec()));
    expect(push.message).toMatch(/the token lacks rights: needs contents:write and pull_requests:write/);
    expect(push.status).toBe(403);
    const status = await rejection(ro.setCommitStatus((await fake.branchSha('main'))!, { context: 'gitfleet/a', state: 'success', description: 'ok' }));
    expect(status).toMatchObject({ status: 403, retryable: false, code: 'E_PROVIDER' });
    expect(status.message).toMatch(/the token lacks rights: needs contents:write and pull_requests:write on acme\/fleet/);
    expect(status.requestId).toMatch(/^FAKE:/);
    expect(fake.pulls).toEqual([]);
    expect(await fake.branchSha('gitfleet/base-minor')).toBeUndefined();

    const r = await provider().ensurePullRequest(spec());
    expect(r.created).toBe(true);
  });

  it('a 403 on one call is not retried', async () => {
    const gh = provider();
    const { pr } = await gh.ensurePullRequest(spec({ labels: [] }));
    fake.fail({ method: 'POST', path: /\/labels$/ }, 'forbidden');
    const err = await rejection(gh.addLabels(pr, ['x']));
    expect(err.message).toMatch(/the token lacks rights/);
    expect(count(/\/labels$/, 'POST')).toBe(1);
  });

  it('429 with Retry-After: waits and succeeds', async () => {
    const gh = provider();
    const sha = (await fake.branchSha('main'))!;
    fake.fail({ method: 'POST', path: /\/statuses\// }, 'rate-limit', { retryAfter: 2 });
    await gh.setCommitStatus(sha, { context: 'gitfleet/a', state: 'success', description: 'applied and healthy' });
    expect(count(/\/statuses\//, 'POST')).toBe(2);
    expect(fake.statuses).toHaveLength(1);
  });

  it('a 500 once is retried', async () => {
    const gh = provider();
    fake.fail({ method: 'GET', path: /\/pulls$/ }, 'server-error');
    expect(await gh.findPullRequest('gitfleet/base-minor')).toBeUndefined();
    expect(count(/\/pulls$/, 'GET')).toBe(2);
  });

  it('a secondary rate limit that persists: a bounded number of tries, then a clear retryable error; a later run recovers', async () => {
    const gh = provider();
    fake.fail({ path: /\/pulls$/ }, 'secondary-limit', { times: 3, retryAfter: 7 });
    const err = await rejection(gh.ensurePullRequest(spec()));
    expect(err).toMatchObject({ retryable: true, status: 403, code: 'E_PROVIDER' });
    expect(err.message).toMatch(/secondary rate limit .* try again in 7 s/);
    expect(count(/\/pulls$/)).toBe(3); // 1 + maxRetries (2)
    expect(fake.pulls).toEqual([]);

    const later = await gh.ensurePullRequest(spec());
    expect(later).toMatchObject({ created: true, pr: { id: '1' } });
  });

  it('a rate limit asking for a long wait fails at once as retryable', async () => {
    const gh = provider();
    fake.fail({ path: /\/pulls$/ }, 'rate-limit', { retryAfter: 3600 });
    const err = await rejection(gh.findPullRequest('gitfleet/base-minor'));
    expect(err).toMatchObject({ retryable: true, status: 429 });
    expect(err.message).toMatch(/rate limit/);
    expect(count(/\/pulls$/)).toBe(1);
  });

  it('a PR closed by a human is reported closed and not reopened; a newer proposal opens a new PR', async () => {
    const gh = provider();
    const { pr } = await gh.ensurePullRequest(spec());
    fake.closeAsHuman(Number(pr.id));
    const again = await gh.ensurePullRequest(spec());
    expect(again).toMatchObject({ created: false, updated: false, pr: { id: pr.id, state: 'closed' } });
    expect(fake.pulls).toHaveLength(1);
    expect(fake.pulls[0]?.state).toBe('closed');
    expect(count(/\/pulls\/\d+$/, 'PATCH')).toBe(0);
    expect(await gh.findPullRequest(spec().branch)).toBeUndefined();

    const newer = await gh.ensurePullRequest(spec({ title: 'Update base (minor) to 1.26.5', files: { 'baselines/base.yaml': 'numpy: 1.26.5\n' } }));
    expect(newer).toMatchObject({ created: true, pr: { id: '2', state: 'open' } });
    expect(fake.pulls[0]?.state).toBe('closed');
  });

  it('a branch deleted under the bot is recreated with a new PR', async () => {
    const gh = provider();
    const { pr } = await gh.ensurePullRequest(spec());
    await fake.deleteBranch(spec().branch);
    expect(fake.pulls[0]?.state).toBe('closed'); // as GitHub does
    const again = await gh.ensurePullRequest(spec());
    expect(again).toMatchObject({ created: true, pr: { id: '2', state: 'open' } });
    expect(again.pr.id).not.toBe(pr.id);
    expect(await fake.branchSha(spec().branch)).toBe(again.pr.headSha);
  });

  it.each([
    ['a human commit on top', ['commit', '-q', '--allow-empty', '-m', 'a human note']],
    ['a human amend (the bot stays author)', ['commit', '-q', '--amend', '-m', 'reworded by a human']],
  ])('an open PR whose branch someone else modified (%s) is not force-pushed; deleting the branch lets gitfleet recreate it', async (_name, args) => {
    const gh = provider();
    const { pr } = await gh.ensurePullRequest(spec());
    const { git } = await import('../helpers/git.js');
    const human = join(dir, 'human');
    await git(dir, ['clone', '-q', '-b', spec().branch, fake.bare, human]);
    await git(human, args);
    await git(human, ['push', '-q', '-f', 'origin', spec().branch]);
    const humanSha = await git(human, ['rev-parse', 'HEAD']);
    const pushes = count(/git-receive-pack$/, 'POST');

    const again = await gh.ensurePullRequest(spec({ body: 'numpy 1.26.3 → 1.26.5', files: { 'baselines/base.yaml': 'numpy: 1.26.5\n' } }));
    expect(again).toMatchObject({ created: false, updated: false, pr: { id: pr.id, state: 'open' } });
    expect(again.modified).toBe(`branch gitfleet/base-minor was modified by someone else (commit ${humanSha.slice(0, 12)} by test@example.invalid); gitfleet does not update it. Delete the branch to let gitfleet recreate it`);
    expect(await fake.branchSha(spec().branch)).toBe(humanSha);
    expect(count(/git-receive-pack$/, 'POST')).toBe(pushes);
    expect(count(/\/pulls\/\d+$/, 'PATCH')).toBe(0);
    expect(fake.pulls[0]).toMatchObject({ body: spec().body, state: 'open' });
    // closing it as superseded leaves it too
    expect(await gh.closePullRequest(again.pr, 'superseded')).toEqual({ closed: false, reason: again.modified });
    expect(fake.pulls[0]?.state).toBe('open');

    await fake.deleteBranch(spec().branch);
    const recreated = await gh.ensurePullRequest(spec({ files: { 'baselines/base.yaml': 'numpy: 1.26.5\n' } }));
    expect(recreated).toMatchObject({ created: true, pr: { id: '2', state: 'open' } });
    expect(recreated.modified).toBeUndefined();
  });

  it('closes a superseded PR: closed, titled so, its branch deleted', async () => {
    const gh = provider();
    const { pr } = await gh.ensurePullRequest(spec({ branch: 'gitfleet/base-patch', title: 'Update base (patch)' }));
    const open = (await gh.listOpen('gitfleet/'))[0]!;
    expect(await gh.closePullRequest(open, 'superseded by gitfleet/base-minor')).toEqual({ closed: true });
    expect(fake.pulls[0]).toMatchObject({ number: Number(pr.id), state: 'closed', merged: false, title: 'Update base (patch) (superseded)' });
    expect(await fake.branchSha('gitfleet/base-patch')).toBeUndefined();
    expect(await gh.closePullRequest(open, 'again')).toEqual({ closed: true }); // already closed: nothing to do
    expect(count(/\/pulls\/\d+$/, 'PATCH')).toBe(1);
  });

  it('a protected branch refusing the push (pre-receive hook): clear message, nothing opened, base untouched; recovers when lifted', async () => {
    const gh = provider();
    const main = await fake.branchSha('main');
    await fake.protect(/^refs\/heads\//);
    const err = await rejection(gh.ensurePullRequest(spec()));
    expect(err.code).toBe('E_GIT');
    expect(err.message).toMatch(/cannot push gitfleet\/base-minor/);
    expect(err.message).toMatch(/GH006: Protected branch update failed|pre-receive hook declined/);
    expect(fake.pulls).toEqual([]);
    expect(await fake.branchSha('gitfleet/base-minor')).toBeUndefined();
    expect(await fake.branchSha('main')).toBe(main);

    await fake.protect(null);
    expect((await gh.ensurePullRequest(spec())).created).toBe(true);
  });

  it('the server is down: clear retryable errors, nothing half-done; a later run recovers', async () => {
    const gh = provider();
    await fake.stop();
    const push = await rejection(gh.ensurePullRequest(spec()));
    expect(push).toMatchObject({ retryable: true, code: 'E_GIT' });
    expect(push.message).toMatch(/cannot fetch/);
    const api = await rejection(gh.findPullRequest('gitfleet/base-minor'));
    expect(api).toMatchObject({ retryable: true, code: 'E_PROVIDER' });
    expect(api.message).toMatch(/cannot reach GitHub at http:\/\/127\.0\.0\.1:\d+\/api\/v3/);

    await fake.start();
    expect(fake.pulls).toEqual([]);
    const r = await gh.ensurePullRequest(spec());
    expect(r).toMatchObject({ created: true, pr: { id: '1' } });
  });

  it('a repository that does not exist: 404 says so', async () => {
    const err = await rejection(provider({ repo: 'nope' }).findPullRequest('gitfleet/base-minor'));
    expect(err).toMatchObject({ status: 404 });
    expect(err.message).toMatch(/repository acme\/nope not found/);
  });

  it('nothing to propose: a clear error and no PR', async () => {
    const err = await rejection(provider().ensurePullRequest(spec({ files: { 'baselines/base.yaml': 'numpy: 1.26.3\n' } })));
    expect(err.message).toMatch(/nothing to propose/);
    expect(fake.pulls).toEqual([]);
  });

  it('auto-merge refused by GitHub (not allowed in the repository) is reported; the PR stands', async () => {
    fake.allowAutoMerge = false;
    const r = await provider().ensurePullRequest(spec({ autoMerge: true }));
    expect(r).toMatchObject({ created: true, pr: { id: '1', state: 'open' }, autoMerge: { enabled: false } });
    expect(r.autoMerge?.reason).toMatch(/Auto merge is not allowed for this repository/);
    expect(fake.pulls[0]?.autoMerge).toBeNull();
  });

  it('the token never appears in an error message, a cause, or a log line', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
    const errors: unknown[] = [];
    const READ = `ghp_${randomBytes(18).toString('hex')}`;
    fake.tokens.set(READ, 'read');
    const secretsOf = [TOKEN, READ];
    const catchAll = (p: Promise<unknown>) => p.catch((e: unknown) => { errors.push(e); });
    const gh = provider({ log });
    await catchAll(provider({ log, auth: { token: READ } }).ensurePullRequest(spec()));       // push refused (403 from git)
    await catchAll(provider({ log, auth: { token: READ } }).setCommitStatus('0'.repeat(40), { context: 'c', state: 'success', description: 'd' }));
    await catchAll(provider({ log, auth: { token: 'ghp_wrong' } }).findPullRequest('gitfleet/a'));  // 401
    await catchAll(provider({ log, gitRemoteUrl: fake.gitUrl.replace('//', `//x-access-token:${TOKEN}@`) }).ensurePullRequest(spec({ branch: 'gitfleet/y' })));
    fake.fail({ path: /\/pulls$/ }, 'secondary-limit', { times: 5 });
    await catchAll(gh.findPullRequest('gitfleet/a'));
    await fake.protect(/^refs\/heads\//);
    await catchAll(gh.ensurePullRequest(spec()));
    await fake.protect(null);
    await fake.stop();
    await catchAll(gh.ensurePullRequest(spec()));
    await catchAll(gh.findPullRequest('gitfleet/a'));
    await fake.start();
    expect(errors.length).toBeGreaterThanOrEqual(7);
    for (const e of errors) {
      const text = `${String((e as Error).message)}\n${inspect(e, { depth: 8 })}\n${JSON.stringify(e)}`;
      for (const s of secretsOf) {
        expect(text).not.toContain(s);
        expect(text).not.toContain(Buffer.from(`x-access-token:${s}`).toString('base64'));
      }
    }
    const logged = lines.join('');
    expect(logged.length).toBeGreaterThan(0);
    for (const s of secretsOf) expect(logged).not.toContain(s);
  });
});

// enablePullRequestAutoMerge is the one GraphQL call; GitHub answers its failures differently from REST's.
describe('github provider: auto-merge when GitHub\'s GraphQL fails', () => {
  const graphql = () => count(/\/api\/graphql$/, 'POST');
  const autoSpec = () => spec({ autoMerge: true });

  it('a 502 once is retried and auto-merge is enabled', async () => {
    fake.fail({ path: /\/graphql$/ }, 'bad-gateway');
    const r = await provider().ensurePullRequest(autoSpec());
    expect(r).toMatchObject({ created: true, autoMerge: { enabled: true } });
    expect(graphql()).toBe(2);
    expect(fake.pulls[0]?.autoMerge).toEqual({ method: 'squash' });
  });

  it.each([
    ['a 502 that persists', 'bad-gateway', 3, /GitHub failed to enable auto-merge on #1 \(502\) after 2 retries: Something went wrong while executing your query.*Please include `FAKE:\d+`/],
    ['a 500 that persists', 'server-error', 3, /\(500\) after 2 retries: Something went wrong/],
    ['a secondary rate limit that persists', 'secondary-limit', 3, /GitHub's secondary rate limit stopped enable auto-merge on #1 after 2 retries; try again in 7 s/],
    ['a spent GraphQL quota that persists (200, RATE_LIMITED)', 'rate-limit', 3,
      /^GitHub's GraphQL rate limit stopped enable auto-merge on #1 after 2 retries: the limit resets at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ; try again in [78] s \(GitHub said: API rate limit exceeded for installation ID 1\.\)$/],
    ['a FORBIDDEN refusal (200, errors beside data)', 'forbidden', 1, /the token lacks rights: needs contents:write and pull_requests:write on acme\/fleet to enable auto-merge on #1 \(GitHub said: Resource not accessible by integration\)/],
  ] as const)('%s: the PR stands, the outcome says auto-merge is off and why; the next run enables it', async (_n, fault, tries, reason) => {
    fake.fail({ path: /\/graphql$/ }, fault, { times: tries, retryAfter: 7 });
    const gh = provider();
    const r = await gh.ensurePullRequest(autoSpec());
    expect(r).toMatchObject({ created: true, pr: { id: '1', state: 'open' }, autoMerge: { enabled: false } });
    expect(r.autoMerge?.reason).toMatch(reason);
    expect(r.autoMerge?.reason).not.toMatch(/\n/);
    expect(graphql()).toBe(tries);
    expect(fake.pulls).toHaveLength(1);
    expect(fake.pulls[0]).toMatchObject({ state: 'open', autoMerge: null, labels: ['gitfleet', 'minor'] });
    expect(await fake.branchSha('gitfleet/base-minor')).toBe(r.pr.headSha);

    const later = await gh.ensurePullRequest(autoSpec());
    expect(later).toMatchObject({ created: false, updated: false, pr: { id: '1' }, autoMerge: { enabled: true } });
    expect(fake.pulls[0]?.autoMerge).toEqual({ method: 'squash' });
  });

  it('a token that may read but not write: GitHub answers the mutation 200 with FORBIDDEN; the report names the missing rights', async () => {
    await provider().ensurePullRequest(spec({ labels: [] }));
    const READ = `ghp_${randomBytes(18).toString('hex')}`;
    fake.tokens.set(READ, 'read');
    // The same proposal again with a read-only token: nothing to push, patch or label, so only the mutation needs write.
    const r = await provider({ auth: { token: READ }, workspaceDir: join(dir, 'ws-read') }).ensurePullRequest(spec({ labels: [], autoMerge: true }));
    expect(r).toMatchObject({ created: false, updated: false, pr: { id: '1', state: 'open' }, autoMerge: { enabled: false } });
    expect(r.autoMerge?.reason).toMatch(/the token lacks rights: needs contents:write and pull_requests:write on acme\/fleet to enable auto-merge on #1 \(GitHub said: Resource not accessible by integration\)/);
    const answer = fake.requests.filter((x) => x.operation === 'graphql');
    expect(answer.map((x) => x.status)).toEqual([200]);
    expect(fake.pulls[0]?.autoMerge).toBeNull();
  });
});

// GitHub answers a spent GraphQL quota 200 + RATE_LIMITED with x-ratelimit-reset; the throttling plugin retries that
// only under a path starting /graphql (github.com), so the provider waits it out itself, on either host.
describe('github provider: GraphQL\'s rate limits', () => {
  const graphql = () => count(/\/graphql$/, 'POST');
  const autoSpec = () => spec({ autoMerge: true });
  const REAL_TIME = { timeScaleMs: 1000, pacing: false };

  function logged(): { log: GithubProviderOptions['log']; warnings: () => Record<string, unknown>[] } {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
    return { log, warnings: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'GitHub GraphQL rate limit') };
  }

  // github.com's layout on the fake: REST at the API root and GraphQL at /graphql, which is what the plugin looks for.
  function dotcom(over: Partial<GithubProviderOptions> = {}) {
    const root = fake.apiUrl.replace(/\/v3$/, '');
    return provider({
      baseUrl: root,
      fetch: (url, init) => fetch(String(url).startsWith(`${root}/graphql`) ? url : String(url).replace(root, fake.apiUrl), init),
      ...over,
    });
  }

  it('a spent quota once: waits until past x-ratelimit-reset (real seconds), logs a warning, then auto-merge is enabled', async () => {
    const { log, warnings } = logged();
    fake.fail({ path: /\/graphql$/ }, 'rate-limit', { retryAfter: 1, strict: true });
    const started = Date.now();
    const r = await provider({ log, retry: REAL_TIME }).ensurePullRequest(autoSpec());
    expect(r).toMatchObject({ created: true, autoMerge: { enabled: true } });
    expect(fake.pulls[0]?.autoMerge).toEqual({ method: 'squash' });
    expect(graphql()).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(warnings()).toEqual([expect.objectContaining({ what: 'enable auto-merge on #1', retryCount: 0, again: true, retryAfter: expect.any(Number) })]);
    // the strict fault turned a retry before the reset into a recorded failure; afterEach finds none
  });

  it('the fake catches a client that retries before x-ratelimit-reset', async () => {
    fake.fail({ path: /\/graphql$/ }, 'rate-limit', { retryAfter: 1, strict: true });
    const r = await provider().ensurePullRequest(autoSpec()); // timeScaleMs 5: "seconds" of 5 ms
    expect(r.autoMerge).toMatchObject({ enabled: false, reason: expect.stringMatching(/fake-github: POST \/api\/graphql came \d+ ms before the rate-limit fault's announced wait ran out/) });
    expect(fake.failures).toEqual([expect.stringMatching(/before the rate-limit fault's announced wait ran out/)]);
    fake.failures.length = 0; // seen and asserted
  });

  it.each([
    ['GitHub Enterprise (/api/graphql)', false],
    ['github.com (/graphql, which the throttling plugin also watches)', true],
  ])('%s: twice in a row is retried twice (1 + maxRetries calls, no retries of retries); a third time gives up, retryable', async (_n, onDotcom) => {
    const make = onDotcom ? dotcom : provider;
    fake.fail({ path: /\/graphql$/ }, 'rate-limit', { times: 2, retryAfter: 2 });
    const r = await make().ensurePullRequest(autoSpec());
    expect(r).toMatchObject({ created: true, autoMerge: { enabled: true } });
    expect(graphql()).toBe(3);

    fake.fail({ path: /\/graphql$/ }, 'rate-limit', { times: 5, retryAfter: 2 });
    const again = await make().ensurePullRequest(spec({ branch: 'gitfleet/other', autoMerge: true, files: { 'fleet.yaml': 'name: acme2\n' } }));
    expect(again.autoMerge).toMatchObject({ enabled: false, reason: expect.stringMatching(/^GitHub's GraphQL rate limit stopped enable auto-merge on #2 after 2 retries: the limit resets at \S+Z; try again in [23] s \(GitHub said: API rate limit exceeded/) });
    expect(graphql()).toBe(6);
  });

  it.each([
    ['GitHub Enterprise (/api/graphql)', false],
    ['github.com (/graphql)', true],
  ])('%s: a reset further away than gitfleet waits fails at once, naming the reset time; a later run enables it', async (_n, onDotcom) => {
    const { log, warnings } = logged();
    fake.fail({ path: /\/graphql$/ }, 'rate-limit', { retryAfter: 3600 });
    const started = Date.now();
    const gh = (onDotcom ? dotcom : provider)({ log, retry: REAL_TIME });
    const r = await gh.ensurePullRequest(autoSpec());
    const ended = Date.now();
    expect(ended - started).toBeLessThan(10_000); // no hour-long (nor 120 s) wait
    expect(fake.requests.filter((x) => x.operation === 'graphql').map((x) => x.status)).toEqual([200]);
    const reason = r.autoMerge?.reason ?? '';
    expect(r.autoMerge?.enabled).toBe(false);
    const at = /^GitHub's GraphQL rate limit stopped enable auto-merge on #1: the limit resets at (\S+Z), in (\d+) s, longer than gitfleet waits \(120 s\); try again then \(GitHub said: API rate limit exceeded for installation ID 1\.\)$/.exec(reason);
    expect(at, reason).not.toBeNull();
    // the fake's x-ratelimit-reset is its clock (whole seconds) + 3600 s
    expect(Date.parse(at![1]!)).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000 + 3600_000);
    expect(Date.parse(at![1]!)).toBeLessThanOrEqual(ended + 3600_000);
    expect(Number(at![2])).toBeGreaterThanOrEqual(3590);
    expect(warnings()).toEqual([expect.objectContaining({ again: false, retryCount: 0, resetsAt: at![1] })]);

    const later = await gh.ensurePullRequest(autoSpec());
    expect(later).toMatchObject({ created: false, autoMerge: { enabled: true } });
  });

  it.each([
    ['GitHub Enterprise (/api/graphql)', false],
    ['github.com (/graphql)', true],
  ])('%s: a secondary limit (403 + retry-after) is the throttling plugin\'s: it waits retry-after (real seconds) and retries once', async (_n, onDotcom) => {
    const { log, warnings } = logged();
    fake.fail({ path: /\/graphql$/ }, 'secondary-limit', { retryAfter: 1, strict: true });
    const started = Date.now();
    const r = await (onDotcom ? dotcom : provider)({ log, retry: REAL_TIME }).ensurePullRequest(autoSpec());
    expect(r).toMatchObject({ created: true, autoMerge: { enabled: true } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(fake.requests.filter((x) => x.operation === 'graphql').map((x) => x.status)).toEqual([403, 200]);
    expect(warnings()).toEqual([]); // not the provider's own loop
  });
});

describe('github provider: the fake\'s own refusals', () => {
  it('an answer of the fake that breaks the contract fails the call loudly, once: the provider does not retry it', async () => {
    const gh = provider();
    await gh.ensurePullRequest(spec());
    fake.pulls[0]!.createdAt = 'yesterday'; // the fake's own bug: a created_at that is no date-time
    const before = count(/\/pulls$/, 'GET');
    const err = await rejection(gh.findPullRequest('gitfleet/base-minor'));
    expect(err).toMatchObject({ status: 400, retryable: false });
    expect(err.message).toMatch(/fake-github: response contract violation/);
    expect(count(/\/pulls$/, 'GET') - before).toBe(1);
    expect(fake.failures).toEqual([expect.stringMatching(/^response 200 to GET \/api\/v3\/repos\/acme\/fleet\/pulls breaks the contract: .*created_at.*date-time/)]);
    fake.failures.length = 0; // seen and asserted; afterEach checks that nothing else failed
  });
});
