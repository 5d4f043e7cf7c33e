import type { ChangedPackage } from '../events/types.js';
import type { Inventory } from '../plan/types.js';
import type { VersionScheme } from '../managers/types.js';
import { errorMessage } from '../util/errors.js';
import type { HostDeps } from './context.js';
import type { Batch, Journal } from './journal.js';
import { listTarget } from './observe.js';

/** What an apply that stopped part-way really left behind, observed rather than assumed. */
export interface PartialOutcome {
  /** The inventory with every observed change gitfleet made recorded (and nothing it did not make). */
  inventory: Inventory;
  /** The packages whose version really differs from the snapshot, in batch order. */
  changed: ChangedPackage[];
  /** `target manager` (or `sandbox NAME`) of batches that ran but could not be read back; their inventory is left as it was. */
  unobserved: string[];
}

/**
 * After a failed batch under `rollback: never`: re-lists every target a batch touched (the failed one
 * may have installed or removed part of its changes before failing) and compares it with the snapshot,
 * so that the inventory, the result and the events tell the truth and the next plan starts from it.
 * `inventory` is the inventory before the apply, with dropped sandboxes already forgotten.
 */
export async function observePartial(j: Journal, inventory: Inventory, deps: HostDeps): Promise<PartialOutcome> {
  const inv = structuredClone(inventory);
  const changed: ChangedPackage[] = [];
  const unobserved: string[] = [];
  const touched = j.batches.filter((b) => b.state === 'done' || b.state === 'failed');
  for (const b of touched) {
    if (b.kind === 'sandbox') await recordSandbox(j, b, inv, deps, unobserved);
    else await recordPackages(j, b, inv, deps, changed, unobserved);
  }
  return { inventory: inv, changed, unobserved };
}

/**
 * `observePartial` that never throws: whatever goes wrong while reading back, every touched target is named
 * unobserved and the inventory is left as given, so a failure under `rollback: never` is still recorded and reported.
 */
export async function observePartialSafely(j: Journal, inventory: Inventory, deps: HostDeps): Promise<PartialOutcome> {
  try {
    return await observePartial(j, inventory, deps);
  } catch (err) {
    const touched = j.batches.filter((b) => b.state === 'done' || b.state === 'failed');
    return { inventory, changed: [], unobserved: touched.map((b) => `${b.kind === 'sandbox' ? `sandbox ${b.sandbox}` : `${b.target} ${b.manager}`}: read-back failed: ${errorMessage(err)}`) };
  }
}

async function recordSandbox(j: Journal, b: Batch, inv: Inventory, deps: HostDeps, unobserved: string[]): Promise<void> {
  const sb = j.sandboxes.find((s) => s.name === b.sandbox);
  if (!sb) return;
  let exists = b.state === 'done';
  if (!exists) {
    // A creation that failed may still have left a sandbox behind; gitfleet made it, so it is gitfleet's.
    try {
      exists = (await deps.driver(sb.type).inspect(sb, { runner: deps.runner })).exists;
    } catch (err) {
      unobserved.push(`sandbox ${sb.name}: ${errorMessage(err)}`);
      return;
    }
  }
  if (exists) inv.sandboxes[sb.name] = { type: sb.type, path: sb.path };
}

async function recordPackages(j: Journal, b: Batch, inv: Inventory, deps: HostDeps, changed: ChangedPackage[], unobserved: string[]): Promise<void> {
  const m = b.manager!;
  const adapter = deps.manager(m);
  const listed = await listTarget(j.sandboxes, b.target, m, deps);
  if (listed.status !== 'ok' && b.state === 'failed') {
    // Nothing is known of what the failed batch did: say so rather than guess either way.
    unobserved.push(`${b.target} ${m}: ${listed.message}`);
    return;
  }
  const byM = () => ((inv.packages[b.target] ??= {})[m] ??= {});
  for (const c of b.changes) {
    const name = adapter.normalizeName(c.name);
    const before = j.snapshot.find((s) => s.target === b.target && s.manager === m && s.name === c.name)?.version ?? undefined;
    // A batch that succeeded did what it said, even where its target cannot be read back now.
    const now = listed.status === 'ok' ? listed.packages[name] : c.kind === 'remove' ? undefined : c.version;
    if (sameVersion(adapter.versions, now, before)) continue;
    changed.push({ target: b.target, manager: m, name: c.name, from: before, to: now });
    if (now === undefined) delete byM()[name];
    else byM()[name] = now;
  }
}

/** Equal strings are the same version; otherwise the ecosystem decides, and a version it cannot read counts as different. */
function sameVersion(scheme: VersionScheme, a: string | undefined, b: string | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  try {
    return scheme.compare(a, b) === 0;
  } catch {
    return false;
  }
}
