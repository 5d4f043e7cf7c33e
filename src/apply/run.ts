import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Runner } from '../util/exec.js';
import { GitfleetError, ValidationError, errorMessage } from '../util/errors.js';
import { statePaths } from '../util/state-dir.js';
import { loadManagers } from '../managers/load.js';
import { loadDrivers } from '../sandboxes/load.js';
import type { ManagerId } from '../managers/types.js';
import type { SandboxType } from '../sandboxes/types.js';
import type { DesiredSandbox } from '../fleet/resolve.js';
import { droppedSandboxes, plan } from '../plan/plan.js';
import type { ActualState, Inventory, Plan } from '../plan/types.js';
import { emptyInventory } from '../plan/types.js';
import { EventBus } from '../events/bus.js';
import { AuditLog } from '../events/audit.js';
import { logSink } from '../events/sinks/log.js';
import { ndjsonSink } from '../events/sinks/ndjson.js';
import type { EventSink } from '../events/types.js';
import { checkInTarget, type HostDeps } from './context.js';
import { observe, chooseVersions } from './observe.js';
import { prepare, type Prepared, type RepoLocation } from './prepare.js';
import { acquireLock } from './lock.js';
import { applyPlan, nextInventory, type ApplyResult, type Progress } from './apply.js';
import { readJournal, clearJournal, writeJournal, type Journal } from './journal.js';
import { observePartialSafely } from './partial.js';
import { rollback } from './rollback.js';
import { readJson, writeJson } from './store.js';
import type { Batch } from './journal.js';
import { materializeAfterApply, type MaterializeResult } from '../secrets/apply-hook.js';
import { storeLookup } from '../secrets/read.js';
import { sourceSecrets, type SourceSecrets } from '../secrets/source-secrets.js';
import { credentialWarnings } from './source-credentials.js';
import { recordSatisfied } from './satisfied.js';
import { runHealthChecks, type HealthResult } from './health.js';

/** Everything a one-host run needs; the CLI and the agent fill it in. */
export interface HostRunOptions extends RepoLocation {
  host: string;
  stateDir: string;
  runner: Runner;
  log: Logger;
  /** apt/dnf `system` target redirected to an alternative root (tests, chroots). */
  systemRoot?: string;
  env?: Record<string, string>;
  batchTimeoutMs?: number;
  lockWaitMs?: number;
  extraSinks?: EventSink[];
  capabilities?: string[];
  progress?: (p: Progress) => void;
  /** Apply even a revision marked bad on this host. */
  retryBad?: boolean;
  now?: () => Date;
  afterBatch?: (b: Batch) => Promise<void> | void;
}

/** The outcome of planning: the validated revision, the plan, and the inventory it was made against. */
export interface Planned extends Prepared {
  plan: Plan;
  inventory: Inventory;
  /** The host as observed for the plan. */
  actual: ActualState;
  /** The dependencies the plan was observed with; apply uses the same. */
  deps: HostDeps;
  /** The secrets the host's sources name, decrypted from this revision (src/secrets/source-secrets.ts). */
  sourceSecrets: SourceSecrets;
}

/** Revisions that failed on this host and are not retried until a newer one arrives. */
export type BadRevisions = Record<string, { at: string; reason: string }>;

/** The host's dependencies made from real parts, loading only the adapters and drivers it needs. */
export async function hostDeps(o: HostRunOptions, fleetDir: string, needs: { managers: Iterable<ManagerId>; sandboxes: readonly DesiredSandbox[] }): Promise<HostDeps> {
  const [manager, driver] = await Promise.all([loadManagers(needs.managers), loadDrivers(needs.sandboxes.map((s) => s.type as SandboxType))]);
  return { runner: o.runner, manager, driver, fleetDir, systemRoot: o.systemRoot, env: o.env, batchTimeoutMs: o.batchTimeoutMs, secrets: storeLookup(statePaths(o.stateDir).secrets) };
}

