import type { FleetView } from './view.js';
import type { HostStatusChangedPayload } from '../events/types.js';

/** A host whose health differs between two views of the fleet. */
export interface HealthChange extends HostStatusChangedPayload {
  host: string;
}

/**
 * The hosts whose health changed from `before` to `after` (pure). Only a reader of all statuses can see
 * some changes — a host turning offline cannot report it itself — so `gitfleet status --watch` emits these.
 */
export function healthChanges(before: FleetView | undefined, after: FleetView): HealthChange[] {
  if (!before) return [];
  const prev = new Map(before.hosts.map((h) => [h.host, h]));
  const out: HealthChange[] = [];
  for (const h of after.hosts) {
    const p = prev.get(h.host);
    if (!p || p.health === h.health) continue;
    const skew = h.clockSkewSeconds === null ? '' : `; its heartbeat is ${h.clockSkewSeconds} s ahead of this reader's clock (clock skew), so its age counts from when its status was last seen to change`;
    const reason = h.health === 'offline'
      ? `no heartbeat for ${h.ageSeconds ?? '?'} s (older than the fleet's staleAfter)${skew}`
      : h.lastError ? `${h.lastError.code}: ${h.lastError.message}` : undefined;
    out.push({ host: h.host, from: p.health, to: h.health, ...(reason ? { reason } : {}) });
  }
  return out;
}
