// Commit statuses `gitfleet/<host>` for a rollout, set through the github provider against the fake GitHub.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubProvider } from '../../src/propose/providers/github.js';
import { reportRolloutStatus, rolloutStatus, type RolloutState } from '../../src/propose/status.js';
import { execRunner } from '../../src/util/exec.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const TOKEN = `ghp_${randomBytes(18).toString('hex')}`;
let fake: FakeGitHub;
let dir: string;
let sha: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gh-status-'));
  fake = await startFakeGitHub({ token: TOKEN });
  sha = await fake.seed({ 'fleet.yaml': 'name: acme\n' });
});

afterAll(async () => {
  const failures = [...fake.failures];
  await fake.close();
  await rm(dir, { recursive: true, force: true });
  expect(failures).toEqual([]);
});

const provider = () => githubProvider({
  owner: 'acme', repo: 'fleet', baseUrl: fake.apiUrl, auth: { token: TOKEN }, gitRemoteUrl: fake.gitUrl,
  workspaceDir: join(dir, 'ws'), runner: execRunner, retry: { timeScaleMs: 5, pacing: false },
});

describe('reportRolloutStatus', () => {
  it.each<[RolloutState, 'success' | 'failure' | 'pending']>([
    ['applied', 'success'],
    ['no-changes', 'success'],
    ['failed', 'failure'],
    ['rolled-back', 'failure'],
    ['rollback-failed', 'failure'],
    ['waiting-for-wave', 'pending'],
    ['outside-window', 'pending'],
    ['applying', 'pending'],
  ])('%s → %s on gitfleet/<host>, accepted by the GitHub contract', async (state, expected) => {
    const host = `web-${state}`;
    const sent = await reportRolloutStatus(provider(), sha, host, state);
    expect(sent).toMatchObject({ context: `gitfleet/${host}`, state: expected });
    expect(fake.statuses.filter((s) => s.context === `gitfleet/${host}`)).toEqual([
      { sha, state: expected, context: `gitfleet/${host}`, description: sent.description, targetUrl: null },
    ]);
    expect(fake.failures).toEqual([]);
  });

  it('carries the detail and a target URL; long descriptions are cut to GitHub\'s 140 characters', async () => {
    const sent = await reportRolloutStatus(provider(), sha, 'db-01', 'rolled-back', { detail: 'x'.repeat(300), targetUrl: 'https://fleet.example/hosts/db-01' });
    expect(sent.description.startsWith('failed its health checks and was rolled back: xxx')).toBe(true);
    const got = fake.statuses.find((s) => s.context === 'gitfleet/db-01');
    expect(got?.description?.length).toBe(140);
    expect(got?.targetUrl).toBe('https://fleet.example/hosts/db-01');
  });

  it('refuses a host name that is not one, and a SHA that is not a full SHA', async () => {
    expect(() => rolloutStatus('bad host', 'applied')).toThrow(/not a valid host name/);
    await expect(reportRolloutStatus(provider(), 'abc', 'web-01', 'applied')).rejects.toThrow(/not a full commit SHA/);
  });

  it('a commit GitHub does not know is a clear 422', async () => {
    await expect(reportRolloutStatus(provider(), 'f'.repeat(40), 'web-01', 'applied')).rejects.toThrow(/422 validation failed.*No commit found/);
  });
});