/** Every manager the desired state or the inventory mentions. */
function managersOf(prepared: Prepared, inventory: Inventory): ManagerId[] {
  const ids = new Set<ManagerId>();
  for (const t of prepared.desired.targets) for (const p of t.packages) ids.add(p.manager);
  for (const byM of Object.values(inventory.packages)) for (const m of Object.keys(byM)) ids.add(m as ManagerId);
  return [...ids];
}

/** Source → validate → resolve → observe → plan. Changes nothing on the host. */
export async function planHost(o: HostRunOptions): Promise<Planned> {
  const paths = statePaths(o.stateDir);
  await mkdir(o.stateDir, { recursive: true, mode: 0o700 });
  const prepared = await prepare(o.runner, o, o.host, o.stateDir, o.capabilities);
  const inventory = await readJson<Inventory>(paths.inventory, emptyInventory());
  const secrets = await sourceSecrets({ model: prepared.validation.model, desired: prepared.desired, stateDir: o.stateDir });
  const deps = { ...(await hostDeps(o, prepared.fleetDir, { managers: managersOf(prepared, inventory), sandboxes: prepared.desired.sandboxes })), secrets: secrets.lookup };
  const actual = await observe(prepared.desired, inventory, deps);
  const chosen = await chooseVersions(prepared.desired, actual, deps);
  const p = plan({ desired: prepared.desired, actual, inventory, revision: prepared.revision, chosen, normalize: (m, n) => deps.manager(m).normalizeName(n) });
  p.warnings.push(...(await credentialWarnings(prepared.desired, deps.secrets)));
  return { ...prepared, plan: p, inventory, actual, deps, sourceSecrets: secrets };
}

/** What `applyHost` did. */
export interface HostApplyOutcome {
  planned?: Planned;
  result?: ApplyResult;
  /** `kept`: the journal of an apply that failed under `rollback: never`: its changes were recorded, not undone. */
  recovered?: 'rolled-back' | 'rollback-failed' | 'kept';
  /** The health checks recovery ran for an apply under `rollback: never` that died after its last batch (their failure marks the revision bad). */
  recoveredHealth?: HealthResult[];
  /** Secrets materialized after a successful apply (keys only). */
  secrets?: MaterializeResult;
  skipped?: 'bad-revision' | 'dry-run' | 'gated';
  /** A dry run found the journal of an interrupted apply and left it alone; a real apply rolls it back first. */
  pendingRecovery?: boolean;
}

/**
 * Decides, once the revision is planned and before anything changes, whether to apply now (the agent's waves, windows,
 * drift mode): false holds everything, true applies the plan, a Plan applies that one instead (the agent's drift modes
 * hold back the repairs of drift).
 */
export type ApplyGate = (planned: Planned) => Promise<boolean | Plan> | boolean | Plan;

