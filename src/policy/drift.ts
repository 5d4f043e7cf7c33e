/*
 * The drift mode applied to a plan (DESIGN.md §5): under `enforce` every action applies; under `report` and
 * `propose` an action that would undo a change made on the host by hand (drift) is held back, and only what the
 * revision asks for applies — so a new revision never silently reverts drift the policy said to leave. A newer
 * release of a `latest` package is what the spec asks for, not drift: it applies under every mode.
 * Pure: the plan, the desired states and the inventory in, the split out.
 */
import type { DesiredHost } from '../fleet/resolve.js';
import type { Manager } from '../fleet/model.generated.js';
import type { Action, Inventory, Plan } from '../plan/types.js';

export type DriftMode = DesiredHost['policy']['drift'];

export interface DriftSplitInputs {
  plan: Plan;
  /** The drift mode of the revision being applied. */
  mode: DriftMode;
  /** The desired state the plan was made from. */
  desired: DesiredHost;
  /**
   * The desired state at the revision applied last: `same` when the plan is for that revision (every spec is then
   * unchanged); null when it is not known (nothing applied yet, or that revision cannot be read), and the inventory decides.
   */
  previous: DesiredHost | 'same' | null;
  /**
   * What gitfleet installed, as it was when the plan was made, with its `satisfied` record (what the last successful
   * apply found in place, whoever put it there); state written before that record falls back to the inventory alone.
   */
  inventory: Inventory;
  /** The manager's canonical name form; identity when absent. */
  normalize?: (manager: Manager, name: string) => string;
}

/** A plan split by the drift mode. */
export interface DriftSplit {
  /** What the revision asks for: applied whatever the drift mode. */
  apply: Action[];
  /** Repairs of drift that the mode leaves as they are; reported as drift (and proposed under `propose`). */
  held: Action[];
  /** The actions that undo a change by hand, whatever the mode: `held` under report/propose, applied under enforce. */
  drift: Action[];
}

/**
 * Splits a plan's actions by the drift mode. Under `report`/`propose`, an action is held only when there is evidence of
 * a change by hand: the package's desired spec is the same as at the applied revision (or, when that is not known, the
 * desired version is still the one last in place) and the host differs from the version last seen in place (the
 * `satisfied` record, else what the inventory says gitfleet installed), or the spec is `absent` at both and someone
 * installed it, or a sandbox that was in place is gone. Whatever the revision changed (a new or changed spec, a
 * removal, a new sandbox) applies, drifted or not; so does what was never seen in place (a target gitfleet could not
 * list, a version it could not resolve when the revision applied), and a newer release of a `latest` package the host
 * has as last seen in place (the plan's `changed`), on the applied revision as on a new one. `drift` is the same
 * judgement under every mode (enforce applies it: the agent reports those repairs as drift, and nothing else).
 */
export function splitByDriftMode(inp: DriftSplitInputs): DriftSplit {
  const previous = inp.previous === 'same' ? inp.desired : inp.previous;
  const isDrift = previous ? againstPrevious(inp, previous) : againstInventory(inp);
  // A sandbox removed by hand stays removed, and with it everything planned inside it (there is nowhere to install).
  const lostSandboxes = new Set(inp.plan.actions.filter((a) => a.kind === 'create-sandbox' && isDrift(a)).map((a) => a.target));
  const apply: Action[] = [];
  const drift: Action[] = [];
  for (const a of inp.plan.actions) (lostSandboxes.has(a.target) || isDrift(a) ? drift : apply).push(a);
  if (inp.mode === 'enforce') return { apply: [...inp.plan.actions], held: [], drift };
  return { apply, held: drift, drift };
}

type IsDrift = (a: Action) => boolean;

// The desired state at the applied revision says which specs that apply already had; the inventory says what it left.
function againstPrevious(inp: DriftSplitInputs, previous: DesiredHost): IsDrift {
  const norm = inp.normalize ?? ((_m: Manager, n: string) => n);
  const before = specs(previous, norm);
  const now = specs(inp.desired, norm);
  return (a) => {
    if (a.kind === 'create-sandbox') return sandboxRemovedByHand(inp, a);
    if (!a.manager) return false;
    const name = norm(a.manager, a.name);
    const key = keyOf(a.target, a.manager, name);
    if (before.get(key) === undefined || before.get(key) !== now.get(key)) return false;
    // `absent` at both revisions: the apply of the previous one left it absent, so someone installed it.
    if (a.reason === 'desired-absent') return true;
    // `changed`: the host is as gitfleet left it and the spec resolves differently (a newer `latest`).
    if (a.reason !== 'drifted' && a.reason !== 'missing') return false;
    // Never seen in place (the target could not be listed, the version not resolved, when that revision applied):
    // nothing says a hand undid it, so the revision still asks for it. Seen as it is now: not a hand change either.
    const seen = lastInPlace(inp, a.target, a.manager, name);
    return seen !== undefined && seen !== a.from;
  };
}

// The version last seen in place: the `satisfied` record (the newest evidence, and the only one for what was there
// before gitfleet came), else the version gitfleet installed (state written before that record existed).
function lastInPlace(inp: DriftSplitInputs, target: string, manager: Manager, name: string): string | undefined {
  return inp.inventory.satisfied?.packages[target]?.[manager]?.[name] ?? inp.inventory.packages[target]?.[manager]?.[name];
}

// A sandbox that was in place (made by gitfleet or found there, the same type and path as now desired) and is gone was removed by hand.
function sandboxRemovedByHand(inp: DriftSplitInputs, a: Action): boolean {
  const name = a.target.slice('sandbox:'.length);
  const made = inp.inventory.satisfied?.sandboxes[name] ?? inp.inventory.sandboxes[name];
  return made !== undefined && `${made.type} ${made.path}` === a.to;
}

// Without the applied revision's desired state: drift is a host that differs from the version last in place while the
// desired version is still that one (or any version will do: `present`, `latest`).
function againstInventory(inp: DriftSplitInputs): IsDrift {
  const norm = inp.normalize ?? ((_m: Manager, n: string) => n);
  const now = specs(inp.desired, norm);
  return (a) => {
    if (a.kind === 'create-sandbox') return sandboxRemovedByHand(inp, a);
    // The planner says `missing` only for a package never seen in place (no evidence below); the evidence decides, not the label.
    if ((a.reason !== 'drifted' && a.reason !== 'missing') || !a.manager) return false;
    const name = norm(a.manager, a.name);
    const seen = lastInPlace(inp, a.target, a.manager, name);
    if (seen === undefined || seen === a.from) return false;
    const spec = now.get(keyOf(a.target, a.manager, name));
    return spec === 'present' || spec === 'latest' || a.to === seen;
  };
}

function specs(d: DesiredHost, norm: (m: Manager, n: string) => string): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of d.targets) for (const p of t.packages) out.set(keyOf(t.target, p.manager, norm(p.manager, p.name)), p.spec);
  return out;
}

function keyOf(target: string, manager: string, name: string): string {
  return `${target}|${manager}|${name}`;
}
