import type { DesiredHost, DesiredPackage, DesiredSandbox } from '../fleet/resolve.js';
import type { Manager } from '../fleet/model.generated.js';
import { MANAGERS } from '../fleet/platform.js';
import { classifyUpdate, schemeFor } from '../managers/versioning/index.js';
import { containerName } from '../sandboxes/docker/commands.js';
import type { Action, ActualState, Inventory, Plan, PlanWarning, Reason, Risk } from './types.js';

export interface PlanInputs {
  desired: DesiredHost;
  actual: ActualState;
  inventory: Inventory;
  revision: string | null;
  /** Versions chosen for `latest` (and for `present` when missing): key `target|manager|name` → version. */
  chosen?: Readonly<Record<string, string>>;
  /** The manager's canonical name form; identity when absent. */
  normalize?: (manager: Manager, name: string) => string;
}

/** Sandbox targets in the inventory that the desired state no longer has (their packages are to be forgotten). */
export function droppedSandboxes(p: Plan): string[] {
  return p.warnings.filter((w) => w.code === 'sandbox.dropped').map((w) => w.target);
}

/** Sandbox targets nothing was planned for because their container lacks a package folder's mount (see unmountedWarning). */
export function unmountedSandboxes(p: Plan): string[] {
  return p.warnings.filter((w) => w.code === 'sandbox.sources-unmounted').map((w) => w.target);
}

/** The key of a package in `chosen` and in internal maps. */
export function packageKey(target: string, manager: string, name: string): string {
  return `${target}|${manager}|${name}`;
}

const KIND_ORDER = { remove: 0, downgrade: 1, upgrade: 2, install: 3, 'create-sandbox': -1 } as const;

/** The pure planner: desired × actual × inventory → an ordered plan. No I/O, no clock, no randomness. */
export function plan(inp: PlanInputs): Plan {
  const norm = inp.normalize ?? ((_m: Manager, n: string) => n);
  const actions: Action[] = [];
  const warnings: PlanWarning[] = [];
  let unchanged = 0;

  const creating = new Set<string>();
  // Sandboxes whose container lacks a package folder's mount, which docker cannot add: see unmountedWarning.
  const unmounted = new Map<string, { sb: DesiredSandbox; folders: string[] }>();
  for (const sb of [...inp.desired.sandboxes].sort((a, b) => cmp(a.name, b.name))) {
    const seen = inp.actual.sandboxes[sb.name];
    if (!seen?.exists) {
      creating.add(`sandbox:${sb.name}`);
      actions.push({ kind: 'create-sandbox', target: `sandbox:${sb.name}`, name: sb.name, to: `${sb.type} ${sb.path}`, reason: 'new-sandbox', risk: 'sandbox' });
    } else if (seen.type && seen.type !== sb.type) {
      warnings.push({ target: `sandbox:${sb.name}`, code: 'sandbox.type-changed', message: `sandbox ${sb.name} is a ${seen.type} but the template now asks for ${sb.type}; gitfleet does not replace sandboxes by itself — remove it by hand to have it made again` });
    }
    if (seen?.exists && seen.missingSourceFolders?.length) unmounted.set(`sandbox:${sb.name}`, { sb, folders: seen.missingSourceFolders });
  }

  const warned = new Set<string>();
  const observed = (target: string, manager: Manager): Record<string, string> | undefined => {
    if (creating.has(target)) return {};
    const o = inp.actual.targets[target]?.[manager];
    if (o?.status === 'ok') return o.packages;
    const key = `${target}|${manager}`;
    if (!warned.has(key)) {
      warned.add(key);
      warnings.push({ target, manager, code: o?.code ?? 'observe.missing', message: o ? `packages of ${manager} in ${target} are unknown: ${o.message}` : `${manager} in ${target} was not observed` });
    }
    return undefined;
  };

  const desiredKeys = new Set<string>();
  const perTarget: Action[][] = [];
  for (const t of inp.desired.targets) {
    const list: Action[] = [];
    for (const p of t.packages) {
      const n = norm(p.manager, p.name);
      desiredKeys.add(packageKey(t.target, p.manager, n));
      const have = observed(t.target, p.manager);
      if (!have) continue;
      const installed = have[n];
      // The version last seen in place: the satisfied record (whoever put it there), else what gitfleet installed
      // (state written before the record); the same evidence src/policy/drift.ts splits by.
      const seen = inp.inventory.satisfied?.packages[t.target]?.[p.manager]?.[n] ?? inp.inventory.packages[t.target]?.[p.manager]?.[n];
      const a = decide(t.target, p, installed, seen, inp.chosen?.[packageKey(t.target, p.manager, p.name)], warnings);
      if (a) list.push(a); else unchanged++;
    }
    perTarget.push(list);
  }

  // Removal only of what gitfleet installed and is no longer desired in that target.
  const desiredSandboxes = new Set(inp.desired.sandboxes.map((s) => `sandbox:${s.name}`));
  for (const [target, byManager] of Object.entries(inp.inventory.packages)) {
    if (target.startsWith('sandbox:') && !desiredSandboxes.has(target)) {
      // A whole sandbox dropped from desired: gitfleet never deletes a sandbox by itself (it may hold data);
      // it says so once per plan, and apply forgets the sandbox's packages (see droppedSandboxes).
      const name = target.slice('sandbox:'.length);
      const path = inp.inventory.sandboxes[name]?.path;
      warnings.push({ target, code: 'sandbox.dropped', message: `sandbox ${name} is no longer desired; gitfleet leaves it${path ? ` at ${path}` : ''} and forgets its packages — delete it by hand if it is not needed` });
      continue;
    }
    for (const m of MANAGERS) {
      for (const [name, version] of Object.entries(byManager[m] ?? {})) {
        if (desiredKeys.has(packageKey(target, m, name))) continue;
        const have = observed(target, m);
        if (!have || have[name] === undefined) continue;
        perTarget.push([{ kind: 'remove', target, manager: m, name, from: have[name] ?? version, reason: 'removed-from-desired', risk: 'removal' }]);
      }
    }
  }

  const all = [...actions, ...perTarget.flat()];
  for (const [target, u] of unmounted) warnings.push(unmountedWarning(target, u.sb, u.folders, all.filter((a) => a.target === target).length));
  const ordered = all.filter((a) => !unmounted.has(a.target)).sort(byTargetManagerKind);
  return { host: inp.desired.name, revision: inp.revision, actions: ordered, warnings, unchanged };
}