/** The whole one-shot reconcile under the host lock: recover an interrupted apply, plan, apply, report. */
export async function applyHost(o: HostRunOptions, opts: { dryRun?: boolean; gate?: ApplyGate } = {}): Promise<HostApplyOutcome> {
  const paths = statePaths(o.stateDir);
  await mkdir(o.stateDir, { recursive: true, mode: 0o700 });
  const lock = await acquireLock(paths.lock, { waitMs: o.lockWaitMs ?? 0, purpose: `apply ${o.host}` });
  // A crash in the middle of an audit append must not stop every later apply: the torn line is cut and recorded.
  const audit = await AuditLog.open(paths.audit, { repairTornTail: true });
  const bus = new EventBus({ host: o.host, sinks: [logSink(o.log), ndjsonSink({ path: paths.events, log: o.log }), ...(o.extraSinks ?? []).map(borrowed)], log: o.log, now: o.now });
  const out: HostApplyOutcome = {};
  try {
    // A dry run changes nothing, not even by recovering a crashed apply: it only says one is pending.
    if (opts.dryRun && (await readJournal(paths.journal))) out.pendingRecovery = true;
    const recovered = opts.dryRun ? undefined : await recoverJournal(o, paths, bus, audit, out);
    if (recovered) out.recovered = recovered;
    if (recovered === 'rollback-failed') throw new GitfleetError('E_INTERNAL', `an interrupted apply could not be rolled back; the journal ${paths.journal} is kept for a human`);
    let planned: Planned;
    try {
      planned = await planHost(o);
    } catch (err) {
      if (err instanceof ValidationError) {
        bus.emit('infrastructure.config.invalid', { revision: o.rev ?? 'unknown', diagnostics: err.diagnostics.map(({ file, line, column, code, message }) => ({ file, line, column, code, message })) });
        await audit.append('config.invalid', { diagnostics: err.diagnostics.length });
      }
      throw err;
    }
    out.planned = planned;
    const revBus = bus.withRevision(planned.revision);
    const bad = await readJson<BadRevisions>(paths.badRevisions, {});
    if (planned.revision && bad[planned.revision] && !o.retryBad) {
      out.skipped = 'bad-revision';
      return out;
    }
    if (opts.dryRun) {
      out.skipped = 'dry-run';
      return out;
    }
    const decision = opts.gate ? await opts.gate(planned) : true;
    if (decision === false) {
      out.skipped = 'gated';
      return out;
    }
    const toApply = decision === true ? planned.plan : decision;
    // A plan with nothing to do is not a decision worth a line (drift checks would fill the log with them).
    if (toApply.actions.length || toApply.warnings.length) await audit.append('plan', { revision: planned.revision, actions: toApply.actions.length, warnings: toApply.warnings.length, ...(toApply !== planned.plan ? { held: planned.plan.actions.length - toApply.actions.length } : {}) });
    // The credentials this revision's sources name go to the store before any change: a crash recovery reads them there.
    // Their events wait for the apply's success (materializeAfterApply); a failed apply puts the old values back below.
    const early = await planned.sourceSecrets.materialize({ audit, log: o.log });
    const result = await applyPlan(planned.desired, toApply, {
      deps: planned.deps, paths, bus: revBus, audit, inventory: planned.inventory, now: o.now ?? (() => new Date()),
      progress: o.progress, afterBatch: o.afterBatch,
    });
    out.result = result;
    // Undone or failed: the store goes back to what it had, as the sandboxes' env files (not rewritten) still do. After a
    // failed rollback the new values stay: the journal kept for a human may need them to reach the index.
    if (result.status === 'rolled-back' || result.status === 'failed') await planned.sourceSecrets.restore({ audit, log: o.log });
    // Nothing to do, but a dropped sandbox's packages are still in the inventory: forget them (said in the plan).
    if (result.status === 'no-changes' && droppedSandboxes(toApply).length) {
      await writeJson(paths.inventory, nextInventory(planned.inventory, toApply, planned.desired, planned.deps));
    }
    // Evidence for drift modes: what was in place, whoever put it there (src/apply/satisfied.ts).
    if (result.status === 'applied' || result.status === 'no-changes') await recordSatisfied(paths.inventory, { desired: planned.desired, actual: planned.actual, plan: planned.plan, applied: toApply, normalize: (m, n) => planned.deps.manager(m).normalizeName(n) })
        .catch((err: unknown) => o.log.warn({ err }, 'could not record what is in place; the drift evidence stays as it was'));
    if (result.status === 'applied' || result.status === 'no-changes') out.secrets = await materializeAfterApply({ model: planned.validation.model, desired: planned.desired, stateDir: o.stateDir, audit, log: o.log, bus: revBus }, early);
    if ((result.status === 'rolled-back' || result.status === 'failed' || result.status === 'rollback-failed') && planned.revision) {
      bad[planned.revision] = { at: (o.now ?? (() => new Date()))().toISOString(), reason: result.error?.message ?? result.status };
      await writeJson(paths.badRevisions, bad);
    }
    if (result.status !== 'no-changes' && result.status !== 'rollback-failed') await writeJson(paths.applied, { revision: planned.revision, at: new Date().toISOString(), status: result.status, changed: result.changed });
    return out;
  } finally {
    await bus.close();
    await audit.close();
    await lock.release();
  }
}

