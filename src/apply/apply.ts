import { randomUUID } from 'node:crypto';
import type { DesiredHost } from '../fleet/resolve.js';
import type { Manager } from '../fleet/model.generated.js';
import type { EventBus } from '../events/bus.js';
import type { AuditLog } from '../events/audit.js';
import type { ChangedPackage } from '../events/types.js';
import type { Inventory, Plan } from '../plan/types.js';
import { droppedSandboxes } from '../plan/plan.js';
import { GitfleetError, errorMessage } from '../util/errors.js';
import { runChecked } from '../util/exec.js';
import { checkInTarget, commandsFor, inTarget, sandboxOf, sourcesFor, type HostDeps } from './context.js';
import { clearJournal, snapshotOf, toBatches, writeJournal, type Batch, type Journal } from './journal.js';
import { rollback } from './rollback.js';
import { runHealthChecks, type HealthResult } from './health.js';
import { writeJson } from './store.js';
import { observePartialSafely } from './partial.js';
import { sandboxSourceFolders } from './sandbox-sources.js';

/** Progress of an apply, one call per batch boundary. */
export interface Progress {
  phase: 'batch-start' | 'batch-done' | 'batch-failed' | 'health' | 'rollback';
  index?: number;
  total?: number;
  target?: string;
  manager?: string;
  count?: number;
  detail?: string;
}

export interface ApplyEnv {
  deps: HostDeps;
  paths: { journal: string; inventory: string };
  bus: EventBus;
  audit: AuditLog;
  inventory: Inventory;
  now: () => Date;
  progress?: (p: Progress) => void;
  /** Test hook: called after each batch is recorded as done (crash tests stop the process here). */
  afterBatch?: (b: Batch) => Promise<void> | void;
}

interface ApplyError { code: string; message: string; stage: 'batch' | 'health' }

/** How an apply ended. `failed`: a batch failed and the policy says `rollback: never`, so what was done stays. */
export interface ApplyResult {
  status: 'no-changes' | 'applied' | 'rolled-back' | 'rollback-failed' | 'failed';
  changed: ChangedPackage[];
  health: HealthResult[];
  durationMs: number;
  error?: ApplyError;
  rollbackError?: string;
  /** `failed` under `rollback: never`: touched targets that could not be read back, so their changes are not known. */
  unobserved?: string[];
}

/**
 * Executes a plan: journal first, then each batch with a timeout, then the health checks; a failed
 * batch or check rolls everything back to the snapshot (when the policy says so). The caller holds the lock.
 */
