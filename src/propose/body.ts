import type { FleetModel } from '../fleet/model.js';
import { resolveHost, type DesiredHost } from '../fleet/resolve.js';
import type { Manager } from '../fleet/model.generated.js';
import { plan } from '../plan/plan.js';
import { renderPlan } from '../plan/render.js';
import { emptyInventory, type ActualState, type Inventory, type Plan } from '../plan/types.js';
import type { Candidate, UpdateGroup } from './discover.js';
import type { UpdateKind } from './policy.js';

/** The labels of an update proposal: `gitfleet` and one per update type in it. */
export function labelsFor(group: Pick<UpdateGroup, 'candidates'>): string[] {
  const types = [...new Set(group.candidates.map((c) => c.type))].sort((a, b) => ORDER[a] - ORDER[b]);
  return ['gitfleet', ...types.map((t) => `update:${t}`)];
}

const ORDER: Record<UpdateKind, number> = { patch: 0, minor: 1, major: 2 };

const RISK: Record<UpdateKind, string> = {
  patch: 'low — patch releases promise fixes only',
  minor: 'medium — minor releases add features and may change behaviour at the edges',
  major: 'high — a major release may break what depends on it; read its release notes',
};

/** Hosts by name, resolved once (for waves, OS and windows). */
export type HostCache = Map<string, DesiredHost | null>;

function desired(model: FleetModel, cache: HostCache, name: string): DesiredHost | undefined {
  if (!cache.has(name)) cache.set(name, resolveHost(model, name).host ?? null);
  return cache.get(name) ?? undefined;
}

/** The PR body: the table, the hosts, a plan preview per OS, the risk, and what merging does. */
export function renderBody(model: FleetModel, group: UpdateGroup, opts: { now: Date; autoMerge: boolean; hosts?: HostCache }): string {
  const cache = opts.hosts ?? new Map();
  const out: string[] = ['## gitfleet update proposal', ''];
  out.push('| package | manager | baseline | from → to | update | release age |', '|---|---|---|---|---|---|');
  for (const c of group.candidates) out.push(`| ${c.name} | ${c.manager} | ${c.baseline} | ${c.from} → ${c.to} | ${c.type} | ${age(c, opts.now)} |`);
  out.push('', `**Risk:** ${RISK[group.type]}.`, '');

  const hosts = group.hosts.map((h) => desired(model, cache, h)).filter((h): h is DesiredHost => h !== undefined);
  out.push(`### Hosts affected (${hosts.length})`, '');
  if (hosts.length === 0) out.push('No host uses these baselines yet.');
  else {
    out.push('| host | os | wave |', '|---|---|---|');
    for (const h of hosts) out.push(`| ${h.name} | ${h.os} | ${h.wave ?? '—'} |`);
  }
  out.push('');

  const previews = planPreviews(hosts, group.candidates);
  if (previews.length) {
    out.push('### Plan preview', '', 'The pure planner on one affected host per OS: its desired state after the merge against its current pins.', '');
    for (const p of previews) out.push('```text', renderPlan(p).trimEnd(), '```', '');
  }

  out.push('### What merging does', '');
  out.push('- Merging this PR is the approval: agents apply the merged revision on their next check.');
  const waves = model.fleet?.value.rollout?.waves ?? [];
  if (waves.length && hosts.length) {
    const steps = waves.map((w) => {
      const names = hosts.filter((h) => h.wave === w.name).map((h) => h.name);
      return names.length ? `${w.name} (${names.join(', ')})${w.soak ? `, then ${w.soak} soak` : ''}` : undefined;
    }).filter((s): s is string => s !== undefined);
    if (steps.length) out.push(`- Rollout in waves: ${steps.join(' → ')}; a later wave starts only when the earlier ones report healthy.`);
  }
  const windows = [...new Set(hosts.flatMap((h) => h.policy.maintenance.map((w) => `\`${w.cron}\` for ${w.duration}${w.timezone ? ` (${w.timezone})` : ' (UTC)'}`)))];
  out.push(windows.length ? `- Maintenance windows: applies wait for ${windows.join(', ')}.` : '- Maintenance windows: none; hosts apply as soon as their wave starts.');
  out.push(opts.autoMerge ? '- Auto-merge: policy allows this update type; it is merged once it validates.' : '- Auto-merge: not allowed by policy for this update type; a human merges it.');
  return out.join('\n') + '\n';
}

/** Plans for the first affected host of each OS, after the change, against a synthetic actual state equal to the current pins. */
export function planPreviews(hosts: readonly DesiredHost[], cands: readonly Candidate[]): Plan[] {
  const out: Plan[] = [];
  const seenOs = new Set<string>();
  for (const h of hosts) {
    if (seenOs.has(h.os)) continue;
    const after = withCandidates(h, cands);
    if (!after) continue;
    seenOs.add(h.os);
    const actual = currentPins(h);
    // gitfleet put the current pins there: the reason reads "desired changed", not drift
    const p = plan({ desired: after, actual, inventory: inventoryOf(actual), revision: null });
    // only the changes: `present`/`latest` entries have no pin to compare and would show as warnings
    out.push({ ...p, warnings: [] });
  }
  return out;
}

function withCandidates(h: DesiredHost, cands: readonly Candidate[]): DesiredHost | undefined {
  let changed = false;
  const targets = h.targets.map((t) => ({
    ...t,
    packages: t.packages.map((p) => {
      const c = cands.find((x) => x.manager === p.manager && x.name === p.name && x.where.file === p.origin.file && x.from === p.spec);
      if (!c) return p;
      changed = true;
      return { ...p, spec: c.to };
    }),
  }));
  return changed ? { ...h, targets } : undefined;
}

function currentPins(h: DesiredHost): ActualState {
  const actual: ActualState = { sandboxes: {}, targets: {} };
  for (const sb of h.sandboxes) actual.sandboxes[sb.name] = { exists: true, type: sb.type };
  for (const t of h.targets) {
    const byManager: Partial<Record<Manager, { status: 'ok'; packages: Record<string, string> }>> = {};
    for (const p of t.packages) {
      const m = (byManager[p.manager] ??= { status: 'ok', packages: {} });
      if (p.spec !== 'absent') m.packages[p.name] = p.spec;
    }
    actual.targets[t.target] = byManager;
  }
  return actual;
}

function inventoryOf(actual: ActualState): Inventory {
  const inv = emptyInventory();
  for (const [target, byManager] of Object.entries(actual.targets)) {
    inv.packages[target] = Object.fromEntries(Object.entries(byManager).map(([m, o]) => [m, o.status === 'ok' ? { ...o.packages } : {}]));
  }
  return inv;
}

function age(c: Candidate, now: Date): string {
  if (!c.releasedAt) return 'unknown';
  const days = Math.floor((now.getTime() - Date.parse(c.releasedAt)) / 86_400_000);
  if (Number.isNaN(days)) return 'unknown';
  return days < 1 ? 'less than a day' : days === 1 ? '1 day' : `${days} days`;
}
