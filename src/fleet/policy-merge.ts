import type { HealthCheck, Limits, Os, Policy, Updates, Window } from './model.generated.js';
import type { Manager } from './model.generated.js';
import { parseQuantity } from './platform.js';

/** The policies of a host folded into one: later policies win for single values, lists add up, ceilings take the lowest. */
export interface EffectivePolicy {
  drift: 'enforce' | 'propose' | 'report';
  rollback: 'onFailedHealth' | 'never';
  /** Allowed managers per OS: the intersection over the policies that restrict them. */
  managers?: Partial<Record<Os, Manager[]>>;
  deny: Set<string>;
  limits?: Limits;
  maintenance: Window[];
  healthChecks: HealthCheck[];
  updates: Updates;
}

/** Folds policies in order (fleet defaults first, then the host's). */
export function effectivePolicy(policies: readonly Policy[]): EffectivePolicy {
  const out: EffectivePolicy = { drift: 'enforce', rollback: 'onFailedHealth', deny: new Set(), maintenance: [], healthChecks: [], updates: {} };
  for (const p of policies) {
    if (p.drift) out.drift = p.drift;
    if (p.rollback) out.rollback = p.rollback;
    for (const d of p.deny ?? []) out.deny.add(d);
    out.maintenance.push(...(p.maintenance ?? []));
    out.healthChecks.push(...(p.healthChecks ?? []));
    out.updates = { ...out.updates, ...(p.updates ?? {}) };
    for (const [os, list] of Object.entries(p.managers ?? {}) as [Os, Manager[]][]) {
      out.managers ??= {};
      const prev = out.managers[os];
      out.managers[os] = prev ? prev.filter((m) => list.includes(m)) : [...list];
    }
    const ceiling = p.limits?.sandbox;
    if (ceiling) {
      out.limits ??= {};
      if (ceiling.cpus !== undefined) out.limits.cpus = Math.min(out.limits.cpus ?? Infinity, ceiling.cpus);
      if (ceiling.memory !== undefined) out.limits.memory = lowerQuantity(out.limits.memory, ceiling.memory);
    }
  }
  return out;
}

function lowerQuantity(a: string | undefined, b: string): string {
  if (a === undefined) return b;
  return parseQuantity(a) <= parseQuantity(b) ? a : b;
}
