import { join } from 'node:path';
import type { Condition, Health, HostStatus } from '../report/types.js';
import type { RolloutState } from '../propose/status.js';
import { readJson, writeJson } from '../apply/store.js';

/** Why a revision is not followed; it is not tried again until the branch moves. */
export type RejectReason = 'ValidationFailed' | 'HistoryRewritten' | 'SignatureInvalid' | 'HostNotInFleet';

/** The conclusion of the last full cycle: what status shows until the next full cycle. */
export interface Verdict {
  health: Exclude<Health, 'offline'>;
  conditions: Omit<Condition, 'since'>[];
  drift: number;
  lastError: { code: string; message: string } | null;
  /** The revision the cycle worked on, when it is not (yet) the applied one. */
  attempted: string | null;
}

/** A failure that did not reach a verdict (the remote unreachable, the lock taken): shown over the verdict until a cycle succeeds. */
export interface Transient {
  reason: string;
  code: string;
  message: string;
}

/** What the agent remembers between cycles; kept in `agent.json` so that a restarted agent resumes. */
export interface AgentMemory {
  /** The remote head whose cycle reached a verdict: the same head again is a no-op cycle. */
  lastSeen: string | null;
  applied: string | null;
  appliedAt: string | null;
  healthySince: string | null;
  /** Heads refused at the source (invalid, rewritten history, bad signature), never retried. */
  rejected: Record<string, { reason: RejectReason; message: string; at: string }>;
  /** Epoch ms of the last full cycle, for the drift interval. */
  lastFullAt: number | null;
  verdict: Verdict | null;
  transient: Transient | null;
  /** From the last planned revision: the host's OS, arch and wave, and the fleet's stale threshold. */
  identity: { os?: string; arch?: string; wave?: string; staleAfterMs?: number };
  /** The host's resolved `agent.interval`/`agent.driftInterval` (ms) from the last validated revision; flags win over them. */
  schedule: { intervalMs: number; driftIntervalMs: number } | null;
  /** The commit status the last verdict calls for on the revision it handled; `github` when fleet.yaml names that provider. */
  rollout: RolloutIntent | null;
  /** `<sha>:<state>` of the last commit status GitHub accepted: the same one is not sent again. */
  rolloutSent: string | null;
}

/** What `gitfleet/<host>` should say on a revision, and where (the github provider of that revision's fleet.yaml). */
export interface RolloutIntent {
  sha: string;
  state: RolloutState;
  detail?: string;
  github?: { owner: string; repo: string; baseUrl?: string };
}

/** A fresh memory. */
export function emptyMemory(): AgentMemory {
  return { lastSeen: null, applied: null, appliedAt: null, healthySince: null, rejected: {}, lastFullAt: null, verdict: null, transient: null, identity: {}, schedule: null, rollout: null, rolloutSent: null };
}

/** The memory file in a state directory. */
export function memoryPath(stateDir: string): string {
  return join(stateDir, 'agent.json');
}

/** Loads the agent's memory; the applied revision falls back to the last status when the file is new. */
export async function loadMemory(stateDir: string): Promise<AgentMemory> {
  const mem = { ...emptyMemory(), ...(await readJson<Partial<AgentMemory>>(memoryPath(stateDir), {})) };
  if (!mem.applied) {
    const status = await readJson<HostStatus | null>(join(stateDir, 'status.json'), null);
    if (status?.revision) {
      mem.applied = status.revision.applied;
      mem.appliedAt = status.revision.appliedAt;
      mem.healthySince = status.revision.healthySince;
    }
  }
  // A transient failure is about the process that saw it; a restarted agent checks again.
  mem.transient = null;
  return mem;
}

/** Saves the memory atomically; only a bounded number of rejected heads are kept. */
export async function saveMemory(stateDir: string, mem: AgentMemory): Promise<void> {
  const rejected = Object.entries(mem.rejected).sort((a, b) => (a[1].at < b[1].at ? 1 : -1)).slice(0, 50);
  await writeJson(memoryPath(stateDir), { ...mem, rejected: Object.fromEntries(rejected) }, 0o600);
}
