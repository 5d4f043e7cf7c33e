import type { DesiredSandbox } from '../fleet/resolve.js';
import type { HealthCheck, Manager } from '../fleet/model.generated.js';
import type { EffectivePolicy } from '../fleet/policy-merge.js';
import type { ManagerSources, PackageChange } from '../managers/types.js';
import type { Action, Inventory } from '../plan/types.js';
import { withoutCredentials } from '../util/url-credentials.js';
import { readJson, removeFile, writeJson } from './store.js';

/** One unit of apply: a sandbox to create, or one manager's changes in one target (one command batch). */
export interface Batch {
  index: number;
  kind: 'sandbox' | 'packages';
  target: string;
  manager?: Manager;
  sandbox?: string;
  changes: PackageChange[];
  sources?: ManagerSources;
  state: 'pending' | 'running' | 'done' | 'failed';
}

/** The prior version of a package an apply touches; null when it was not installed. */
export interface SnapshotEntry {
  target: string;
  manager: Manager;
  name: string;
  version: string | null;
}

/**
 * Written atomically before anything changes and after every batch: enough to finish or undo an apply
 * after a crash, without the fleet revision (which may have moved on by then).
 */
export interface Journal {
  version: 1;
  id: string;
  host: string;
  revision: string | null;
  startedAt: string;
  /** `kept`: a batch failed under `rollback: never`; what was done stays, so recovery must never roll it back. */
  status: 'running' | 'rolling-back' | 'rollback-failed' | 'kept';
  /**
   * The policy's `rollback` when the apply started: recovery from a crash follows it (`never`: record what is there, undo
   * nothing). Absent in journals written before it was recorded; recovery then rolls back, as it did.
   */
  rollback?: EffectivePolicy['rollback'];
  /**
   * The policy's health checks when the apply started: under `rollback: never`, recovery from a crash after the last
   * batch runs them (the packages are in place) instead of leaving the host unchecked. Absent in older journals.
   */
  healthChecks?: HealthCheck[];
  /** `health`: every batch is done and the health checks are running. Absent while the batches run. */
  stage?: 'health';
  inventoryBefore: Inventory;
  snapshot: SnapshotEntry[];
  /** The sandboxes the batches reach, so that recovery can address them as they were. */
  sandboxes: DesiredSandbox[];
  batches: Batch[];
  error?: { code: string; message: string };
}

/** Groups plan actions into batches: each sandbox alone, then per target and manager in plan order. */
export function toBatches(actions: readonly Action[], sourcesOf: (target: string, manager: Manager) => ManagerSources | undefined): Batch[] {
  const batches: Batch[] = [];
  const byKey = new Map<string, Batch>();
  for (const a of actions) {
    if (a.kind === 'create-sandbox') {
      batches.push({ index: batches.length, kind: 'sandbox', target: a.target, sandbox: a.name, changes: [], state: 'pending' });
      continue;
    }
    const key = `${a.target}|${a.manager}`;
    let b = byKey.get(key);
    if (!b) {
      b = { index: batches.length, kind: 'packages', target: a.target, manager: a.manager!, changes: [], sources: sourcesOf(a.target, a.manager!), state: 'pending' };
      byKey.set(key, b);
      batches.push(b);
    }
    b.changes.push(a.kind === 'remove' ? { kind: 'remove', name: a.name } : { kind: a.kind, name: a.name, version: a.to! });
  }
  return batches;
}

/** The prior versions of everything the actions touch. */
export function snapshotOf(actions: readonly Action[]): SnapshotEntry[] {
  return actions.filter((a) => a.kind !== 'create-sandbox').map((a) => ({ target: a.target, manager: a.manager!, name: a.name, version: a.from ?? null }));
}

/** Reads the journal of an interrupted apply, if there is one. */
export function readJournal(path: string): Promise<Journal | undefined> {
  return readJson<Journal | undefined>(path, undefined);
}

/** Writes the journal atomically, without the credentials a batch's source URLs may carry (only the run in memory keeps them). */
export function writeJournal(path: string, j: Journal): Promise<void> {
  return writeJson(path, { ...j, batches: j.batches.map((b) => (b.sources ? { ...b, sources: sourcesWithoutCredentials(b.sources) } : b)) }, 0o600);
}

function sourcesWithoutCredentials(s: ManagerSources): ManagerSources {
  const out: ManagerSources = { ...s };
  if (s.indexUrl !== undefined) out.indexUrl = withoutCredentials(s.indexUrl);
  if (s.extraIndexUrls) out.extraIndexUrls = s.extraIndexUrls.map(withoutCredentials);
  if (s.findLinks) out.findLinks = s.findLinks.map(withoutCredentials);
  if (s.registry !== undefined) out.registry = withoutCredentials(s.registry);
  return out;
}

/** Removes the journal once an apply ended cleanly (applied, or rolled back). */
export function clearJournal(path: string): Promise<void> {
  return removeFile(path);
}
