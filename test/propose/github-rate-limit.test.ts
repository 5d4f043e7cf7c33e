// Which failures are GitHub's primary rate limit, and how long GitHub asks to wait. The errors are the real ones
// Octokit throws against the fake GitHub, on GitHub Enterprise's /api/graphql and github.com's /graphql.
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { primaryRateLimit, rateLimitWait } from '../../src/propose/providers/github-rate-limit.js';
import { startFakeGitHub, type FakeGitHub, type Fault } from '../helpers/fake-github.js';

const NOW = Date.parse('2026-03-01T12:00:00.250Z');
const at = (s: string) => new Date(s);

describe('rateLimitWait', () => {
  it.each([
    ['retry-after wins over the reset', { 'retry-after': '30', 'x-ratelimit-reset': String(NOW / 1000 + 600) }, { seconds: 30, at: at('2026-03-01T12:00:30.250Z'), from: 'retry-after' }],
    ['until one second past the reset, as the throttling plugin computes it', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1772366410' }, { seconds: 11, at: at('2026-03-01T12:00:10Z'), from: 'x-ratelimit-reset' }],
    ['a reset already past: at once', { 'x-ratelimit-reset': '1772366000' }, { seconds: 0, at: at('2026-03-01T11:53:20Z'), from: 'x-ratelimit-reset' }],
    ['numbers as well as strings', { 'x-ratelimit-reset': 1772366401 }, { seconds: 2, at: at('2026-03-01T12:00:01Z'), from: 'x-ratelimit-reset' }],
    ['a retry-after that is no number of seconds falls back to the reset', { 'retry-after': 'Sun, 01 Mar 2026 12:05:00 GMT', 'x-ratelimit-reset': '1772366460' }, { seconds: 61, at: at('2026-03-01T12:01:00Z'), from: 'x-ratelimit-reset' }],
    ['neither header: a minute, GitHub\'s advice', {}, { seconds: 60, at: at('2026-03-01T12:01:00.250Z'), from: 'none' }],
  ])('%s', (_n, headers, want) => {
    expect(rateLimitWait(headers, NOW)).toEqual(want);
  });
});

const MUTATION = `mutation($pullRequestId: ID!) {
  enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId}) { pullRequest { number } }
}`;

describe('primaryRateLimit on the errors Octokit really throws', () => {
  let fake: FakeGitHub;
  beforeAll(async () => { fake = await startFakeGitHub({ token: 't' }); });
  afterAll(async () => {
    const failures = [...fake.failures];
    await fake.close();
    expect(failures).toEqual([]);
  });

  const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  // without the plugin's spacing of writes (a second apart), which these single calls do not need
  const immediate = { key: () => ({ schedule: <T>(_o: unknown, fn: (...a: unknown[]) => T, ...a: unknown[]) => fn(...a) }) };
  const throttle = { onRateLimit: () => false, onSecondaryRateLimit: () => false, ...({ write: immediate } as object) };
  // GitHub Enterprise: GraphQL at /api/graphql, which the throttling plugin does not watch.
  const ghes = () => new (Octokit.plugin(throttling))({
    baseUrl: fake.apiUrl, auth: 't', log: quiet, throttle,
  });
  // github.com's layout: GraphQL at /graphql, where the throttling plugin throws its own error for RATE_LIMITED.
  const dotcom = () => {
    const root = fake.apiUrl.replace(/\/v3$/, '');
    return new (Octokit.plugin(throttling))({
      baseUrl: root, auth: 't', log: quiet, throttle,
      request: { fetch: (url: string, init: RequestInit) => fetch(url.startsWith(`${root}/graphql`) ? url : url.replace(root, fake.apiUrl), init) },
    });
  };
  const failure = async (client: Octokit, fault: Fault | undefined, call: 'graphql' | 'rest' = 'graphql'): Promise<unknown> => {
    if (fault) fake.fail(call === 'graphql' ? { path: /\/graphql$/ } : { path: /\/pulls$/ }, fault, { retryAfter: 30 });
    const p = call === 'graphql' ? client.graphql(MUTATION, { pullRequestId: 'PR_x' }) : client.rest.pulls.list({ owner: 'acme', repo: 'fleet' });
    return p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e);
  };

  it.each([['GitHub Enterprise', ghes], ['github.com', dotcom]] as const)('%s: a spent GraphQL quota (200, RATE_LIMITED) gives its headers', async (_n, client) => {
    const started = Math.floor(Date.now() / 1000);
    const err = await failure(client(), 'rate-limit');
    // two shapes: GraphqlResponseError on GHES, the plugin's own error on github.com
    expect((err as Error).message).toMatch(client === dotcom ? /^GraphQL Rate Limit Exceeded$/ : /^Request failed due to following response errors:\n - API rate limit exceeded/);
    const headers = primaryRateLimit(err);
    expect(headers).toMatchObject({ 'x-ratelimit-remaining': '0', 'x-ratelimit-resource': 'graphql' });
    expect(Number(headers?.['x-ratelimit-reset']) - started).toBeGreaterThanOrEqual(30);
  });

  it('a REST-style refusal with a spent quota (429, x-ratelimit-remaining 0) gives its headers', async () => {
    expect(primaryRateLimit(await failure(ghes(), 'rate-limit', 'rest'))).toMatchObject({ 'retry-after': '30', 'x-ratelimit-remaining': '0' });
  });

  it.each([
    ['a secondary limit (403 + retry-after): the throttling plugin\'s', 'secondary-limit'],
    ['FORBIDDEN in a 200', 'forbidden'],
    ['NOT_FOUND in a 200', undefined],
    ['a 502', 'bad-gateway'],
  ] as const)('%s is no primary limit', async (_n, fault) => {
    expect(primaryRateLimit(await failure(ghes(), fault))).toBeUndefined();
  });

  it('GitHub\'s newer spelling RATE_LIMIT counts too; nothing else does', () => {
    const headers = { 'x-ratelimit-reset': '1772366410' };
    expect(primaryRateLimit({ errors: [{ type: 'RATE_LIMIT', message: 'API rate limit already exceeded for user ID 1.' }], headers })).toBe(headers);
    expect(primaryRateLimit({ errors: [{ type: 'RATE_LIMITS' }], headers })).toBeUndefined();
    expect(primaryRateLimit(new Error('x'))).toBeUndefined();
    expect(primaryRateLimit(undefined)).toBeUndefined();
  });
});
