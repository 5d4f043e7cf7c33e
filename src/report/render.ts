import type { FleetHealth } from './health.js';
import type { FleetView, HostRow } from './view.js';

const HEALTH_ORDER: readonly FleetHealth[] = ['healthy', 'degraded', 'failed', 'pending', 'offline', 'unknown'];
const COLOURS: Record<FleetHealth, string> = { healthy: '32', degraded: '33', failed: '31', pending: '36', offline: '90', unknown: '35' };

/** The fleet table as text: one line per host and a summary line. */
export function renderFleetTable(view: FleetView, opts: { colour?: boolean } = {}): string {
  const header = ['HOST', 'OS', 'WAVE', 'REVISION', 'HEALTH', 'DRIFT', 'LAST ERROR', 'AGE'];
  const rows = view.hosts.map((r) => [r.host, r.os ?? '-', r.wave ?? '-', revisionCell(r), r.health, r.drift === null ? '-' : String(r.drift), errorCell(r), ageWithSkew(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[], health?: FleetHealth) => cells.map((c, i) => {
    const padded = i === cells.length - 1 ? c : c.padEnd(widths[i]!);
    return i === 4 && health && opts.colour ? `\x1b[${COLOURS[health]}m${padded}\x1b[0m` : padded;
  }).join('  ').trimEnd();
  const body = [line(header), ...rows.map((cells, i) => line(cells, view.hosts[i]!.health))];
  return [...body, '', summaryLine(view)].join('\n') + '\n';
}

/** `fleet acme at main 1a2b3c4 · 5 hosts: 3 healthy, 1 offline, 1 pending`. */
export function summaryLine(view: FleetView): string {
  const counts = new Map<FleetHealth, number>();
  for (const r of view.hosts) counts.set(r.health, (counts.get(r.health) ?? 0) + 1);
  const parts = HEALTH_ORDER.filter((h) => counts.has(h)).map((h) => `${counts.get(h)} ${h}`);
  const at = view.head ? `${view.branch} ${view.head.slice(0, 7)}` : `${view.branch} (no such branch)`;
  const n = view.hosts.length;
  return `fleet ${view.fleet ?? '?'} at ${at} · ${n} host${n === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

function revisionCell(r: HostRow): string {
  if (!r.revision.applied) return '-';
  const short = r.revision.applied.slice(0, 7);
  if (r.revision.isHead === null) return short;
  return `${short} ${r.revision.isHead ? '(head)' : 'behind'}`;
}

function errorCell(r: HostRow): string {
  if (r.statusError) return clip(`unreadable status: ${r.statusError}`, 60);
  if (r.health === 'pending' && r.heartbeat === null) return 'never seen';
  if (!r.lastError) return '-';
  return clip(`${r.lastError.code}: ${r.lastError.message.split('\n')[0]}`, 60);
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

// A heartbeat from the future is the host's clock, not its liveness: say so next to the age the reader measured.
function ageWithSkew(r: HostRow): string {
  const age = r.ageSeconds === null && r.heartbeat !== null ? '?' : ageCell(r.ageSeconds);
  return r.clockSkewSeconds === null ? age : `${age} (clock-skew +${ageCell(r.clockSkewSeconds)})`;
}

/** `12s`, `5m`, `3h`, `2d`; `never` when the host never reported. */
export function ageCell(seconds: number | null): string {
  if (seconds === null) return 'never';
  const s = Math.max(0, seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
