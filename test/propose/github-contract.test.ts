// The contract the fake GitHub enforces: the OpenAPI subset, its regeneration script, GitHub's published GraphQL
// schema (@octokit/graphql-schema), and that the checks bite.
import { existsSync, readFileSync } from 'node:fs';
import { retry } from '@octokit/plugin-retry';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGraphqlRequest, executeGraphql, GithubGraphqlError, loadGraphqlSchema, type RootResolver } from '../helpers/fake-github-graphql.js';
import { loadContract, startFakeGitHub, toJsonSchema, type FakeGitHub } from '../helpers/fake-github.js';
// @ts-expect-error -- a plain JS script without types
import { extract, OPERATIONS } from '../../scripts/extract-github-openapi.js';

const FULL = '/tmp/octokit-openapi/node_modules/@octokit/openapi/generated/api.github.com.json';
const subset = JSON.parse(readFileSync(new URL('../fixtures/github/openapi-subset.json', import.meta.url), 'utf8')) as {
  source: { version: string; package: string }; operations: Record<string, unknown>;
};

describe('the OpenAPI subset', () => {
  it('holds every operation gitfleet calls, from a named @octokit/openapi version, and stays small', () => {
    expect(Object.keys(subset.operations).sort()).toEqual([...(OPERATIONS as string[])].sort());
    expect(subset.source.package).toBe('@octokit/openapi');
    expect(subset.source.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(readFileSync(new URL('../fixtures/github/openapi-subset.json', import.meta.url)).length).toBeLessThan(300 * 1024);
  });

  it.skipIf(!existsSync(FULL))('is exactly what the script extracts from the full description', () => {
    const full = JSON.parse(readFileSync(FULL, 'utf8')) as unknown;
    expect(JSON.parse(JSON.stringify(extract(full)))).toEqual(subset);
  });

  it('the extractor copies referenced schemas transitively and inlines parameter and response refs', () => {
    const mini = {
      openapi: '3.0.3', info: { title: 't', version: '1.2.3' },
      paths: {} as Record<string, Record<string, unknown>>,
      components: {
        parameters: { owner: { name: 'owner', in: 'path', required: true, schema: { type: 'string' } } },
        responses: { ok: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/a' } } } } },
        schemas: {
          a: { type: 'object', properties: { b: { $ref: '#/components/schemas/b' }, description: { type: 'string' } } }, b: { type: 'string', nullable: true },
          'basic-error': { type: 'object' }, 'validation-error': { type: 'object' }, unused: { type: 'integer' },
        },
      },
    };
    for (const k of OPERATIONS as string[]) {
      const [m, p] = k.split(' ') as [string, string];
      mini.paths[p] = { ...mini.paths[p], [m.toLowerCase()]: { operationId: k, description: 'dropped', parameters: [{ $ref: '#/components/parameters/owner' }], responses: { 200: { $ref: '#/components/responses/ok' } } } };
    }
    const out = extract(mini) as { source: { version: string }; operations: Record<string, { parameters: unknown[]; responses: Record<string, unknown>; operationId: string }>; components: { schemas: Record<string, unknown> } };
    expect(out.source.version).toBe('1.2.3');
    expect(Object.keys(out.components.schemas).sort()).toEqual(['a', 'b', 'basic-error', 'validation-error']);
    // a property called `description` survives; the documentation keyword does not
    expect(out.components.schemas.a).toEqual({ type: 'object', properties: { b: { $ref: '#/components/schemas/b' }, description: { type: 'string' } } });
    const op = out.operations['GET /repos/{owner}/{repo}/pulls']!;
    expect(op.parameters).toEqual([{ name: 'owner', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(op.responses['200']).toEqual({ schema: { $ref: '#/components/schemas/a' } });
  });
});

describe('the contract checks bite', () => {
  const c = loadContract();
  const key = 'POST /repos/{owner}/{repo}/statuses/{sha}';

  it('nullable becomes a type union (or anyOf with null)', () => {
    expect(toJsonSchema({ type: 'string', nullable: true })).toEqual({ type: ['string', 'null'] });
    expect(toJsonSchema({ type: 'string', enum: ['a'], nullable: true })).toEqual({ type: ['string', 'null'], enum: ['a', null] });
    expect(toJsonSchema({ allOf: [{ $ref: '#/components/schemas/x' }], nullable: true })).toEqual({ anyOf: [{ allOf: [{ $ref: 'gh#/components/schemas/x' }] }, { type: 'null' }] });
  });

  it.each([
    ['a wrong state', { state: 'green', context: 'c' }, /must be equal to one of the allowed values/],
    ['a missing state', { context: 'c' }, /must have required property 'state'/],
    ['a misspelt field', { state: 'success', targetUrl: 'x' }, /unknown property targetUrl/],
  ])('a request with %s is a violation', (_n, body, re) => {
    expect(c.checkRequest(key, { owner: 'o', repo: 'r', sha: 'a'.repeat(40) }, new URLSearchParams(), body).join('\n')).toMatch(re);
  });

  it('query parameters are checked: unknown names and wrong values', () => {
    const list = 'GET /repos/{owner}/{repo}/pulls';
    const p = { owner: 'o', repo: 'r' };
    expect(c.checkRequest(list, p, new URLSearchParams('state=open&head=o:b&per_page=10'), undefined)).toEqual([]);
    expect(c.checkRequest(list, p, new URLSearchParams('state=merged'), undefined).join()).toMatch(/state=merged/);
    expect(c.checkRequest(list, p, new URLSearchParams('status=open'), undefined).join()).toMatch(/unknown query parameter status/);
  });

  it('responses are checked: a missing required field, a null where none is allowed, an undeclared success status', () => {
    const status = { url: 'u', avatar_url: null, id: 1, node_id: 'n', state: 'success', description: null, target_url: null, context: 'c', created_at: 't', updated_at: 't', creator: null };
    expect(c.checkResponse(key, 201, status)).toEqual([]);
    expect(c.checkResponse(key, 201, { ...status, context: undefined }).join()).toMatch(/context/);
    expect(c.checkResponse(key, 201, { ...status, context: null }).join()).toMatch(/must be string/);
    expect(c.checkResponse(key, 200, status).join()).toMatch(/status 200 is not declared/);
    expect(c.checkResponse('GET /repos/{owner}/{repo}/pulls/{pull_number}/merge', 204, { x: 1 }).join()).toMatch(/declares no body/);
  });

  it('GraphQL answers are GraphQL\'s shape: data and/or errors with messages, also in a 5xx', () => {
    expect(c.checkGraphqlResponse(200, { data: { x: null }, errors: [{ type: 'FORBIDDEN', message: 'no' }] })).toEqual([]);
    expect(c.checkGraphqlResponse(200, { errors: [{ type: 'RATE_LIMITED', message: 'spent' }] })).toEqual([]);
    expect(c.checkGraphqlResponse(200, {}).join()).toMatch(/neither data nor errors/);
    expect(c.checkGraphqlResponse(200, { data: {}, message: 'x' }).join()).toMatch(/no key message/);
    expect(c.checkGraphqlResponse(200, { errors: [{ type: 'X' }] }).join()).toMatch(/an error without a message/);
    expect(c.checkGraphqlResponse(200, { data: null, errors: [] }).join()).toMatch(/errors is not a non-empty list/);
    expect(c.checkGraphqlResponse(502, { data: null, errors: [{ message: 'Something went wrong' }] })).toEqual([]);
    expect(c.checkGraphqlResponse(502, { data: null, errors: [{ msg: 'x' }] }).join()).toMatch(/without a message/);
    expect(c.checkGraphqlResponse(403, { message: 'You have exceeded a secondary rate limit.' })).toEqual([]);
    expect(c.checkGraphqlResponse(302, {}).join()).toMatch(/status 302 is not GraphQL's/);
  });

  it('the fake answers an unknown request 400 (marked as its own) and records the failure', async () => {
    const fake = await startFakeGitHub({ token: 't' });
    try {
      const res = await fetch(`${fake.apiUrl}/user`, { headers: { authorization: 'token t' } });
      expect(res.status).toBe(400);
      expect(res.headers.get('x-fake-github-failure')).toBe('contract');
      expect(await res.json()).toEqual({ message: expect.stringMatching(/^fake-github: unknown request GET \/api\/v3\/user/) });
      const bad = await fetch(`${fake.apiUrl}/repos/acme/fleet/statuses/${'a'.repeat(40)}`, { method: 'POST', headers: { authorization: 'token t' }, body: JSON.stringify({ state: 'green' }) });
      expect(bad.status).toBe(400);
      expect(fake.failures).toHaveLength(2);
      expect(fake.failures[0]).toMatch(/unknown request GET \/api\/v3\/user/);
      expect(fake.failures[1]).toMatch(/breaks the contract/);
    } finally {
      await fake.close();
    }
  });
});

// The mutation as src/propose/providers/github.ts sends it; the provider's own tests send the real one through the fake.
const AUTO_MERGE = `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod, $expectedHeadOid: GitObjectID) {
  enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId, mergeMethod: $mergeMethod, expectedHeadOid: $expectedHeadOid}) {
    pullRequest { number autoMergeRequest { enabledAt mergeMethod } }
  }
}`;
const SHA = 'a'.repeat(40);
const VARS = { pullRequestId: 'PR_x', mergeMethod: 'SQUASH', expectedHeadOid: SHA };
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> };

describe('GraphQL: GitHub\'s published schema', () => {
  it('comes from the @octokit/graphql-schema that package.json names, and accepts the mutation gitfleet sends', () => {
    const { schema, version } = loadGraphqlSchema();
    expect(pkg.devDependencies['@octokit/graphql-schema']).toContain(version);
    expect(schema.getMutationType()?.getFields().enablePullRequestAutoMerge).toBeDefined();
    expect(loadGraphqlSchema()).toBe(loadGraphqlSchema());
    expect(checkGraphqlRequest({ query: AUTO_MERGE, variables: VARS })).toMatchObject({ ok: true });
    expect(checkGraphqlRequest({ query: AUTO_MERGE, variables: { pullRequestId: 'PR_x' } })).toMatchObject({ ok: true });
  });

  it.each([
    ['a field GitHub does not have', { query: AUTO_MERGE.replace('mergeMethod }', 'mergeStrategy }'), variables: VARS }, /Cannot query field "mergeStrategy" on type "AutoMergeRequest"/],
    ['a mutation GitHub does not have', { query: AUTO_MERGE.replace('enablePullRequestAutoMerge(', 'enableAutoMerge('), variables: VARS }, /Cannot query field "enableAutoMerge" on type "Mutation"/],
    ['a variable declared with the wrong type', { query: AUTO_MERGE.replace('$pullRequestId: ID!', '$pullRequestId: Int!'), variables: { ...VARS, pullRequestId: 1 } },
      /Variable "\$pullRequestId" of type "Int!" used in position expecting type "ID!"/],
    ['a variable value of the wrong type (enum)', { query: AUTO_MERGE, variables: { ...VARS, mergeMethod: 'squash' } }, /Value "squash" does not exist in "PullRequestMergeMethod" enum/],
    ['a variable value of the wrong type (object for ID)', { query: AUTO_MERGE, variables: { ...VARS, pullRequestId: { id: 1 } } }, /"\$pullRequestId" got invalid value/],
    ['a malformed GitObjectID', { query: AUTO_MERGE, variables: { ...VARS, expectedHeadOid: 'main' } }, /GitObjectID cannot represent 'main'/],
    ['an extra variable', { query: AUTO_MERGE, variables: { ...VARS, commitHeadline: 'x' } }, /variable \$commitHeadline is not declared/],
    ['a missing required variable', { query: AUTO_MERGE, variables: { mergeMethod: 'SQUASH' } }, /"\$pullRequestId" of required type "ID!" was not provided/],
    ['a syntax error', { query: AUTO_MERGE.slice(0, -2), variables: VARS }, /does not parse: Syntax Error/],
    ['an unknown body key', { query: AUTO_MERGE, variable: VARS }, /unknown keys variable/],
  ])('refuses %s', (_n, body, re) => {
    const r = checkGraphqlRequest(body);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.problems.join('\n')).toMatch(re);
  });

  describe('the answer is executed over the schema: a resolver breaking it is a problem, not a response', () => {
    const request = (): Parameters<typeof executeGraphql>[0] => {
      const r = checkGraphqlRequest({ query: AUTO_MERGE, variables: VARS });
      if (!r.ok) throw new Error(r.problems.join('\n'));
      return r.value;
    };
    const answer = (pr: Record<string, unknown>): Record<string, RootResolver> => ({ enablePullRequestAutoMerge: () => ({ pullRequest: pr }) });
    const good = { number: 7, autoMergeRequest: { enabledAt: '2024-05-01T10:00:00Z', mergeMethod: 'SQUASH' } };

    it('a well-typed answer is GitHub\'s body; the coerced input reaches the resolver', async () => {
      let input: unknown;
      const r = await executeGraphql(request(), { enablePullRequestAutoMerge: (a) => { input = a.input; return { pullRequest: good }; } });
      expect(r).toEqual({ ok: true, value: { data: { enablePullRequestAutoMerge: { pullRequest: good } } } });
      expect(input).toEqual({ pullRequestId: 'PR_x', mergeMethod: 'SQUASH', expectedHeadOid: SHA });
    });

    it.each([
      ['a wrong enum value', { ...good, autoMergeRequest: { ...good.autoMergeRequest, mergeMethod: 'squash' } }, /Enum "PullRequestMergeMethod" cannot represent value: "squash"/],
      ['a missing non-null field', { autoMergeRequest: good.autoMergeRequest }, /Cannot return null for non-nullable field PullRequest.number/],
      ['a malformed DateTime', { ...good, autoMergeRequest: { ...good.autoMergeRequest, enabledAt: 'yesterday' } }, /DateTime cannot represent 'yesterday'/],
    ])('%s', async (_n, pr, re) => {
      const r = await executeGraphql(request(), answer(pr));
      expect(r.ok).toBe(false);
      expect(r.ok ? '' : r.problems.join('\n')).toMatch(re);
    });

    it('a root field the fake does not implement is a problem', async () => {
      const r = await executeGraphql(request(), {});
      expect(r).toEqual({ ok: false, problems: ['the fake does not implement Mutation.enablePullRequestAutoMerge'] });
    });

    it('a GitHub refusal is an error in GitHub\'s shape beside data; any other thrown error is a problem', async () => {
      const refused = await executeGraphql(request(), { enablePullRequestAutoMerge: () => { throw new GithubGraphqlError('UNPROCESSABLE', 'Pull request is not open'); } });
      expect(refused).toEqual({ ok: true, value: {
        data: { enablePullRequestAutoMerge: null },
        errors: [{ type: 'UNPROCESSABLE', path: ['enablePullRequestAutoMerge'], locations: [{ line: 2, column: 3 }], message: 'Pull request is not open' }],
      } });
      const bug = await executeGraphql(request(), { enablePullRequestAutoMerge: () => { throw new TypeError('x is undefined'); } });
      expect(bug).toEqual({ ok: false, problems: [expect.stringMatching(/x is undefined .* at enablePullRequestAutoMerge/)] });
    });
  });

  describe('through the fake', () => {
    let fake: FakeGitHub;
    beforeAll(async () => { fake = await startFakeGitHub({ token: 't' }); });
    afterAll(async () => { await fake.close(); });
    const post = (body: unknown, token = 't'): Promise<Response> =>
      fetch(fake.apiUrl.replace('/v3', '/graphql'), { method: 'POST', headers: { authorization: `token ${token}` }, body: JSON.stringify(body) });

    it.each([
      ['a field GitHub does not have', { query: AUTO_MERGE.replace('number', 'numbr'), variables: VARS }, /request breaks GitHub's GraphQL schema: Cannot query field "numbr"/],
      ['a wrong variable type', { query: AUTO_MERGE, variables: { ...VARS, mergeMethod: 'FAST' } }, /request breaks GitHub's GraphQL schema: .*"FAST" does not exist/],
      ['an extra variable', { query: AUTO_MERGE, variables: { ...VARS, labels: ['x'] } }, /request breaks GitHub's GraphQL schema: variable \$labels is not declared/],
      ['a query the fake does not implement', { query: '{ viewer { login } }' }, /response breaks GitHub's GraphQL schema: the fake does not implement Query.viewer/],
    ])('refuses loudly %s: 400 and a recorded failure', async (_n, body, re) => {
      const before = fake.failures.length;
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.headers.get('x-fake-github-failure')).toBe('contract');
      expect(fake.failures.slice(before)).toEqual([expect.stringMatching(re)]);
    });

    it('a token that may read but not write: GitHub\'s answer, 200 with FORBIDDEN at the field, nothing changed', async () => {
      fake.tokens.set('ro', 'read');
      const t = '2024-05-01T10:00:00Z';
      fake.pulls.push({
        number: 1, nodeId: 'PR_ro', title: 't', body: '', head: 'gitfleet/x', base: 'main', state: 'open', merged: false, headSha: SHA, mergeCommitSha: null,
        createdAt: t, updatedAt: t, closedAt: null, mergedAt: null, labels: [], autoMerge: null,
      });
      try {
        const before = fake.failures.length;
        const res = await post({ query: AUTO_MERGE, variables: { ...VARS, pullRequestId: 'PR_ro' } }, 'ro');
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({
          data: { enablePullRequestAutoMerge: null },
          errors: [{ type: 'FORBIDDEN', path: ['enablePullRequestAutoMerge'], locations: [{ line: 2, column: 3 }], message: 'Resource not accessible by integration' }],
        });
        expect(fake.pulls[0]?.autoMerge).toBeNull();
        // what it cannot see is still NOT_FOUND, as for any token
        expect(await (await post({ query: AUTO_MERGE, variables: VARS }, 'ro')).json()).toMatchObject({ errors: [{ type: 'NOT_FOUND' }] });
        expect(fake.failures.slice(before)).toEqual([]);
      } finally {
        fake.pulls.length = 0;
        fake.tokens.delete('ro');
      }
    });

    it.each([
      ['forbidden', 200, (b: unknown) => expect(b).toEqual({
        data: { enablePullRequestAutoMerge: null },
        errors: [{ type: 'FORBIDDEN', path: ['enablePullRequestAutoMerge'], locations: [{ line: 2, column: 3 }], message: 'Resource not accessible by integration' }],
      }), {}],
      ['not-found', 200, (b: unknown) => expect(b).toMatchObject({
        data: { enablePullRequestAutoMerge: null }, errors: [{ type: 'NOT_FOUND', path: ['enablePullRequestAutoMerge'], message: "Could not resolve to a node with the global id of 'PR_x'" }],
      }), {}],
      ['rate-limit', 200, (b: unknown) => expect(b).toEqual({ errors: [{ type: 'RATE_LIMITED', message: expect.stringMatching(/^API rate limit exceeded/) }] }),
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-resource': 'graphql' }],
      ['secondary-limit', 403, (b: unknown) => expect(b).toMatchObject({ message: expect.stringMatching(/secondary rate limit/) }), { 'retry-after': '1' }],
      ['bad-gateway', 502, (b: unknown) => expect(b).toEqual({ data: null, errors: [{ message: expect.stringMatching(/^Something went wrong while executing your query\. .*Please include `FAKE:\d+`/) }] }), {}],
      ['server-error', 500, (b: unknown) => expect(b).toMatchObject({ data: null, errors: [{ message: expect.stringMatching(/^Something went wrong/) }] }), {}],
    ] as const)('a %s fault on GraphQL is answered as GitHub answers it there, once, and is no failure', async (fault, status, body, headers) => {
      const before = fake.failures.length;
      fake.fail({ path: /\/graphql$/ }, fault);
      const res = await post({ query: AUTO_MERGE, variables: VARS });
      expect(res.status).toBe(status);
      body(await res.json());
      for (const [k, v] of Object.entries(headers)) expect(res.headers.get(k)).toBe(v);
      const next = await post({ query: AUTO_MERGE, variables: VARS });
      expect(next.status).toBe(200);
      expect(await next.json()).toMatchObject({ errors: [{ type: 'NOT_FOUND' }] });
      expect(fake.failures.slice(before)).toEqual([]);
    });

    it('a request breaking the schema is a failure before any fault: the fault waits for a valid request', async () => {
      const before = fake.failures.length;
      fake.fail({ path: /\/graphql$/ }, 'bad-gateway');
      expect((await post({ query: AUTO_MERGE.replace('number', 'numbr'), variables: VARS })).status).toBe(400);
      expect((await post({ query: AUTO_MERGE, variables: VARS })).status).toBe(502);
      expect(fake.failures.slice(before)).toEqual([expect.stringMatching(/Cannot query field "numbr"/)]);
      fake.failures.length = before;
    });

    it('octokit\'s retry plugin (its defaults) does not retry the fake\'s refusal: one bad request, one failure', async () => {
      const Client = Octokit.plugin(retry);
      const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
      const octokit = new Client({ baseUrl: fake.apiUrl, auth: 't', retry: { retryAfterBaseValue: 1 }, log: quiet });
      const before = { failures: fake.failures.length, requests: fake.requests.length };
      const err = await octokit.graphql(AUTO_MERGE.replace('number', 'numbr'), VARS).then(() => undefined, (e: unknown) => e as { status?: number; message?: string });
      expect(err).toMatchObject({ status: 400, message: expect.stringMatching(/^fake-github: graphql request breaks GitHub's GraphQL schema/) });
      const rest = await octokit.request('GET /user').then(() => undefined, (e: unknown) => e as { status?: number });
      expect(rest).toMatchObject({ status: 400 });
      expect(fake.requests.length - before.requests).toBe(2);
      expect(fake.failures.slice(before.failures)).toEqual([expect.stringMatching(/Cannot query field "numbr"/), expect.stringMatching(/unknown request GET \/api\/v3\/user/)]);
      // the same client does retry a real 502
      fake.fail({ path: /\/graphql$/ }, 'bad-gateway');
      const ok = await octokit.graphql(AUTO_MERGE, VARS).then(() => 'ok', (e: unknown) => e as { errors?: { type: string }[] });
      expect(ok).toMatchObject({ errors: [{ type: 'NOT_FOUND' }] });
      expect(fake.requests.length - before.requests).toBe(4);
      fake.failures.length = before.failures;
    });

    it('answers GitHub\'s NOT_FOUND for an unknown pull request id, and 401 on bad credentials, within the contract', async () => {
      const before = fake.failures.length;
      const res = await post({ query: AUTO_MERGE, variables: VARS });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        data: { enablePullRequestAutoMerge: null },
        errors: [{ type: 'NOT_FOUND', path: ['enablePullRequestAutoMerge'], locations: [{ line: 2, column: 3 }], message: "Could not resolve to a node with the global id of 'PR_x'" }],
      });
      expect((await post({ query: AUTO_MERGE, variables: VARS }, 'wrong')).status).toBe(401);
      expect(fake.failures.slice(before)).toEqual([]);
    });
  });
});
