// The contract the fake GitHub enforces: the OpenAPI subset, its regeneration script, and that the checks bite.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadContract, startFakeGitHub, toJsonSchema } from '../helpers/fake-github.js';
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

  it('the fake answers an unknown request 501 and records the failure', async () => {
    const fake = await startFakeGitHub({ token: 't' });
    try {
      const res = await fetch(`${fake.apiUrl}/user`, { headers: { authorization: 'token t' } });
      expect(res.status).toBe(501);
      const bad = await fetch(`${fake.apiUrl}/repos/acme/fleet/statuses/${'a'.repeat(40)}`, { method: 'POST', headers: { authorization: 'token t' }, body: JSON.stringify({ state: 'green' }) });
      expect(bad.status).toBe(501);
      expect(fake.failures).toHaveLength(2);
      expect(fake.failures[0]).toMatch(/unknown request GET \/api\/v3\/user/);
      expect(fake.failures[1]).toMatch(/breaks the contract/);
    } finally {
      await fake.close();
    }
  });
});
