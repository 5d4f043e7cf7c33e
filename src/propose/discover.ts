import type { Logger } from 'pino';
import type { FleetModel } from '../fleet/model.js';
import type { Manager } from '../fleet/model.generated.js';
import { MANAGERS } from '../fleet/platform.js';
import { mapLimit } from '../fleet/load-limit.js';
import { sourcesFor } from '../apply/context.js';
import { withCredentials } from '../apply/source-credentials.js';
import { classifyUpdate, schemeFor } from '../managers/versioning/index.js';
import type { AdapterContext, AvailableVersion, ManagerAdapter } from '../managers/types.js';
import { inMaintenanceWindow } from '../policy/windows.js';
import { errorMessage } from '../util/errors.js';
import { baselinePolicy, hostsByBaseline, matchesPattern, type UpdateKind, type UpdatePolicy } from './policy.js';

/** Where a pin is written: a YAML scalar, a requirements.txt line, or a package.json dependency. */
export type PinLocation =
  | { kind: 'yaml'; file: string; path: string[] }
  | { kind: 'requirements'; file: string; line: number }
  | { kind: 'packageJson'; file: string };

/** One proposed version change of one pin. */
export interface Candidate {
  manager: Manager;
  name: string;
  baseline: string;
  where: PinLocation;
  from: string;
  to: string;
  type: UpdateKind;
  releasedAt?: string;
}

/** One proposal: a branch with the candidates it changes. */
export interface UpdateGroup {
  /** `gitfleet/<baseline>-<type>`, `gitfleet/<baseline>-major-<name>` or `gitfleet/<policy group>`. */
  branch: string;
  title: string;
  /** The highest update type in the group (the risk). */
  type: UpdateKind;
  baselines: string[];
  candidates: Candidate[];
  policy: UpdatePolicy;
  hosts: string[];
}

/** A newer version that is not proposed, and why. */
export interface Skipped {
  manager: Manager;
  name: string;
  baseline: string;
  version?: string;
  reason: string;
  /** The versions could not be looked up at all (registry down, manager missing): nothing is known about newer ones. */
  lookupFailed?: true;
}

export interface DiscoverOptions {
  adapter(id: Manager): ManagerAdapter;
  ctx: AdapterContext;
  /** The fleet checkout: relative findLinks resolve against it. */
  fleetDir: string;
  now: Date;
  log?: Logger;
  /** Parallel version look-ups (default 16). */
  concurrency?: number;
}

interface Pin { manager: Manager; name: string; baseline: string; where: PinLocation; version: string }

const TYPE_ORDER: Record<UpdateKind, number> = { patch: 0, minor: 1, major: 2 };

/**
 * For every exact pin of every baseline (and of its imports), the newest allowed version of each update type,
 * filtered by the update rules of the hosts using the baseline, grouped into proposals. Look-up failures are
 * data (`skipped`), never exceptions.
 */
export async function discoverUpdates(model: FleetModel, o: DiscoverOptions): Promise<{ groups: UpdateGroup[]; skipped: Skipped[] }> {
  const users = hostsByBaseline(model);
  const policies = new Map<string, UpdatePolicy>();
  for (const name of model.baselines.keys()) policies.set(name, baselinePolicy(model, users.get(name) ?? []));
  const skipped: Skipped[] = [];
  const pins = collectPins(model).filter((p) => {
    const pol = policies.get(p.baseline)!;
    if (pol.ignore.some((pat) => matchesPattern(pat, p.manager, p.name))) {
      skipped.push({ manager: p.manager, name: p.name, baseline: p.baseline, reason: 'ignored by policy' });
      return false;
    }
    if (!scheduleOpen(pol, o.now)) {
      skipped.push({ manager: p.manager, name: p.name, baseline: p.baseline, reason: 'outside the policy\'s update schedule' });
      return false;
    }
    return pol.allow.length > 0;
  });

  // one look-up per package and source, however many baselines pin it
  const cache = new Map<string, Promise<AvailableVersion[]>>();
  const lookup = (p: Pin): Promise<AvailableVersion[]> => {
    const sources = sourcesFor(model.baselines.get(p.baseline)!.value.sources ?? {}, p.manager, o.fleetDir);
    const key = `${p.manager}\n${p.name}\n${JSON.stringify(sources ?? {})}`;
    let hit = cache.get(key);
    if (!hit) {
      // Index credentials live only in the hosts' stores: a private index is reported as not queried, not asked anonymously.
      hit = withCredentials(sources, { manager: p.manager, where: `baseline ${p.baseline}` }, undefined).then((s) => o.adapter(p.manager).listAvailable(p.name, o.ctx, s));
      cache.set(key, hit);
    }
    return hit;
  };

  const found = await mapLimit(pins, o.concurrency ?? 16, async (p) => {
    let versions: AvailableVersion[];
    try {
      versions = await lookup(p);
    } catch (err) {
      // The reason is in the summary; a stack per failed look-up would bury it.
      o.log?.warn({ manager: p.manager, name: p.name, reason: errorMessage(err) }, 'could not look up available versions');
      skipped.push({ manager: p.manager, name: p.name, baseline: p.baseline, lookupFailed: true, reason: `look-up failed: ${errorMessage(err)}` });
      return [];
    }
    return choose(p, versions, policies.get(p.baseline)!, o.now, skipped);
  });
  const candidates = found.flat();
  return { groups: groupCandidates(candidates, policies, users), skipped };
}

