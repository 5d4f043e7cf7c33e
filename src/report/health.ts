import type { Health, HostStatus } from './types.js';

/** What a reader shows for a host: a published health, `offline` (stale), `pending` (never reported) or `unknown` (unreadable status). */
export type FleetHealth = Health | 'unknown';

/** The default stale threshold when the fleet names none (`fleet.yaml` `staleAfter`). */
export const DEFAULT_STALE_AFTER_MS = 5 * 60_000;

/** How far a heartbeat may be ahead of the reader's clock before it is flagged as clock skew (NTP-level drift is not). */
export const CLOCK_SKEW_TOLERANCE_MS = 60_000;

/** How a reader judges a host's heartbeat. */
export interface HeartbeatJudgement {
  /** Milliseconds since the host was last known alive, by the reader's clock (never negative); null when it cannot be told. */
  ageMs: number | null;
  /** How far the heartbeat is ahead of the reader's clock, when more than the tolerance (clock skew); else null. */
  skewMs: number | null;
  /** Older than the stale threshold, or of an age that cannot be told: the host shows as `offline`. */
  stale: boolean;
}

/**
 * Judges a heartbeat written by the host's clock with the reader's clock. The host's timestamp alone would let a
 * host whose clock runs ahead look alive long after it died, so, like a Kubernetes node controller, the reader
 * also counts from when it first saw this status (`observedAt`, its own clock): a status is never younger than
 * that. A heartbeat more than the tolerance in the future is clock skew; without an observation its age is unknown
 * and the host is offline, since nothing then shows it alive.
 */
export function judgeHeartbeat(heartbeat: string, now: Date | number, staleAfterMs: number, observedAt?: string | number | null): HeartbeatJudgement {
  const at = Date.parse(heartbeat);
  if (Number.isNaN(at)) return { ageMs: null, skewMs: null, stale: true };
  const nowMs = typeof now === 'number' ? now : now.getTime();
  const seen = typeof observedAt === 'number' ? observedAt : typeof observedAt === 'string' ? Date.parse(observedAt) : NaN;
  const skewMs = at - nowMs > CLOCK_SKEW_TOLERANCE_MS ? at - nowMs : null;
  const since = !Number.isNaN(seen) ? Math.min(at, seen) : skewMs === null ? at : null;
  if (since === null) return { ageMs: null, skewMs, stale: true };
  const ageMs = Math.max(0, nowMs - since);
  // Exactly at the threshold still counts as alive: only "older than" is stale.
  return { ageMs, skewMs, stale: ageMs > staleAfterMs };
}

/**
 * A host's health as readers see it: `offline` when its heartbeat is older than `staleAfterMs`, unreadable, or in
 * the future beyond the clock-skew tolerance with no `observedAt` to count from (see judgeHeartbeat); else what it published.
 */
export function deriveHealth(status: HostStatus, now: Date | number, staleAfterMs: number, observedAt?: string | number | null): Health {
  return judgeHeartbeat(status.heartbeat, now, staleAfterMs, observedAt).stale ? 'offline' : status.health;
}

/** Milliseconds since the host's last heartbeat by its own timestamp (negative when its clock is ahead), or null when the heartbeat is not a time. */
export function heartbeatAgeMs(status: Pick<HostStatus, 'heartbeat'>, now: Date | number): number | null {
  const at = Date.parse(status.heartbeat);
  if (Number.isNaN(at)) return null;
  return (typeof now === 'number' ? now : now.getTime()) - at;
}
