import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { agentFixture, fleetFiles } from './helpers.js';

async function once(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return cli(['--once', '--no-http', ...args]);
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCli(['agent', ...args], { env: { ...process.env, GITFLEET_LOG_LEVEL: 'silent' } });
}

describe('gitfleet agent --once', () => {
  it('exits 0 when applied or nothing to do, 1 on an invalid revision, 3 when gated', async () => {
    const fx = await agentFixture();
    const args = ['--repo', fx.repo.remote, '--host', 'h1', '--state-dir', fx.state()];
    await fx.repo.commit(fleetFiles());
    const first = await once(args);
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toMatch(/^h1: healthy at [0-9a-f]{12}/);
    expect((await once(args)).code).toBe(0);

    await fx.repo.commit({ 'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\n' });
    const invalid = await once(args);
    expect(invalid.code).toBe(1);
    expect(invalid.out).toMatch(/degraded .*ValidationFailed/);

    const now = new Date();
    const closed = now.getUTCMonth() === 0 && now.getUTCDate() === 1 ? '0 0 2 2 *' : '0 0 1 1 *';
    await fx.repo.commit(fleetFiles({ hosts: [{ name: 'h1', sandboxes: ['s1', 's2'] }], maintenance: [{ cron: closed, duration: '1m' }] }));
    const gated = await once(args);
    expect(gated.code).toBe(3);
    expect(gated.out).toMatch(/pending .*OutsideMaintenanceWindow/);
  }, 30_000);

  it.each([
    [['--interval', '30'], /--interval takes a duration/],
    [['--http', '0.0.0.0:1'], /loopback/],
    [['--require-signed'], /--allowed-signers/],
    [['--webhook-listen', '127.0.0.1:0'], /--webhook-secret-file/],
    [['--github-token-file', '/nonexistent/token'], /GitHub token file .* missing/],
  ])('refuses bad flags %j', async (extra, message) => {
    const r = await cli(['--repo', '/nonexistent', '--host', 'h1', '--state-dir', '/nonexistent/state', ...extra]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
  });
});