/** A sink the caller owns (a long-lived agent's webhook): this run flushes it at the end but never closes it. */
function borrowed(sink: EventSink): EventSink {
  return { name: sink.name, write: (e) => sink.write(e), flush: () => sink.flush?.() ?? Promise.resolve() };
}

/**
 * A journal left by a crash: undo it to the snapshot, so the host is never half-applied silently; under the
 * `rollback: never` the apply started with, record what it left instead (nothing is undone).
 */
async function recoverJournal(o: HostRunOptions, paths: ReturnType<typeof statePaths>, bus: EventBus, audit: AuditLog, out: HostApplyOutcome): Promise<'rolled-back' | 'rollback-failed' | 'kept' | undefined> {
  const j = await readJournal(paths.journal);
  if (!j) return undefined;
  if (j.status === 'rollback-failed') return 'rollback-failed';
  if (j.status === 'kept') return settleKept(o, paths, j, bus, audit, out);
  // The policy recorded when the apply started decides, not today's (the revision may have moved on); a journal
  // without it predates the field and is rolled back as before.
  if (j.status === 'running' && j.rollback === 'never') return settleKept(o, paths, j, bus, audit, out);
  o.log.warn({ journal: j.id, revision: j.revision }, 'found the journal of an interrupted apply; rolling it back');
  j.status = 'rolling-back';
  await writeJournal(paths.journal, j);
  const deps = await hostDeps(o, '', { managers: j.batches.flatMap((b) => (b.manager ? [b.manager] : [])), sandboxes: j.sandboxes });
  let res;
  try {
    res = await rollback(j, deps);
  } catch (err) {
    res = { ok: false, restored: 0, error: errorMessage(err) };
  }
  bus.withRevision(j.revision).emit('infrastructure.update.rolled_back', { reason: 'recovered an interrupted apply', restored: res.restored, ok: res.ok });
  await audit.append('apply.recovered', { journal: j.id, revision: j.revision, ok: res.ok, restored: res.restored });
  if (!res.ok) {
    j.status = 'rollback-failed';
    j.error = { code: 'E_ROLLBACK', message: res.error ?? 'rollback failed' };
    await writeJournal(paths.journal, j);
    return 'rollback-failed';
  }
  await writeJson(paths.inventory, j.inventoryBefore);
  await clearJournal(paths.journal);
  return 'rolled-back';
}

/**
 * The journal of an apply under `rollback: never` that stopped before it finished recording: a batch failed (`kept`),
 * or the process died (`running`). What was done stays (never rolled back): records what is really installed, marks
 * the revision bad unless every batch had finished, and reports the failure. A run that died after its last batch
 * (before or during the health checks) never checked the host, and the next run finds nothing to change, so would
 * never check it either: its recorded checks run here, and their result is the apply's (bad revision if they fail).
 */