export async function applyPlan(desired: DesiredHost, plan: Plan, env: ApplyEnv): Promise<ApplyResult> {
  const started = Date.now();
  if (plan.actions.length === 0) return { status: 'no-changes', changed: [], health: [], durationMs: 0 };
  const { deps } = env;
  const sourcesOf = (target: string, m: Manager) => sourcesFor(desired.targets.find((t) => t.target === target)?.sources ?? {}, m, deps.fleetDir);
  const journal: Journal = {
    version: 1, id: randomUUID(), host: desired.name, revision: plan.revision, startedAt: env.now().toISOString(), status: 'running', rollback: desired.policy.rollback, healthChecks: desired.policy.healthChecks,
    inventoryBefore: structuredClone(env.inventory), snapshot: snapshotOf(plan.actions), sandboxes: desired.sandboxes,
    batches: toBatches(plan.actions, sourcesOf),
  };
  await writeJournal(env.paths.journal, journal);
  await env.audit.append('apply.started', { journal: journal.id, revision: plan.revision, actions: plan.actions.length });

  for (const b of journal.batches) {
    b.state = 'running';
    await writeJournal(env.paths.journal, journal);
    env.progress?.({ phase: 'batch-start', index: b.index + 1, total: journal.batches.length, target: b.target, manager: b.manager ?? 'sandbox', count: b.changes.length || 1 });
    try {
      await runBatch(desired, b, env);
    } catch (err) {
      b.state = 'failed';
      const error = { code: err instanceof GitfleetError ? err.code : 'E_INTERNAL', message: errorMessage(err), stage: 'batch' as const };
      journal.error = error;
      // Recorded with the failure itself: nothing after it (a read-back error, a crash) may become a recovery rollback.
      if (desired.policy.rollback === 'never') journal.status = 'kept';
      await writeJournal(env.paths.journal, journal);
      env.progress?.({ phase: 'batch-failed', index: b.index + 1, total: journal.batches.length, target: b.target, manager: b.manager, detail: error.message });
      if (desired.policy.rollback === 'never') return keepPartial(journal, plan, desired, env, error, b.index, started);
      env.bus.emit('infrastructure.update.failed', { stage: 'batch', code: error.code, message: error.message, batch: b.index });
      return await undo(journal, env, error, [], started);
    }
    b.state = 'done';
    await writeJournal(env.paths.journal, journal);
    env.progress?.({ phase: 'batch-done', index: b.index + 1, total: journal.batches.length, target: b.target, manager: b.manager ?? 'sandbox' });
    await env.afterBatch?.(b);
  }

  const changed = changedOf(plan);
  // Recorded before the checks run: a crash during them is recovered knowing the packages are all in place.
  journal.stage = 'health';
  await writeJournal(env.paths.journal, journal);
  await writeJson(env.paths.inventory, nextInventory(env.inventory, plan, desired, deps));
  env.progress?.({ phase: 'health', count: desired.policy.healthChecks.length });
  const health = await runHealthChecks(desired.policy.healthChecks, {
    runner: deps.runner, inTarget: (target, cmd) => checkInTarget(desired.sandboxes, deps, target, cmd),
  });
  if (health.length) env.bus.emit('infrastructure.health.summary', { checks: health });
  const failed = health.filter((h) => !h.ok);
  if (failed.length) {
    const error = { code: 'E_HEALTH', message: `health check${failed.length > 1 ? 's' : ''} failed: ${failed.map((f) => `${f.name} (${f.detail ?? 'failed'})`).join('; ')}`, stage: 'health' as const };
    env.bus.emit('infrastructure.update.failed', { stage: 'health', code: error.code, message: error.message });
    if (desired.policy.rollback === 'onFailedHealth') return undo(journal, env, error, health, started);
    // `rollback: never`: the changes stay (the inventory above records them), but an unhealthy host is a failure, not "complete".
    await clearJournal(env.paths.journal);
    await env.audit.append('apply.failed', { journal: journal.id, revision: journal.revision, reason: error.code, kept: plan.actions.length });
    return { status: 'failed', changed, health, durationMs: Date.now() - started, error };
  }
  await clearJournal(env.paths.journal);
  const durationMs = Date.now() - started;
  env.bus.emit('infrastructure.update.completed', { actions: plan.actions.length, changed, durationMs });
  await env.audit.append('apply.completed', { journal: journal.id, revision: plan.revision, changed: changed.length, health: health.map((h) => ({ name: h.name, ok: h.ok })) });
  return { status: 'applied', changed, health, durationMs };
}

async function runBatch(desired: DesiredHost, b: Batch, env: ApplyEnv): Promise<void> {
  const { deps } = env;
  if (b.kind === 'sandbox') {
    const sb = sandboxOf(desired.sandboxes, b.target);
    // The folders its baselines install from (findLinks): docker mounts them read-only into the container it makes.
    const sourceFolders = sandboxSourceFolders(desired.targets, b.target, deps.fleetDir);
    await deps.driver(sb.type).create(sb, { runner: deps.runner, timeoutMs: deps.batchTimeoutMs, now: env.now().toISOString(), sourceFolders });
    env.bus.emit('infrastructure.sandbox.created', { name: sb.name, type: sb.type, path: sb.path });
    await env.audit.append('sandbox.created', { name: sb.name, type: sb.type, path: sb.path });
    return;
  }
  for (const cmd of await commandsFor(desired.sandboxes, deps, b.target, b.manager!, b.changes, b.sources)) {
    await runChecked(deps.runner, inTarget(desired.sandboxes, deps, b.target, { ...cmd, timeoutMs: deps.batchTimeoutMs ?? 15 * 60_000 }));
  }
  await env.audit.append('batch.applied', { target: b.target, manager: b.manager, changes: b.changes });
}

