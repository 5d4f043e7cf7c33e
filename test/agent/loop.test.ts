// The agent's intervals come from the host's resolved `agent` settings (host `agent:`, else fleet `defaults`, else
// 30s/5m) unless a flag gives them, and are re-read at every validated revision.
import { afterEach, describe, expect, it } from 'vitest';
import { agentFixture, fleetFiles, type AgentFixture, type FleetSpec, startCycling } from './helpers.js';
import { type AgentOptions, type RunningAgent } from '../../src/agent/loop.js';
import type { CycleOutcome } from '../../src/agent/reconcile.js';

const running: RunningAgent[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

/** Fleet files with fleet `defaults` and host h1's `agent:` settings. */
function files(o: { defaults?: string; agent?: string; spec?: FleetSpec } = {}): Record<string, string> {
  const f = fleetFiles(o.spec);
  if (o.defaults) f['fleet.yaml'] = `${f['fleet.yaml']!}defaults: ${o.defaults}\n`;
  if (o.agent) f['hosts/h1.yaml'] = `${f['hosts/h1.yaml']!}agent: ${o.agent}\n`;
  return f;
}

/** An agent with no interval flags unless `over` gives them. */
async function start(fx: AgentFixture, over: Partial<AgentOptions> = {}) {
  return startCycling({ ...fx.options(), intervalMs: undefined, driftIntervalMs: undefined, watch: false, ...over }, running);
}

describe('the agent schedule', () => {
  it('follows fleet defaults, then host settings merged later, keeps them through an invalid revision; flags win', async () => {
    const fx = await agentFixture();
    await fx.repo.commit(files({ defaults: '{interval: 45s, driftInterval: 7m}' }));
    const { agent, first, cycle } = await start(fx);
    expect(first).toMatchObject({ result: 'ok' });
    expect(agent.schedule()).toEqual({ intervalMs: 45_000, driftIntervalMs: 420_000 });

    // A merged change to the host's agent settings takes effect after the cycle that validates it.
    await fx.repo.commit(files({ defaults: '{interval: 45s, driftInterval: 7m}', agent: '{interval: 2s}' }));
    expect(await cycle()).toMatchObject({ result: 'ok' });
    expect(agent.schedule()).toEqual({ intervalMs: 2_000, driftIntervalMs: 420_000 });

    // An invalid revision is not read: the last good settings stay.
    await fx.repo.commit({ 'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\npolicies: [p]\nagent: {interval: 1s, color: blue}\nsandboxes: {s1: {template: node}}\n' });
    expect(await cycle()).toMatchObject({ result: 'invalid' });
    expect(agent.schedule()).toEqual({ intervalMs: 2_000, driftIntervalMs: 420_000 });

    // Without any settings: 30s / 5m.
    await fx.repo.commit(files());
    expect(await cycle()).toMatchObject({ result: 'ok' });
    expect(agent.schedule()).toEqual({ intervalMs: 30_000, driftIntervalMs: 300_000 });
    await agent.stop();
    running.pop();

    // Restarted with --interval: the flag wins for the interval; the host's drift interval still applies.
    await fx.repo.commit(files({ agent: '{interval: 3s, driftInterval: 1m}' }));
    const flagged = await start(fx, { intervalMs: 60_000 });
    expect(flagged.agent.schedule()).toEqual({ intervalMs: 60_000, driftIntervalMs: 60_000 });
  });

  it('polls and observes on the host\'s own intervals when no flag is given', async () => {
    const fx = await agentFixture();
    await fx.repo.commit(files({ agent: '{interval: 100ms, driftInterval: 300ms}' }));
    const { agent, first } = await start(fx);
    expect(first).toMatchObject({ kind: 'full', result: 'ok' });
    // No wake-ups: the cycles that follow come from the schedule alone (30 s by default would time this out).
    const seen: CycleOutcome[] = [];
    const started = Date.now();
    while (!seen.some((o) => o.kind === 'full') || seen.length < 3) seen.push(await agent.nextCycle());
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seen.some((o) => o.kind === 'noop')).toBe(true); // polls between drift cycles
    expect(seen.filter((o) => o.kind === 'full').length).toBeLessThan(seen.length);
  }, 10_000);
});
