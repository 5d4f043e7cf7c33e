// Real recorded GitHub traffic (@octokit/fixtures) replayed through the provider's own client code: an injected
// fetch serves the recorded responses in order and fails on any difference in method, path, body or headers.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubProvider } from '../../src/propose/providers/github.js';
import { execRunner } from '../../src/util/exec.js';
import { loadContract } from '../helpers/fake-github.js';

interface Recorded {
  method: string;
  path: string;
  body?: unknown;
  status: number;
  response: unknown;
  reqheaders: Record<string, string | number>;
  headers: Record<string, string | number>;
}

const require = createRequire(import.meta.url);
const scenarios = join(dirname(require.resolve('@octokit/fixtures/package.json')), 'scenarios', 'api.github.com');
const recorded = (name: string): Recorded[] => JSON.parse(readFileSync(join(scenarios, name, 'normalized-fixture.json'), 'utf8')) as Recorded[];
const FIXTURE_TOKEN = '0000000000000000000000000000000000000001';
const SHA = '0000000000000000000000000000000000000001';

/** A fetch that answers only `expected`, in order; anything else is recorded as a mismatch and answered 501. */
function replay(expected: Recorded[]) {
  const queue = [...expected];
  const mismatches: string[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const next = queue.shift();
    const headers = new Headers(init?.headers);
    const body: unknown = init?.body ? JSON.parse(String(init.body)) : undefined;
    const got = { method: (init?.method ?? 'GET').toLowerCase(), path: url.pathname + url.search, body };
    const want = next && { method: next.method, path: next.path, body: next.body };
    if (!next || JSON.stringify(sortKeys(got)) !== JSON.stringify(sortKeys(want))) {
      mismatches.push(`expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
      return new Response(JSON.stringify({ message: 'replay mismatch' }), { status: 501 });
    }
    for (const h of ['accept', 'authorization', 'content-type']) {
      if (String(next.reqheaders[h]) !== headers.get(h)) mismatches.push(`header ${h}: expected ${String(next.reqheaders[h])}, got ${headers.get(h)}`);
    }
    const out = new Headers();
    for (const [k, v] of Object.entries(next.headers)) if (k !== 'content-length') out.set(k, String(v));
    return new Response(JSON.stringify(next.response), { status: next.status, headers: out });
  };
  return { fetch, mismatches, left: () => queue.length };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sortKeys(x)]));
}

function provider(repo: string, fetch: typeof globalThis.fetch) {
  return githubProvider({
    owner: 'octokit-fixture-org', repo, auth: { token: FIXTURE_TOKEN }, fetch, retry: { pacing: false, timeScaleMs: 1 },
    gitRemoteUrl: 'https://github.invalid/unused.git', workspaceDir: '/nonexistent', runner: execRunner,
  });
}

describe('recorded GitHub traffic through the provider', () => {
  it('create-status: setCommitStatus sends exactly what GitHub recorded and accepts its answers', async () => {
    const calls = recorded('create-status').filter((c) => c.method === 'post' && c.path.includes('/statuses/'));
    expect(calls).toHaveLength(2);
    const r = replay(calls);
    const gh = provider('create-status', r.fetch);
    await gh.setCommitStatus(SHA, { state: 'failure', targetUrl: 'https://example.com', description: 'create-status failure test', context: 'example/1' });
    await gh.setCommitStatus(SHA, { state: 'success', targetUrl: 'https://example.com', description: 'create-status success test', context: 'example/2' });
    expect(r.mismatches).toEqual([]);
    expect(r.left()).toBe(0);
  });

  it('add-labels-to-issue: addLabels sends exactly what GitHub recorded', async () => {
    const calls = recorded('add-labels-to-issue').filter((c) => c.path.endsWith('/labels'));
    expect(calls).toHaveLength(1);
    const r = replay(calls);
    const gh = provider('add-labels-to-issue', r.fetch);
    await gh.addLabels({ id: '1', branch: 'b', title: 't', state: 'open', headSha: SHA }, ['Foo', 'bAr', 'baZ']);
    expect(r.mismatches).toEqual([]);
    expect(r.left()).toBe(0);
  });

  it('a replayed body that differs fails the replay (the check can fail)', async () => {
    const calls = recorded('create-status').filter((c) => c.method === 'post').slice(0, 1);
    const r = replay(calls);
    await expect(provider('create-status', r.fetch).setCommitStatus(SHA, { state: 'success', description: 'other', context: 'example/1' })).rejects.toThrow();
    expect(r.mismatches[0]).toMatch(/"description":"other"/);
  });

  it.each(['create-status', 'add-labels-to-issue'])('%s: the recorded requests and responses satisfy the OpenAPI subset', (name) => {
    const contract = loadContract();
    for (const c of recorded(name)) {
      const m = contract.match(c.method.toUpperCase(), c.path.split('?')[0] ?? '');
      if (!m) continue; // calls gitfleet does not make (create issue, list statuses)
      expect(contract.checkRequest(m.key, m.params, new URLSearchParams(c.path.split('?')[1] ?? ''), c.body)).toEqual([]);
      expect(contract.checkResponse(m.key, c.status, c.response)).toEqual([]);
    }
  });
});
