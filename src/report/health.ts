import type { Health, HostStatus } from './types.js';

/** What a reader shows for a host: a published health, `offline` (stale), `pending` (never reported) or `unknown` (unreadable status). */
export type FleetHealth = Health | 'unknown';

/** The default stale threshold when the fleet names none (`fleet.yaml` `staleAfter`). */
export const DEFAULT_STALE_AFTER_MS = 5 * 60_000;

/** A host's health as readers see it: `offline` when its heartbeat is older than `staleAfterMs` (or unreadable), else what it published. */
export function deriveHealth(status: HostStatus, now: Date | number, staleAfterMs: number): Health {
  const age = heartbeatAgeMs(status, now);
  // Exactly at the threshold still counts as alive: only "older than" is stale.
  if (age === null || age > staleAfterMs) return 'offline';
  return status.health;
}

/** Milliseconds since the host's last heartbeat (negative when its clock is ahead), or null when the heartbeat is not a time. */
export function heartbeatAgeMs(status: Pick<HostStatus, 'heartbeat'>, now: Date | number): number | null {
  const at = Date.parse(status.heartbeat);
  if (Number.isNaN(at)) return null;
  return (typeof now === 'number' ? now : now.getTime()) - at;
}