/** Every exact pin: baseline packages first, then import pins a baseline's own packages do not override. */
export function collectPins(model: FleetModel): Pin[] {
  const pins: Pin[] = [];
  const importedBy = new Map<string, string>();
  for (const [bName, { value: b, doc }] of [...model.baselines].sort(([a], [c]) => (a < c ? -1 : 1))) {
    const own = new Set<string>();
    for (const m of MANAGERS) {
      for (const [name, spec] of Object.entries(b.packages?.[m] ?? {})) {
        own.add(`${m}:${name.toLowerCase()}`);
        if (exact(m, spec)) pins.push({ manager: m, name, baseline: bName, where: { kind: 'yaml', file: doc.file, path: ['packages', m, name] }, version: spec });
      }
    }
    for (const imp of b.imports ?? []) {
      const file = imp.requirements ?? imp.packageJson!;
      // a file imported by several baselines is edited once, for the first of them
      if (importedBy.has(file)) continue;
      importedBy.set(file, bName);
      const got = model.imports.get(file);
      for (const pin of got?.pins ?? []) {
        if (own.has(`${got!.manager}:${pin.name.toLowerCase()}`) || !exact(got!.manager, pin.version)) continue;
        const where: PinLocation = got!.manager === 'pip' ? { kind: 'requirements', file, line: pin.line } : { kind: 'packageJson', file };
        pins.push({ manager: got!.manager, name: pin.name, baseline: bName, where, version: pin.version });
      }
    }
  }
  return pins;
}

function exact(m: Manager, spec: string): boolean {
  if (spec === 'present' || spec === 'latest' || spec === 'absent') return false;
  return schemeFor(m).valid(spec);
}

/** Schedule crons: each match opens proposals for an hour (a timer running `propose` hourly meets every match once). */
function scheduleOpen(pol: UpdatePolicy, now: Date): boolean {
  if (pol.schedule.length === 0) return true;
  try {
    return inMaintenanceWindow(pol.schedule.map((cron) => ({ cron, duration: '1h' })), now).open;
  } catch {
    return true; // an invalid cron is a validation problem; do not silently stop all proposals over it
  }
}

/** The newest allowed version of each update type. */
function choose(p: Pin, versions: AvailableVersion[], pol: UpdatePolicy, now: Date, skipped: Skipped[]): Candidate[] {
  const scheme = schemeFor(p.manager);
  const best = new Map<UpdateKind, AvailableVersion>();
  const tooNew = new Map<UpdateKind, string>();
  for (const v of versions) {
    let type: ReturnType<typeof classifyUpdate>;
    try {
      type = classifyUpdate(scheme, p.version, v.version);
    } catch {
      continue;
    }
    if (type === 'none') continue;
    if (type === 'prerelease') {
      if (!pol.prerelease) continue;
      type = prereleaseType(scheme, p.version, v.version);
    }
    if (!pol.allow.includes(type)) continue;
    if (pol.minimumReleaseAgeMs !== undefined) {
      // without a release date the age cannot be shown, so a version without one waits as if it were brand new
      const at = v.releasedAt ? Date.parse(v.releasedAt) : NaN;
      if (!(now.getTime() - at >= pol.minimumReleaseAgeMs)) {
        tooNew.set(type, v.version);
        continue;
      }
    }
    const cur = best.get(type);
    if (!cur || scheme.compare(cur.version, v.version) < 0) best.set(type, v);
  }
  for (const [type, version] of tooNew) {
    if (!best.has(type) || scheme.compare(best.get(type)!.version, version) < 0) {
      skipped.push({ manager: p.manager, name: p.name, baseline: p.baseline, version, reason: 'younger than the policy\'s minimumReleaseAge (or no release date)' });
    }
  }
  return [...best].map(([type, v]) => ({
    manager: p.manager, name: p.name, baseline: p.baseline, where: p.where, from: p.version, to: v.version, type,
    ...(v.releasedAt ? { releasedAt: v.releasedAt } : {}),
  }));
}

