/*
 * The evidence drift modes need (src/policy/drift.ts): after a successful apply, or a run with nothing to do, which
 * desired packages and sandboxes were in place, whoever put them there. A package that was already at its desired
 * version when gitfleet came (so never in the inventory) and is changed by hand later is then told apart from one the
 * revision asks for. Stored beside the inventory (rolled back with it); it never decides a removal.
 */
import type { DesiredHost } from '../fleet/resolve.js';
import type { Manager } from '../fleet/model.generated.js';
import type { Action, ActualState, Inventory, Plan, Satisfied } from '../plan/types.js';
import { unmountedSandboxes } from '../plan/plan.js';
import { readJson, writeJson } from './store.js';

export interface SatisfiedInputs {
  desired: DesiredHost;
  /** The host as observed before the plan was made. */
  actual: ActualState;
  /** The whole plan of the revision. */
  plan: Plan;
  /** What was applied of it (the plan itself, or the part the drift mode let through); it succeeded. */
  applied: Plan;
  /** The record before this apply, if any. */
  before: Satisfied | undefined;
  /** The manager's canonical name form; identity when absent. */
  normalize?: (manager: Manager, name: string) => string;
}

/**
 * The record after a successful apply: each desired package at the version it was observed at (no action) or applied
 * at; a package whose action was held back (drift left as it is), or whose target could not be read, keeps what was
 * recorded before, so the evidence of the last time it was in place survives. Pure.
 */
export function satisfiedAfter(inp: SatisfiedInputs): Satisfied {
  const norm = inp.normalize ?? ((_m: Manager, n: string) => n);
  const done = new Set<Action>(inp.applied.actions);
  const actionOf = new Map<string, Action>();
  for (const a of inp.plan.actions) actionOf.set(a.manager ? `${a.target}|${a.manager}|${norm(a.manager, a.name)}` : a.target, a);
  const out: Satisfied = { packages: {}, sandboxes: {} };
  // Read, but nothing was planned there (a container without a mount): what it has is no evidence of being in place.
  const unplanned = new Set(unmountedSandboxes(inp.plan));

  for (const sb of inp.desired.sandboxes) {
    const a = actionOf.get(`sandbox:${sb.name}`);
    const seen = inp.actual.sandboxes[sb.name];
    const inPlace = a ? done.has(a) : seen?.exists === true && (!seen.type || seen.type === sb.type);
    const kept = inp.before?.sandboxes[sb.name];
    if (inPlace) out.sandboxes[sb.name] = { type: sb.type, path: sb.path };
    else if (a && kept) out.sandboxes[sb.name] = kept; // its creation held back: removed by hand, the evidence stays
  }

  for (const t of inp.desired.targets) {
    for (const p of t.packages) {
      if (p.spec === 'absent') continue;
      const name = norm(p.manager, p.name);
      const a = actionOf.get(`${t.target}|${p.manager}|${name}`);
      const observed = unplanned.has(t.target) ? undefined : inp.actual.targets[t.target]?.[p.manager];
      const version = a
        ? (done.has(a) && a.kind !== 'remove' ? a.to : undefined)
        : observed?.status === 'ok' ? observed.packages[name] : undefined;
      const recorded = version ?? inp.before?.packages[t.target]?.[p.manager]?.[name];
      if (recorded !== undefined) ((out.packages[t.target] ??= {})[p.manager] ??= {})[name] = recorded;
    }
  }
  return out;
}

/**
 * Records the evidence into the inventory file just written by a successful apply (or left as it was by a run with
 * nothing to do); writes only when it changed, so drift checks that find nothing do not rewrite the state.
 */
export async function recordSatisfied(inventoryPath: string, inp: Omit<SatisfiedInputs, 'before'>): Promise<void> {
  const inv = await readJson<Inventory | null>(inventoryPath, null);
  const base: Inventory = inv ?? { packages: {}, sandboxes: {} };
  const satisfied = satisfiedAfter({ ...inp, before: base.satisfied });
  if (JSON.stringify(satisfied) === JSON.stringify(inv ? inv.satisfied : { packages: {}, sandboxes: {} })) return;
  await writeJson(inventoryPath, { ...base, satisfied } satisfies Inventory);
}
