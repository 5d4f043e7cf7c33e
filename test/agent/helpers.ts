// Real parts for agent tests: fleets made of node-prefix sandboxes (creating one is an action that costs a mkdir),
// real git repositories, a runner that counts what it runs, and a silent logger.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { execRunner, type Command, type Runner } from '../../src/util/exec.js';
import { EventBus } from '../../src/events/bus.js';
import type { AnyEvent, EventSink } from '../../src/events/types.js';
import type { ReconcileContext } from '../../src/agent/reconcile.js';
import { startAgent, type AgentOptions, type RunningAgent } from '../../src/agent/loop.js';
import type { HostStatus } from '../../src/report/types.js';
import { testRepo, type TestRepo } from '../helpers/git.js';

export interface FleetSpec {
  hosts?: { name: string; wave?: string; sandboxes?: string[] }[];
  waves?: { name: string; soak?: string }[];
  health?: string[];
  drift?: 'enforce' | 'propose' | 'report';
  maintenance?: { cron: string; duration: string }[];
  staleAfter?: string;
}

/** Fleet files: each host gets node-prefix sandboxes (default one named `s1`) and the policy `p`. */
export function fleetFiles(spec: FleetSpec = {}): Record<string, string> {
  const hosts = spec.hosts ?? [{ name: 'h1' }];
  const waves = spec.waves ?? [{ name: 'canary' }];
  const files: Record<string, string> = {
    'fleet.yaml': `apiVersion: gitfleet/v1\nkind: Fleet\nname: t\n${spec.staleAfter ? `staleAfter: ${spec.staleAfter}\n` : ''}rollout: {waves: [${waves.map((w) => `{name: ${w.name}${w.soak ? `, soak: ${w.soak}` : ''}}`).join(', ')}]}\n`,
    'sandboxes/node.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: node\ntype: {linux: node}\npath: {linux: "{state}/sandboxes/{name}"}\n',
    'policies/p.yaml': `apiVersion: gitfleet/v1\nkind: Policy\nname: p\n${spec.drift ? `drift: ${spec.drift}\n` : ''}${spec.health ? `healthChecks:\n  - {name: check, command: ${JSON.stringify(spec.health)}, timeout: 60s}\n` : ''}${spec.maintenance ? `maintenance:\n${spec.maintenance.map((m) => `  - {cron: "${m.cron}", duration: ${m.duration}}`).join('\n')}\n` : ''}`,
  };
  for (const h of hosts) {
    const sbs = h.sandboxes ?? ['s1'];
    files[`hosts/${h.name}.yaml`] = `apiVersion: gitfleet/v1\nkind: Host\nname: ${h.name}\nos: linux\narch: x64\n${h.wave ? `wave: ${h.wave}\n` : ''}policies: [p]\nsandboxes: {${sbs.map((s) => `${s}: {template: node}`).join(', ')}}\n`;
  }
  return files;
}

/** A runner that records every command it runs. */
export function countingRunner(inner: Runner = execRunner): Runner & { calls: Command[]; reset(): void; gitVerbs(): string[] } {
  const calls: Command[] = [];
  return {
    calls,
    reset: () => { calls.length = 0; },
    // The git subcommand of each call: the first argument that is not an option (nor an option's value).
    gitVerbs: () => calls.map((c) => {
      const a = c.args;
      for (let i = 0; i < a.length; i++) {
        if (a[i] === '-c' || a[i] === '-C') { i++; continue; }
        if (!a[i]!.startsWith('-')) return a[i]!;
      }
      return '?';
    }),
    run(cmd) {
      calls.push(cmd);
      return inner.run(cmd);
    },
  };
}

/** A sink that keeps events in memory. */
export function memorySink(): EventSink & { events: AnyEvent[] } {
  const events: AnyEvent[] = [];
  return { name: 'memory', events, write: (e) => { events.push(e); } };
}

export interface AgentFixture {
  tmp: string;
  repo: TestRepo;
  events: AnyEvent[];
  runner: ReturnType<typeof countingRunner>;
  state(name?: string): string;
  ctx(over?: Partial<ReconcileContext> & { state?: string; host?: string }): ReconcileContext;
  options(over?: Partial<AgentOptions> & { ctx?: Partial<ReconcileContext> & { state?: string; host?: string } }): AgentOptions;
}

/** A bare repository with a work tree, and agent contexts for hosts of it. */
export async function agentFixture(): Promise<AgentFixture> {
  const tmp = await mkdtemp(join(tmpdir(), 'gitfleet-agent-'));
  const repo = await testRepo(join(tmp, 'repo'));
  const log = pino({ level: 'silent' });
  const sink = memorySink();
  const runner = countingRunner();
  const state = (name = 'h1') => join(tmp, `state-${name}`);
  const ctx = (over: Partial<ReconcileContext> & { state?: string; host?: string } = {}): ReconcileContext => {
    const host = over.host ?? 'h1';
    const stateDir = over.state ?? state(host);
    return {
      repo: repo.remote, branch: 'main', host, stateDir, runner, log, allowForcePush: false, now: () => new Date(),
      bus: new EventBus({ host, sinks: [sink], log }),
      hostRun: { host, repo: repo.remote, stateDir, runner, log, extraSinks: [sink], env: {} },
      ...over,
    };
  };
  return {
    tmp, repo, events: sink.events, runner, state, ctx,
    options: ({ ctx: c, ...over } = {}) => ({ intervalMs: 60_000, driftIntervalMs: 3_600_000, version: 'test', ...over, ctx: ctx(c) }),
  };
}

/** Starts an agent, records it in `running` (for afterEach), waits for its first cycle; `cycle()` wakes it for one more. */
export async function startCycling(options: AgentOptions, running: RunningAgent[]) {
  const agent = await startAgent(options);
  running.push(agent);
  const first = await agent.nextCycle();
  const cycle = async () => {
    const p = agent.nextCycle();
    agent.wake();
    return p;
  };
  return { agent, first, cycle };
}

/** The status.json an agent wrote into its state directory. */
export async function statusOf(stateDir: string): Promise<HostStatus> {
  return JSON.parse(await readFile(join(stateDir, 'status.json'), 'utf8')) as HostStatus;
}
