import { afterEach, describe, expect, it } from 'vitest';
import { agentFixture, fleetFiles } from './helpers.js';
import { startAgent, type RunningAgent } from '../../src/agent/loop.js';
import { signBody } from '../../src/events/sinks/webhook.js';
import type { WebhookVerdict } from '../../src/agent/webhook.js';

const running: RunningAgent[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

describe('triggers', () => {
  it('a push to a local bare repository triggers a cycle within 2 s (interval 1 h)', async () => {
    const fx = await agentFixture();
    await fx.repo.commit(fleetFiles());
    const agent = await startAgent({ ...fx.options(), intervalMs: 3_600_000 });
    running.push(agent);
    await agent.nextCycle();
    const next = agent.nextCycle();
    const sha = await fx.repo.commit(fleetFiles({ hosts: [{ name: 'h1', sandboxes: ['s1', 's2'] }] }));
    const pushed = Date.now();
    const out = await Promise.race([next, new Promise<null>((r) => setTimeout(() => r(null), 2_000))]);
    expect(out).toMatchObject({ result: 'ok', head: sha });
    expect(Date.now() - pushed).toBeLessThan(2_000);
  });

  it('webhook: a signed push triggers; unsigned, badly signed, non-push and malformed deliveries are refused and trigger nothing', async () => {
    const fx = await agentFixture();
    await fx.repo.commit(fleetFiles());
    const verdicts: WebhookVerdict[] = [];
    const secret = 's3cret';
    const agent = await startAgent({ ...fx.options(), intervalMs: 3_600_000, watch: false, webhook: { at: { host: '127.0.0.1', port: 0 }, secret, onVerdict: (v) => verdicts.push(v) } });
    running.push(agent);
    await agent.nextCycle();
    const url = `http://127.0.0.1:${agent.addresses.webhook!.port}/`;
    const post = (body: string, headers: Record<string, string>) => fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    const push = JSON.stringify({ ref: 'refs/heads/main', after: 'x' });
    const sha = await fx.repo.commit(fleetFiles({ hosts: [{ name: 'h1', sandboxes: ['s1', 's2'] }] }));
    let cycles = 0;
    void (async () => { for (;;) { await agent.nextCycle(); cycles++; } })();

    const refused: [string, Record<string, string>, number, WebhookVerdict][] = [
      [push, { 'x-github-event': 'push' }, 401, 'unsigned'],
      [push, { 'x-github-event': 'push', 'x-hub-signature-256': signBody(push, 'wrong') }, 401, 'bad-signature'],
      [push, { 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=zz' }, 401, 'bad-signature'],
      [push, { 'x-github-event': 'ping', 'x-hub-signature-256': signBody(push, secret) }, 400, 'not-push'],
      ['{not json', { 'x-github-event': 'push', 'x-hub-signature-256': signBody('{not json', secret) }, 400, 'malformed'],
    ];
    for (const [body, headers, code, verdict] of refused) {
      const res = await post(body, headers);
      expect(res.status).toBe(code);
      expect(verdicts.at(-1)).toBe(verdict);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(cycles).toBe(0);
    expect(agent.status()?.revision.applied).not.toBe(sha);

    const next = agent.nextCycle();
    const ok = await post(push, { 'x-github-event': 'push', 'x-hub-signature-256': signBody(push, secret) });
    expect(ok.status).toBe(202);
    expect(await next).toMatchObject({ result: 'ok', head: sha });
  });

  it('serves /healthz, /status and /metrics over HTTP', async () => {
    const fx = await agentFixture();
    const sha = await fx.repo.commit(fleetFiles());
    const agent = await startAgent({ ...fx.options(), intervalMs: 200, watch: false, http: { host: '127.0.0.1', port: 0 } });
    running.push(agent);
    await agent.nextCycle();
    await agent.nextCycle(); // a no-op cycle too
    const base = `http://127.0.0.1:${agent.addresses.http!.port}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const status = await (await fetch(`${base}/status`)).json() as { host: string; health: string; revision: { applied: string } };
    expect(status).toMatchObject({ host: 'h1', health: 'healthy', revision: { applied: sha } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/gitfleet_cycles_total\{result="ok"\} 1/);
    expect(metrics).toMatch(/gitfleet_cycles_total\{result="noop"\} [1-9]/);
    expect(metrics).toMatch(/gitfleet_cycle_duration_seconds_count [2-9]/);
    expect(metrics).toMatch(/gitfleet_last_success_timestamp_seconds \d{10}/);
    expect(metrics).toMatch(/gitfleet_drift_packages 0/);
    expect(metrics).toMatch(/gitfleet_apply_failures_total 0/);
    expect(metrics).toContain(`gitfleet_revision_info{revision="${sha}"} 1`);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    await agent.stop();
    running.pop();
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
