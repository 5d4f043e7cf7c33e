/** A host's health as the fleet sees it. `offline` is never written by a host: readers derive it from a stale heartbeat. */
export type Health = 'healthy' | 'degraded' | 'failed' | 'pending' | 'offline';

/** A Flux-style condition: what is true now, with a stable reason code. */
export interface Condition {
  type: 'Ready' | 'SourceReady' | 'Applied' | 'Healthy' | 'RolloutGated' | 'InWindow';
  status: 'True' | 'False' | 'Unknown';
  /** A stable code, e.g. `ValidationFailed`, `FetchFailed`, `WaitingForWave`, `OutsideMaintenanceWindow`, `RolledBack`. */
  reason: string;
  message: string;
  since: string;
}

/**
 * The status a host publishes after each cycle: `status.json` in its state directory, and the same
 * document under `refs/gitfleet/status/<host>` in the fleet repository (one ref per host: no contention).
 * Never contains secret values.
 */
export interface HostStatus {
  schemaVersion: 1;
  host: string;
  os?: string;
  arch?: string;
  wave?: string;
  health: Exclude<Health, 'offline'>;
  revision: {
    /** The last revision applied (or found already in place) and healthy on this host. */
    applied: string | null;
    appliedAt: string | null;
    /** The revision the last cycle tried, when it differs (invalid, gated, failed). */
    attempted: string | null;
    /** When this host first saw `applied` healthy: waves measure their soak from here. */
    healthySince: string | null;
  };
  conditions: Condition[];
  drift: number;
  lastError: { code: string; message: string; at: string } | null;
  facts?: { os: string; arch: string; cpus?: number; memoryGb?: number; capabilities: string[] };
  /** When the agent last completed a cycle: readers mark a host offline when this is older than the fleet's staleAfter. */
  heartbeat: string;
  agent: { version: string; pid: number; cycles: number; lastCycleMs: number | null; lastSuccessAt: string | null };
}

/** The ref a host's status is published under. */
export function statusRef(host: string): string {
  return `refs/gitfleet/status/${host}`;
}
