// The agent's intervals come from the host's resolved `agent` settings (host `agent:`, else fleet `defaults`, else
// 30s/5m) unless a flag gives them, and are re-read at every validated revision.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { agentFixture, fleetFiles, type AgentFixture, type FleetSpec, startCycling, statusOf } from './helpers.js';
import { type AgentOptions, type RunningAgent } from '../../src/agent/loop.js';
import type { CycleOutcome } from '../../src/agent/reconcile.js';
import { execRunner, type Runner } from '../../src/util/exec.js';

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

describe('an unexpected reconcile failure', () => {
  it('is ReconcileFailed in the status and the log, naming a repository URL without its token; the loop goes on', async () => {
    const fx = await agentFixture();
    const token = 'ghp_loopUnexpectedT0ken00000000000000000';
    const url = 'https://git.example.com/acme/fleet.git';
    // The real runner, except that, once armed, the history check fails as a partial clone's lazy fetch would:
    // reconcile does not expect that, so it reaches the loop's catch.
    let armed = false;
    const runner: Runner = {
      run: async (cmd) => (armed && cmd.args.includes('merge-base')
        ? { command: cmd, exitCode: 128, stdout: '', stderr: `fatal: unable to access '${url.replace('https://', `https://x-access-token:${token}@`)}/': Could not resolve host`, durationMs: 1 }
        : execRunner.run(cmd)),
    };
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, { write: (l: string) => { lines.push(l); } });
    await fx.repo.commit(files());
    const { first, cycle } = await start(fx, { ctx: fx.ctx({ runner, log }) });
    expect(first).toMatchObject({ result: 'ok' });

    await fx.repo.commit(files({ agent: '{interval: 2s}' }));
    armed = true;
    expect(await cycle()).toMatchObject({ result: 'error' });
    const s = await statusOf(fx.state());
    expect(s.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ReconcileFailed', message: expect.stringContaining(`unable to access '${url}/'`) });
    expect(s.lastError).toMatchObject({ code: 'E_INTERNAL', message: expect.stringContaining(url) });
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; err?: string }).find((l) => l.msg === 'reconcile failed unexpectedly');
    expect(logged?.err).toContain(url);
    expect(JSON.stringify(s) + lines.join('')).not.toContain(token);

    armed = false;
    expect(await cycle()).toMatchObject({ result: 'ok' });
  });
});