/**
 * A sandbox whose container was made without the mount of a package folder its baselines now install from: docker
 * cannot add a mount to a container, so its installs would fail the apply, roll the rest back and mark the revision
 * bad. Like an unreadable target, nothing is planned for it (the rest of the host goes ahead) until it is made again.
 */
function unmountedWarning(target: string, sb: DesiredSandbox, folders: readonly string[], held: number): PlanWarning {
  const many = folders.length > 1;
  const fix = sb.type === 'docker'
    ? `remove the container (docker rm -f ${containerName(sb)}) and apply again: gitfleet makes it with the mount${many ? 's' : ''} and installs its packages again`
    : `remove the sandbox by hand and apply again to have it made with the mount${many ? 's' : ''}`;
  return {
    target, code: 'sandbox.sources-unmounted',
    message: `sandbox ${sb.name} was made without the read-only mount of package folder${many ? 's' : ''} ${folders.join(', ')} (made before gitfleet mounted package folders, or before a baseline named ${many ? 'them' : 'it'}) and ${sb.type} cannot add a mount to it, so nothing is planned for it${held ? ` (${held} change${held > 1 ? 's' : ''} held back)` : ''}; ${fix}`,
  };
}

/**
 * One desired package against the host. `seen` is the version last seen in place: a package that was there and is gone,
 * or is at another version now, was changed by hand (`drifted`), whoever had put it there; one never seen is `missing`.
 */
function decide(target: string, p: DesiredPackage, installed: string | undefined, seen: string | undefined, chosen: string | undefined, warnings: PlanWarning[]): Action | undefined {
  const base = { target, manager: p.manager, name: p.name };
  if (p.spec === 'absent') {
    return installed === undefined ? undefined : { ...base, kind: 'remove', from: installed, reason: 'desired-absent', risk: 'removal' };
  }
  if (p.spec === 'present' && installed !== undefined) return undefined;
  const want = p.spec === 'present' || p.spec === 'latest' ? chosen : p.spec;
  if (want === undefined) {
    warnings.push({ target, manager: p.manager, code: 'plan.unresolved', message: `no version of ${p.manager} package ${p.name} was found for "${p.spec}"` });
    return undefined;
  }
  // `from` stays unset: it is what the host has now (the snapshot rollback restores, the drift event's `actual`).
  if (installed === undefined) return seen === undefined ? { ...base, kind: 'install', to: want, reason: 'missing', risk: 'new' } : { ...base, kind: 'install', to: want, lastSeen: seen, reason: 'drifted', risk: 'new' };
  const scheme = schemeFor(p.manager);
  let c: number;
  try {
    c = scheme.compare(installed, want);
  } catch {
    // An installed version the ecosystem's rules cannot read: put the desired one in place.
    return { ...base, kind: 'upgrade', from: installed, to: want, reason: 'drifted', risk: 'major' };
  }
  if (c === 0) return undefined;
  const reason: Reason = seen !== undefined && seen === installed ? 'changed' : 'drifted';
  const risk = riskOf(scheme, c < 0 ? installed : want, c < 0 ? want : installed);
  return { ...base, kind: c < 0 ? 'upgrade' : 'downgrade', from: installed, to: want, reason, risk };
}

function riskOf(scheme: ReturnType<typeof schemeFor>, lower: string, higher: string): Risk {
  const u = classifyUpdate(scheme, lower, higher);
  return u === 'none' ? 'patch' : u;
}

function byTargetManagerKind(a: Action, b: Action): number {
  // Within a target: its sandbox first, then per manager removals, downgrades, upgrades, installs.
  return targetRank(a.target, b.target)
    || Number(a.kind !== 'create-sandbox') - Number(b.kind !== 'create-sandbox')
    || MANAGERS.indexOf(a.manager!) - MANAGERS.indexOf(b.manager!)
    || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]
    || cmp(a.name, b.name);
}

function targetRank(a: string, b: string): number {
  if (a === b) return 0;
  if (a === 'system') return -1;
  if (b === 'system') return 1;
  return cmp(a, b);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
