import type { HostFacts } from '../host/types.js';
import { deriveCapabilities } from '../host/capabilities.js';
import type { Condition, HostStatus } from '../report/types.js';
import type { AgentMemory } from './memory.js';

/** The agent's counters that go into status. */
export interface AgentCounters {
  version: string;
  cycles: number;
  lastCycleMs: number | null;
  lastSuccessAt: string | null;
}

/** The facts summary a status carries (no disks, no serials: what the fleet table needs). */
export function factsSummary(facts: HostFacts): NonNullable<HostStatus['facts']> {
  const cores = facts.cpu.cores;
  const mem = facts.memory.totalBytes;
  return {
    os: facts.os.platform,
    arch: facts.arch,
    ...(typeof cores === 'number' ? { cpus: cores } : {}),
    ...(typeof mem === 'number' ? { memoryGb: Math.round((mem / 2 ** 30) * 10) / 10 } : {}),
    capabilities: deriveCapabilities(facts),
  };
}

/**
 * The host's status from the agent's memory: the last verdict, with a transient failure laid over it
 * (it replaces the Ready and SourceReady conditions and makes a healthy host degraded).
 * A condition keeps its `since` while its status and reason stay the same (Flux's lastTransitionTime).
 * A `mem.healthySince` later than `now` is reset to `now` in `mem` (see settleHealthySince).
 */
export function buildStatus(host: string, mem: AgentMemory, counters: AgentCounters, now: Date, prev: HostStatus | null, facts?: HostStatus['facts']): HostStatus {
  const at = now.toISOString();
  settleHealthySince(mem, now);
  const v = mem.verdict ?? { health: 'pending' as const, conditions: [{ type: 'Ready' as const, status: 'Unknown' as const, reason: 'Progressing', message: 'no cycle has completed yet' }], drift: 0, lastError: null, attempted: null };
  let conditions = v.conditions;
  let health = v.health;
  let lastError = v.lastError ? { ...v.lastError, at: prev?.lastError?.code === v.lastError.code && prev.lastError.message === v.lastError.message ? prev.lastError.at : at } : null;
  const t = mem.transient;
  if (t) {
    const over: Omit<Condition, 'since'>[] = [{ type: 'Ready', status: 'False', reason: t.reason, message: t.message }];
    if (t.reason === 'FetchFailed') over.push({ type: 'SourceReady', status: 'False', reason: t.reason, message: t.message });
    conditions = [...over, ...conditions.filter((c) => !over.some((o) => o.type === c.type))];
    if (health === 'healthy' || health === 'pending') health = 'degraded';
    lastError = { code: t.code, message: t.message, at: prev?.lastError?.message === t.message ? prev.lastError.at : at };
  }
  const since = (c: Omit<Condition, 'since'>): string => {
    const old = prev?.conditions.find((p) => p.type === c.type);
    return old && old.status === c.status && old.reason === c.reason ? old.since : at;
  };
  return {
    schemaVersion: 1,
    host,
    ...(mem.identity.os ? { os: mem.identity.os } : facts ? { os: facts.os } : {}),
    ...(mem.identity.arch ? { arch: mem.identity.arch } : facts ? { arch: facts.arch } : {}),
    ...(mem.identity.wave ? { wave: mem.identity.wave } : {}),
    health,
    revision: {
      applied: mem.applied,
      appliedAt: mem.appliedAt,
      attempted: v.attempted && v.attempted !== mem.applied ? v.attempted : null,
      healthySince: mem.healthySince,
    },
    conditions: conditions.map((c) => ({ ...c, since: since(c) })),
    drift: v.drift,
    lastError,
    ...(facts ? { facts } : {}),
    heartbeat: at,
    agent: { version: counters.version, pid: process.pid, cycles: counters.cycles, lastCycleMs: counters.lastCycleMs, lastSuccessAt: counters.lastSuccessAt },
  };
}

/**
 * Resets `mem.healthySince` to `now` when it is later (or unreadable): it was written while the clock ran ahead,
 * and the clock has been set back. How long the host has really been healthy is unknown, so the soak restarts
 * now rather than never ending (waves would wait for the clock to reach it). Returns whether it was reset.
 */
export function settleHealthySince(mem: Pick<AgentMemory, 'healthySince'>, now: Date): boolean {
  if (mem.healthySince === null || Date.parse(mem.healthySince) <= now.getTime()) return false;
  mem.healthySince = now.toISOString();
  return true;
}
