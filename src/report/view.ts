import { parseDuration } from '../fleet/platform.js';
import { waveIndex, type Wave } from '../agent/waves.js';
import { DEFAULT_STALE_AFTER_MS, judgeHeartbeat, type FleetHealth } from './health.js';
import type { FleetStatusRead } from './read.js';
import type { HostStatus } from './types.js';

/** What `gitfleet status` needs from the fleet at the branch head (read leniently: an invalid fleet still shows its hosts). */
export interface FleetInfo {
  name: string | null;
  waves: Wave[];
  staleAfterMs: number;
  hosts: Map<string, { os?: string; wave?: string }>;
}

/** One row of the fleet table; the `--json` output is a list of these. */
export interface HostRow {
  host: string;
  /** Whether the fleet at the branch head declares this host. */
  inFleet: boolean;
  os: string | null;
  /** The wave the host rolls out in (hosts without one are in the last wave); null when the fleet has no waves. */
  wave: string | null;
  revision: { applied: string | null; attempted: string | null; isHead: boolean | null };
  health: FleetHealth;
  drift: number | null;
  lastError: { code: string; message: string; at: string } | null;
  heartbeat: string | null;
  /** Seconds since the host was last known alive, by this reader's clock (see judgeHeartbeat); null: never seen, or unknown. */
  ageSeconds: number | null;
  /** How far the heartbeat is ahead of this reader's clock beyond the tolerance (the host's clock is wrong); else null. */
  clockSkewSeconds: number | null;
  /** When this reader first saw the host's current status (its own clock). */
  observedAt: string | null;
  /** Why the published status could not be read (health `unknown`). */
  statusError: string | null;
}

export interface FleetView {
  fleet: string | null;
  branch: string;
  head: string | null;
  staleAfterMs: number;
  generatedAt: string;
  hosts: HostRow[];
}

/** The fleet table: published statuses joined with the fleet's hosts, sorted by wave order then name. Pure. */
export function buildFleetView(read: FleetStatusRead, fleet: FleetInfo | null, now: Date): FleetView {
  const staleAfterMs = fleet?.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const waves = fleet?.waves ?? [];
  const published = new Map(read.hosts.map((h) => [h.host, h]));
  const names = new Set([...(fleet?.hosts.keys() ?? []), ...published.keys()]);
  const rows = [...names].map((host): HostRow => {
    const declared = fleet?.hosts.get(host);
    const p = published.get(host);
    const s: HostStatus | null = p?.status ?? null;
    const waveName = declared?.wave ?? s?.wave;
    const applied = s?.revision.applied ?? null;
    const judged = s ? judgeHeartbeat(s.heartbeat, now, staleAfterMs, p?.observedAt) : null;
    return {
      host,
      inFleet: declared !== undefined,
      os: s?.os ?? declared?.os ?? null,
      wave: waves.length ? waves[waveIndex(waves, waveName)]!.name : (waveName ?? null),
      revision: { applied, attempted: s?.revision.attempted ?? null, isHead: applied && read.head ? applied === read.head : null },
      health: p?.error ? 'unknown' : s ? (judged!.stale ? 'offline' : s.health) : 'pending',
      drift: s?.drift ?? null,
      lastError: s?.lastError ?? null,
      heartbeat: s?.heartbeat ?? null,
      ageSeconds: judged?.ageMs == null ? null : Math.round(judged.ageMs / 1000),
      clockSkewSeconds: judged?.skewMs == null ? null : Math.round(judged.skewMs / 1000),
      observedAt: p?.observedAt ?? null,
      statusError: p?.error ?? null,
    };
  });
  const order = (r: HostRow) => (r.wave === null ? waves.length : waveIndex(waves, r.wave));
  rows.sort((a, b) => order(a) - order(b) || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  return { fleet: fleet?.name ?? null, branch: read.branch, head: read.head, staleAfterMs, generatedAt: now.toISOString(), hosts: rows };
}

/** Picks the fleet settings and hosts out of loaded documents, tolerating invalid ones. */
export function fleetInfoFromDocuments(docs: readonly { kind: string | undefined; name: string | undefined; data: unknown }[]): FleetInfo {
  const info: FleetInfo = { name: null, waves: [], staleAfterMs: DEFAULT_STALE_AFTER_MS, hosts: new Map() };
  for (const d of docs) {
    const data = (typeof d.data === 'object' && d.data !== null ? d.data : {}) as Record<string, unknown>;
    if (d.kind === 'Fleet') {
      info.name = d.name ?? null;
      const stale = typeof data.staleAfter === 'string' ? parseDuration(data.staleAfter) : 0;
      if (stale > 0) info.staleAfterMs = stale;
      const waves = (data.rollout as { waves?: unknown } | undefined)?.waves;
      if (Array.isArray(waves)) {
        info.waves = waves.flatMap((w: unknown) => {
          const r = w as { name?: unknown; soak?: unknown } | null;
          return r && typeof r.name === 'string' ? [{ name: r.name, ...(typeof r.soak === 'string' ? { soak: r.soak } : {}) }] : [];
        });
      }
    } else if (d.kind === 'Host' && d.name) {
      info.hosts.set(d.name, {
        ...(typeof data.os === 'string' ? { os: data.os } : {}),
        ...(typeof data.wave === 'string' ? { wave: data.wave } : {}),
      });
    }
  }
  return info;
}