/** Rolls back after a failure and reports; the caller marks the revision bad. */
async function undo(journal: Journal, env: ApplyEnv, error: ApplyError, health: HealthResult[], started: number): Promise<ApplyResult> {
  journal.status = 'rolling-back';
  await writeJournal(env.paths.journal, journal);
  env.progress?.({ phase: 'rollback', detail: error.message });
  const out = await rollback(journal, env.deps);
  const durationMs = Date.now() - started;
  env.bus.emit('infrastructure.update.rolled_back', { reason: error.message, restored: out.restored, ok: out.ok });
  await env.audit.append('apply.rolled_back', { journal: journal.id, revision: journal.revision, reason: error.code, ok: out.ok, restored: out.restored });
  if (!out.ok) {
    journal.status = 'rollback-failed';
    journal.error = { code: 'E_ROLLBACK', message: out.error ?? 'rollback failed' };
    await writeJournal(env.paths.journal, journal);
    return { status: 'rollback-failed', changed: [], health, durationMs, error, rollbackError: out.error };
  }
  await writeJson(env.paths.inventory, journal.inventoryBefore);
  await clearJournal(env.paths.journal);
  return { status: 'rolled-back', changed: [], health, durationMs, error };
}

/**
 * `rollback: never`: what was done stays. The failed batch may have changed part of its target before
 * failing, so the touched targets are read again and the inventory, the result and the event record
 * what is really installed, not what the plan hoped for.
 */
async function keepPartial(journal: Journal, plan: Plan, desired: DesiredHost, env: ApplyEnv, error: ApplyError, batch: number, started: number): Promise<ApplyResult> {
  // Dropped sandboxes are forgotten whatever happened to the batches (the plan said so).
  const base = nextInventory(env.inventory, { ...plan, actions: [] }, desired, env.deps);
  const partial = await observePartialSafely(journal, base, env.deps);
  const { changed, unobserved } = partial;
  // Reported before the state writes below, which may fail: the journal, already `kept`, lets recovery finish them.
  env.bus.emit('infrastructure.update.failed', { stage: 'batch', code: error.code, message: error.message, batch, changed, ...(unobserved.length ? { unobserved } : {}) });
  await writeJson(env.paths.inventory, partial.inventory);
  await clearJournal(env.paths.journal);
  await env.audit.append('apply.failed', { journal: journal.id, revision: journal.revision, reason: error.code, kept: changed.length, changed, ...(unobserved.length ? { unobserved } : {}) });
  return { status: 'failed', changed, health: [], durationMs: Date.now() - started, error, ...(unobserved.length ? { unobserved } : {}) };
}

function changedOf(plan: Plan): ChangedPackage[] {
  return plan.actions.filter((a) => a.kind !== 'create-sandbox').map((a) => ({ target: a.target, manager: a.manager!, name: a.name, from: a.from, to: a.to }));
}

/** The inventory after a successful apply: what gitfleet installed, by normalized name. */
export function nextInventory(before: Inventory, plan: Plan, desired: DesiredHost, deps: HostDeps): Inventory {
  const inv = structuredClone(before);
  for (const target of droppedSandboxes(plan)) {
    delete inv.packages[target];
    delete inv.sandboxes[target.slice('sandbox:'.length)];
  }
  for (const a of plan.actions) {
    if (a.kind === 'create-sandbox') {
      const sb = sandboxOf(desired.sandboxes, a.target);
      inv.sandboxes[sb.name] = { type: sb.type, path: sb.path };
      continue;
    }
    const m = a.manager!;
    const name = deps.manager(m).normalizeName(a.name);
    const byM = ((inv.packages[a.target] ??= {})[m] ??= {});
    if (a.kind === 'remove') delete byM[name];
    else byM[name] = a.to!;
  }
  return inv;
}
