// Commit statuses `gitfleet/<host>` set by the agent through the github provider, against the fake GitHub (its
// requests and responses checked against GitHub's OpenAPI description): pending while gated, success once applied
// healthy, failure after a rollback; nothing with the git provider; a refused call is logged and sent again.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentFixture, fleetFiles, type AgentFixture, type FleetSpec, startCycling } from './helpers.js';
import { type RunningAgent } from '../../src/agent/loop.js';
import type { ReconcileContext } from '../../src/agent/reconcile.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { runCli } from '../helpers/cli.js';

const TOKEN = `ghp_${randomBytes(18).toString('hex')}`;
const running: RunningAgent[] = [];
const fakes: FakeGitHub[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
  const all = fakes.splice(0);
  const failures = all.flatMap((f) => f.failures);
  await Promise.all(all.map((f) => f.close()));
  expect(failures).toEqual([]);
});

async function setup(): Promise<{ fx: AgentFixture; fake: FakeGitHub; github: string }> {
  const fx = await agentFixture();
  const fake = await startFakeGitHub({ token: TOKEN });
  fakes.push(fake);
  return { fx, fake, github: `{github: {owner: acme, repo: fleet, baseUrl: "${fake.apiUrl}"}}` };
}

/** The agent's fleet files with `provider` in fleet.yaml. */
function files(provider: string, spec: FleetSpec = {}): Record<string, string> {
  const f = fleetFiles(spec);
  f['fleet.yaml'] = `${f['fleet.yaml']!}provider: ${provider}\n`;
  return f;
}

/** An agent for `host` following the fake's repository (by path), with the token and short GitHub retries. */
async function start(fx: AgentFixture, fake: FakeGitHub, host = 'h1', provider: ReconcileContext['provider'] = { env: { GITHUB_TOKEN: TOKEN } }) {
  const base = fx.ctx({ host });
  const ctx: ReconcileContext = {
    ...base, repo: fake.bare, hostRun: { ...base.hostRun, repo: fake.bare },
    provider: { ...provider, github: { retry: { timeScaleMs: 5, pacing: false } } },
  };
  return startCycling({ ...fx.options(), ctx, watch: false }, running);
}

const closedWindow = (): { cron: string; duration: string }[] => {
  const now = new Date();
  return [{ cron: now.getUTCMonth() === 0 && now.getUTCDate() === 1 ? '0 0 2 2 *' : '0 0 1 1 *', duration: '1m' }];
};

describe('the agent sets gitfleet/<host> commit statuses with the github provider', () => {
  it('success when applied healthy (once), failure after a rollback, pending outside the window', async () => {
    const { fx, fake, github } = await setup();
    const r1 = await fake.seed(files(github));
    const { first, cycle } = await start(fx, fake);
    expect(first).toMatchObject({ result: 'ok', head: r1 });
    expect(fake.statuses).toEqual([{ sha: r1, state: 'success', context: 'gitfleet/h1', description: 'applied and healthy', targetUrl: null }]);
    // The same verdict is not sent again: a no-op cycle sends nothing.
    expect(await cycle()).toMatchObject({ kind: 'noop' });
    expect(fake.statuses).toHaveLength(1);

    const r2 = await fake.seed(files(github, { hosts: [{ name: 'h1', sandboxes: ['s1', 's2'] }], health: ['false'] }));
    expect(await cycle()).toMatchObject({ result: 'failed', head: r2 });
    expect(fake.statuses.slice(1)).toMatchObject([{ sha: r2, state: 'failure', context: 'gitfleet/h1' }]);
    expect(fake.statuses[1]?.description).toMatch(/^failed its health checks and was rolled back/);

    const r3 = await fake.seed(files(github, { hosts: [{ name: 'h1', sandboxes: ['s1', 's3'] }], maintenance: closedWindow() }));
    expect(await cycle()).toMatchObject({ result: 'gated', head: r3 });
    expect(fake.statuses.slice(2)).toMatchObject([{ sha: r3, state: 'pending', context: 'gitfleet/h1' }]);
    expect(fake.statuses[2]?.description).toMatch(/^waiting for a maintenance window/);
    // Still gated at the next cycle: the pending status is not repeated.
    expect(await cycle()).toMatchObject({ result: 'gated' });
    expect(fake.statuses).toHaveLength(3);
    expect(fake.requests.filter((r) => r.operation !== 'POST /repos/{owner}/{repo}/statuses/{sha}')).toEqual([]);
  }, 30_000);

  it('pending while an earlier wave has not reported the revision healthy', async () => {
    const { fx, fake, github } = await setup();
    const r1 = await fake.seed(files(github, { waves: [{ name: 'canary' }, { name: 'broad' }], hosts: [{ name: 'h1', wave: 'canary' }, { name: 'h2', wave: 'broad' }] }));
    const { first } = await start(fx, fake, 'h2');
    expect(first).toMatchObject({ result: 'gated', head: r1 });
    expect(fake.statuses).toMatchObject([{ sha: r1, state: 'pending', context: 'gitfleet/h2' }]);
    expect(fake.statuses[0]?.description).toMatch(/^waiting for earlier waves to be healthy/);
  }, 30_000);

  it('a token read at each use (--github-token-file) is used; a refused call is logged, not fatal, and sent after the next cycle', async () => {
    const { fx, fake, github } = await setup();
    const r1 = await fake.seed(files(github));
    fake.fail({ method: 'POST', path: /\/statuses\// }, 'server-error', { times: 3 }); // the first try and both retries
    const { first, cycle } = await start(fx, fake, 'h1', { env: {}, githubToken: async () => TOKEN });
    expect(first).toMatchObject({ result: 'ok', head: r1 });
    expect(fake.statuses).toEqual([]);
    expect(fake.requests.filter((r) => r.operation === 'POST /repos/{owner}/{repo}/statuses/{sha}').map((r) => r.status)).toEqual([500, 500, 500]);
    expect(await cycle()).toMatchObject({ kind: 'noop' });
    expect(fake.statuses).toMatchObject([{ sha: r1, state: 'success', context: 'gitfleet/h1' }]);
  }, 30_000);

  it('sends nothing with the git provider, nor without a token', async () => {
    const { fx, fake, github } = await setup();
    const r1 = await fake.seed(files('{git: {}}'));
    expect((await start(fx, fake)).first).toMatchObject({ result: 'ok', head: r1 });
    await fake.seed(files(github, { hosts: [{ name: 'h2' }] }));
    expect((await start(fx, fake, 'h2', { env: {} })).first).toMatchObject({ result: 'ok' });
    expect(fake.requests).toEqual([]);
    expect(fake.statuses).toEqual([]);
  }, 30_000);

  it('gitfleet agent --once --github-token-file: the status reaches GitHub with the token from the file', async () => {
    const { fx, fake, github } = await setup();
    const r1 = await fake.seed(files(github));
    const tokenFile = join(fx.tmp, 'token');
    await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const args = ['agent', '--once', '--no-http', '--repo', fake.bare, '--host', 'h1', '--state-dir', fx.state(), '--github-token-file', tokenFile];
    const { code, err } = await runCli(args, { env: { ...process.env, GITHUB_TOKEN: '', GITFLEET_LOG_LEVEL: 'silent' } });
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(fake.statuses).toEqual([{ sha: r1, state: 'success', context: 'gitfleet/h1', description: 'applied and healthy', targetUrl: null }]);
  }, 30_000);
});