/** A pre-release counts as the release type it would be against the current pin. */
function prereleaseType(scheme: ReturnType<typeof schemeFor>, from: string, to: string): UpdateKind {
  const a = scheme.parse(from).release;
  const b = scheme.parse(to).release;
  if ((a[0] ?? 0) !== (b[0] ?? 0)) return 'major';
  if ((a[1] ?? 0) !== (b[1] ?? 0)) return 'minor';
  return 'patch';
}

/**
 * Default: one group per baseline and update type; majors alone, one per package. Like Renovate's default
 * (`separateMinorPatch: false`) a pin gets ONE non-major update, to its newest allowed non-major version, so a
 * package is never in a patch and a minor proposal at once with two different versions for the same file. A
 * policy group takes the non-major updates of the packages it matches across baselines; majors stay alone.
 */
export function groupCandidates(cands: readonly Candidate[], policies: ReadonlyMap<string, UpdatePolicy>, users: ReadonlyMap<string, string[]>): UpdateGroup[] {
  const groups = new Map<string, UpdateGroup>();
  const add = (branch: string, title: (g: UpdateGroup) => string, c: Candidate) => {
    let g = groups.get(branch);
    if (!g) {
      g = { branch, title: '', type: c.type, baselines: [], candidates: [], policy: policies.get(c.baseline)!, hosts: [] };
      groups.set(branch, g);
    }
    g.candidates.push(c);
    if (!g.baselines.includes(c.baseline)) g.baselines.push(c.baseline);
    if (TYPE_ORDER[c.type] > TYPE_ORDER[g.type]) g.type = c.type;
    g.hosts = [...new Set([...g.hosts, ...(users.get(c.baseline) ?? [])])].sort();
    g.title = title(g);
  };
  const inPolicyGroup = new Map<string, Candidate>();
  for (const c of newestNonMajor(cands).sort(byPlace)) {
    const pol = policies.get(c.baseline)!;
    const pg = c.type === 'major' ? undefined : pol.groups.find((g) => (!g.managers || g.managers.includes(c.manager)) && g.match.some((m) => matchesPattern(m, c.manager, c.name)));
    if (pg) {
      // one version per pin in a group: the newest non-major
      const key = `${pg.name}\n${c.where.file}\n${c.manager}:${c.name}`;
      const prev = inPolicyGroup.get(key);
      if (!prev || TYPE_ORDER[c.type] > TYPE_ORDER[prev.type]) inPolicyGroup.set(key, c);
      continue;
    }
    if (c.type === 'major') add(`gitfleet/${c.baseline}-major-${slug(c.name)}`, () => `gitfleet: update ${c.manager} ${c.name} to ${c.to} in ${c.baseline} (major)`, c);
    else add(`gitfleet/${c.baseline}-${c.type}`, (g) => g.candidates.length === 1 ? `gitfleet: update ${c.manager} ${c.name} to ${c.to} in ${c.baseline} (${c.type})` : `gitfleet: ${c.type} updates for ${c.baseline} (${g.candidates.length} packages)`, c);
  }
  for (const [key, c] of inPolicyGroup) {
    const name = key.split('\n')[0]!;
    add(`gitfleet/${name}`, (g) => `gitfleet: update group ${name} (${g.candidates.length} package${g.candidates.length === 1 ? '' : 's'})`, c);
  }
  return [...groups.values()].sort((a, b) => TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || (a.branch < b.branch ? -1 : 1));
}

/** Majors as they are; of the non-major candidates of one pin of one baseline, only the newest. */
function newestNonMajor(cands: readonly Candidate[]): Candidate[] {
  const key = (c: Candidate) => `${c.baseline}\n${c.where.file}\n${c.manager}:${c.name}`;
  const newest = new Map<string, Candidate>();
  for (const c of cands) {
    if (c.type === 'major') continue;
    const prev = newest.get(key(c));
    // same pin, same `from`: the higher update type is the newer version
    if (!prev || TYPE_ORDER[c.type] > TYPE_ORDER[prev.type]) newest.set(key(c), c);
  }
  return cands.filter((c) => c.type === 'major' || newest.get(key(c)) === c);
}

function byPlace(a: Candidate, b: Candidate): number {
  return a.baseline.localeCompare(b.baseline) || a.manager.localeCompare(b.manager) || a.name.localeCompare(b.name) || TYPE_ORDER[a.type] - TYPE_ORDER[b.type];
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'package';
}
