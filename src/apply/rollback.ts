import type { Manager } from '../fleet/model.generated.js';
import type { PackageChange } from '../managers/types.js';
import type { DesiredSandbox } from '../fleet/resolve.js';
import { errorMessage } from '../util/errors.js';
import { runChecked } from '../util/exec.js';
import { commandsFor, inTarget, type HostDeps } from './context.js';
import { listIn } from './observe.js';
import type { Journal, SnapshotEntry } from './journal.js';

/** What a rollback did: packages put back, sandboxes removed, and the first failure if any. */
export interface RollbackOutcome {
  ok: boolean;
  restored: number;
  error?: string;
}

/**
 * Puts every package the journal's batches touched back to its snapshot version (reinstall the
 * previous version, remove what was new) and removes sandboxes this apply created. It re-reads each
 * target first, so it is correct however far the apply got, including after a crash.
 */
export async function rollback(j: Journal, deps: HostDeps): Promise<RollbackOutcome> {
  let restored = 0;
  const failures: string[] = [];
  const groups = new Map<string, SnapshotEntry[]>();
  for (const s of j.snapshot) {
    const touched = j.batches.some((b) => b.kind === 'packages' && b.target === s.target && b.manager === s.manager && b.state !== 'pending');
    if (!touched) continue;
    const k = `${s.target}|${s.manager}`;
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(s);
  }
  for (const entries of groups.values()) {
    const { target, manager } = entries[0]!;
    const sb = sandboxFor(j.sandboxes, target);
    if (sb && j.batches.some((b) => b.kind === 'sandbox' && b.sandbox === sb.name && b.state !== 'pending')) continue; // removed whole below
    try {
      restored += await restoreGroup(j, deps, target, manager, entries);
    } catch (err) {
      failures.push(`${target} ${manager}: ${errorMessage(err)}`);
    }
  }
  for (const b of [...j.batches].reverse()) {
    if (b.kind !== 'sandbox' || b.state === 'pending') continue;
    const sb = j.sandboxes.find((s) => s.name === b.sandbox);
    if (!sb) continue;
    try {
      await deps.driver(sb.type).remove(sb, { runner: deps.runner });
      restored++;
    } catch (err) {
      failures.push(`sandbox ${sb.name}: ${errorMessage(err)}`);
    }
  }
  return failures.length ? { ok: false, restored, error: failures.join('; ') } : { ok: true, restored };
}

async function restoreGroup(j: Journal, deps: HostDeps, target: string, manager: Manager, entries: SnapshotEntry[]): Promise<number> {
  const adapter = deps.manager(manager);
  // Read where the batch wrote: inside a docker or wsl sandbox, not the host's own databases.
  const now = (await listIn(j.sandboxes, target, manager, deps)).packages;
  const changes: PackageChange[] = [];
  for (const e of entries) {
    const current = now[adapter.normalizeName(e.name)];
    if (e.version === null) {
      if (current !== undefined) changes.push({ kind: 'remove', name: e.name });
    } else if (current === undefined || adapter.versions.compare(current, e.version) !== 0) {
      const kind = current === undefined ? 'install' : adapter.versions.compare(current, e.version) > 0 ? 'downgrade' : 'upgrade';
      changes.push({ kind, name: e.name, version: e.version });
    }
  }
  if (!changes.length) return 0;
  const sources = j.batches.find((b) => b.target === target && b.manager === manager)?.sources;
  for (const cmd of await commandsFor(j.sandboxes, deps, target, manager, changes, sources)) await runChecked(deps.runner, inTarget(j.sandboxes, deps, target, cmd));
  return changes.length;
}

function sandboxFor(sandboxes: readonly DesiredSandbox[], target: string): DesiredSandbox | undefined {
  return target.startsWith('sandbox:') ? sandboxes.find((s) => s.name === target.slice(8)) : undefined;
}