async function settleKept(o: HostRunOptions, paths: ReturnType<typeof statePaths>, j: Journal, bus: EventBus, audit: AuditLog, out: HostApplyOutcome): Promise<'kept'> {
  const interrupted = j.status === 'running';
  o.log.warn({ journal: j.id, revision: j.revision, interrupted }, interrupted
    ? 'found the journal of an interrupted apply under rollback: never; recording what it left, not rolling back'
    : 'found the journal of an apply that failed under rollback: never; recording what it left, not rolling back');
  const deps = await hostDeps(o, '', { managers: j.batches.flatMap((b) => (b.manager ? [b.manager] : [])), sandboxes: j.sandboxes });
  // A batch the crash cut short may have done any part of its changes: it is read back like a failed one.
  const stopped = j.batches.find((b) => b.state === 'running');
  const seen: Journal = { ...j, batches: j.batches.map((b) => (b.state === 'running' ? { ...b, state: 'failed' as const } : b)) };
  // The inventory on disk may already hold the read-back (written just before the run stopped); recording it again changes nothing.
  const partial = await observePartialSafely(seen, await readJson<Inventory>(paths.inventory, j.inventoryBefore), deps);
  await writeJson(paths.inventory, partial.inventory);
  const allDone = j.batches.every((b) => b.state === 'done');
  // Journals written before the checks were recorded leave them unknown: reported as an interruption, as before.
  const health = interrupted && allDone && j.healthChecks
    ? await runHealthChecks(j.healthChecks, { runner: deps.runner, inTarget: (target, cmd) => checkInTarget(j.sandboxes, deps, target, cmd) })
    : undefined;
  if (health) out.recoveredHealth = health;
  const unhealthy = health?.filter((h) => !h.ok) ?? [];
  const error = unhealthy.length ? healthError(j, unhealthy) : j.error ?? (interrupted ? interruption(j, stopped) : { code: 'E_INTERNAL', message: 'an apply failed under rollback: never' });
  // A crash proves nothing against the revision, but retrying it on top of a half-applied host, unreviewed, could
  // crash the same way again and again (a batch that kills the agent or the host): it waits for a newer revision or
  // --retry-bad. A crash after every batch had finished left nothing to retry, so that revision is not marked, unless
  // its health checks, run now, fail (as the apply itself would have marked it).
  const markBad = j.status === 'kept' || !allDone || unhealthy.length > 0;
  if (j.revision && markBad) {
    const bad = await readJson<BadRevisions>(paths.badRevisions, {});
    bad[j.revision] ??= { at: (o.now ?? (() => new Date()))().toISOString(), reason: error.message };
    await writeJson(paths.badRevisions, bad);
  }
  // The run that failed may have stopped before its report went out: a repeated report is better than none.
  const { changed, unobserved } = partial;
  const revBus = bus.withRevision(j.revision);
  if (health?.length) revBus.emit('infrastructure.health.summary', { checks: health });
  if (health && !unhealthy.length) {
    // Every batch done and the checks pass: the apply did complete, only its report was lost with the process.
    revBus.emit('infrastructure.update.completed', { actions: j.snapshot.length + j.batches.filter((b) => b.kind === 'sandbox').length, changed, durationMs: Math.max(0, Date.now() - Date.parse(j.startedAt)) });
  } else {
    revBus.emit('infrastructure.update.failed', { stage: unhealthy.length ? 'health' : 'recovery', code: error.code, message: error.message, ...(stopped ? { batch: stopped.index } : {}), changed, ...(unobserved.length ? { unobserved } : {}) });
  }
  await audit.append('apply.recovered', {
    journal: j.id, revision: j.revision, ...(interrupted ? { interrupted, badRevision: Boolean(j.revision) && markBad } : {}), kept: changed.length, changed,
    ...(unobserved.length ? { unobserved } : {}), ...(health ? { health: health.map((h) => ({ name: h.name, ok: h.ok })) } : {}),
  });
  if (health) await writeJson(paths.applied, { revision: j.revision, at: new Date().toISOString(), status: unhealthy.length ? 'failed' : 'applied', changed });
  await clearJournal(paths.journal);
  return 'kept';
}

/** The failure of health checks that recovery ran for an interrupted apply under `rollback: never`. */
function healthError(j: Journal, failed: HealthResult[]): { code: string; message: string } {
  const when = j.stage === 'health' ? 'during its health checks' : 'after its last batch';
  return { code: 'E_HEALTH', message: `health check${failed.length > 1 ? 's' : ''} failed: ${failed.map((f) => `${f.name} (${f.detail ?? 'failed'})`).join('; ')} (run on recovery: the apply was interrupted ${when}; under rollback: never its changes were kept)` };
}

/** What recovery says of an apply under `rollback: never` that the process never finished (no error was recorded). */
function interruption(j: Journal, stopped: Batch | undefined): { code: string; message: string } {
  const where = stopped
    ? `during batch ${stopped.index + 1} of ${j.batches.length} (${stopped.kind === 'sandbox' ? `sandbox ${stopped.sandbox}` : `${stopped.target} ${stopped.manager}`})`
    : j.stage === 'health' ? 'during its health checks' : j.batches.every((b) => b.state === 'done') ? 'after its last batch, before the health checks' : 'between batches';
  return { code: 'E_INTERNAL', message: `the apply was interrupted ${where}; under rollback: never its changes were kept, not rolled back` };
}
