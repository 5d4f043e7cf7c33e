import type { FleetModel } from '../fleet/model.js';
import type { Baseline, Host, Policy, UpdateType, Updates } from '../fleet/model.generated.js';
import { effectivePolicy } from '../fleet/policy-merge.js';
import { parseDuration } from '../fleet/platform.js';

/** A kind of update that is proposed. */
export type UpdateKind = UpdateType;

/** The update rules for one baseline: the strictest of the policies of every host that uses it. */
export interface UpdatePolicy {
  /** Default, when no policy says: every type. */
  allow: UpdateKind[];
  prerelease: boolean;
  minimumReleaseAgeMs?: number;
  ignore: string[];
  groups: NonNullable<Updates['groups']>;
  schedule: string[];
  maxOpenPRs?: number;
  maxPRsPerHour?: number;
  autoMerge: UpdateKind[];
}

const ALL: UpdateKind[] = ['patch', 'minor', 'major'];

/**
 * Folds the hosts' update rules for a baseline. Several hosts with different policies share a baseline, and one
 * PR serves them all, so the result is what every one of them accepts: allowed and auto-merged types intersect,
 * the longest minimum age and the lowest limits win, ignore lists and groups add up, pre-releases only when all
 * agree, and the schedule is the union of the crons (any one of them opens it).
 */
export function combineUpdates(list: readonly Updates[]): UpdatePolicy {
  const out: UpdatePolicy = { allow: [...ALL], prerelease: list.length > 0, ignore: [], groups: [], schedule: [], autoMerge: [...ALL] };
  if (list.length === 0) return { ...out, autoMerge: [] };
  for (const u of list) {
    out.allow = out.allow.filter((t) => (u.allow ?? ALL).includes(t));
    out.prerelease &&= u.prerelease === true;
    if (u.minimumReleaseAge) out.minimumReleaseAgeMs = Math.max(out.minimumReleaseAgeMs ?? 0, parseDuration(u.minimumReleaseAge));
    out.ignore.push(...(u.ignore ?? []));
    for (const g of u.groups ?? []) if (!out.groups.some((x) => x.name === g.name)) out.groups.push(g);
    out.schedule.push(...(u.schedule ?? []).filter((c) => !out.schedule.includes(c)));
    if (u.maxOpenPRs !== undefined) out.maxOpenPRs = Math.min(out.maxOpenPRs ?? Infinity, u.maxOpenPRs);
    if (u.maxPRsPerHour !== undefined) out.maxPRsPerHour = Math.min(out.maxPRsPerHour ?? Infinity, u.maxPRsPerHour);
    out.autoMerge = out.autoMerge.filter((t) => (u.autoMerge ?? []).includes(t));
  }
  return out;
}

/** Which hosts use each baseline (directly or through `includes`, when `appliesTo` matches the host document). */
export function hostsByBaseline(model: FleetModel): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [hostName, { value: h }] of model.hosts) {
    const seen = new Set<string>();
    const visit = (name: string) => {
      const b = model.baselines.get(name)?.value;
      if (!b || seen.has(name) || !applies(b, h)) return;
      seen.add(name);
      for (const inc of b.includes ?? []) visit(inc);
    };
    for (const b of h.baselines ?? []) visit(b);
    for (const b of seen) out.set(b, [...(out.get(b) ?? []), hostName]);
  }
  for (const list of out.values()) list.sort();
  return out;
}

/** The update rules of a host: the fleet's default policies, then its own, folded in order. */
export function hostUpdates(model: FleetModel, host: Host | undefined): Updates {
  const names = [...new Set([...(model.fleet?.value.defaults?.policies ?? []), ...(host?.policies ?? [])])];
  const policies = names.map((n) => model.policies.get(n)?.value).filter((p): p is Policy => p !== undefined);
  return effectivePolicy(policies).updates;
}

/** The rules for a baseline from the hosts using it; with no host, the fleet's default policies. */
export function baselinePolicy(model: FleetModel, hosts: readonly string[]): UpdatePolicy {
  if (hosts.length === 0) return combineUpdates([hostUpdates(model, undefined)]);
  const seen = new Map<string, Updates>();
  for (const h of hosts) {
    const host = model.hosts.get(h)?.value;
    const key = (host?.policies ?? []).join('\n');
    if (!seen.has(key)) seen.set(key, hostUpdates(model, host));
  }
  return combineUpdates([...seen.values()]);
}

/** `name`, `manager:name` or a glob with `*` (matched against both forms). */
export function matchesPattern(pattern: string, manager: string, name: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(name) || re.test(`${manager}:${name}`);
}

// The selector as far as the host document tells it; live capabilities are not known here.
function applies(b: Baseline, h: Host): boolean {
  const s = b.appliesTo;
  if (!s) return true;
  if (s.os && !s.os.includes(h.os)) return false;
  if (s.arch && !s.arch.includes(h.arch)) return false;
  for (const [k, v] of Object.entries(s.labels ?? {})) if (h.labels?.[k] !== v) return false;
  return true;
}
