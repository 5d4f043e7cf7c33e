/*
 * The agent's side of the drift mode on a plan: it finds the desired state at the revision it applied last (read
 * from the checkout's history), and lets the pure splitByDriftMode decide which actions the revision asks for and
 * which would undo drift that `report`/`propose` leave as they are.
 */
import type { Runner } from '../util/exec.js';
import { gitSource } from '../fleet/source.js';
import { loadFleet } from '../fleet/load.js';
import { validateFleet } from '../fleet/validate.js';
import { resolveHost, type DesiredHost, type ResolveOptions } from '../fleet/resolve.js';
import type { Planned } from '../apply/run.js';
import { splitByDriftMode, type DriftSplit } from '../policy/drift.js';

/** Where the applied revision is read from, and how the host resolves (as for the revision being planned). */
export interface DriftSplitContext {
  runner: Runner;
  checkout: string;
  host: string;
  resolve: ResolveOptions;
}

/** Splits the plan of `target` by its drift mode, against the desired state at `applied` (the revision applied last). */
export async function driftSplit(ctx: DriftSplitContext, p: Planned, target: string, applied: string | null): Promise<DriftSplit> {
  const mode = p.desired.policy.drift;
  // Enforce holds nothing, and the agent reports its repairs as drift on the applied revision only: no history to read.
  const needsPrevious = mode !== 'enforce' && target !== applied && applied !== null && p.plan.actions.length > 0;
  const previous = target === applied ? 'same' : needsPrevious ? await desiredAt(ctx, applied) : null;
  return splitByDriftMode({
    plan: p.plan, mode, desired: p.desired, previous, inventory: p.inventory,
    normalize: (m, n) => p.deps.manager(m).normalizeName(n),
  });
}

/** The host's desired state at a revision of the checkout, or null when that revision cannot be read, validated or resolved. */
export async function desiredAt(ctx: DriftSplitContext, rev: string): Promise<DesiredHost | null> {
  try {
    const validation = await validateFleet(await loadFleet(await gitSource(ctx.runner, ctx.checkout, rev)));
    if (!validation.ok) return null;
    const { host, diagnostics } = resolveHost(validation.model, ctx.host, ctx.resolve);
    return host && !diagnostics.length ? host : null;
  } catch {
    // A revision gone from the clone (history rewritten and followed) falls back to the inventory's view of drift.
    return null;
  }
}
