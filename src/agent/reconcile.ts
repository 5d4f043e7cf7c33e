import { join } from 'node:path';
import { GitfleetError, ValidationError, errorMessage, formatDiagnostic } from '../util/errors.js';
import { statePaths } from '../util/state-dir.js';
import { withoutCredentials } from '../util/url-credentials.js';
import { parseDuration } from '../fleet/platform.js';
import { applyHost, type HostApplyOutcome, type HostRunOptions, type Planned } from '../apply/run.js';
import { fetchBranch } from '../source/checkout.js';
import { remoteHead, isAncestor } from '../source/remote.js';
import { verifyCommitSignature, type SignerTrust } from '../source/signatures.js';
import { readFleetStatus } from '../report/read.js';
import { ancestryOracle } from '../report/ancestry.js';
import { inMaintenanceWindow } from '../policy/windows.js';
import type { EventBus } from '../events/bus.js';
import { rolloutGate, waveIndex, type WaveMember } from './waves.js';
import type { AgentMemory, RejectReason, Verdict } from './memory.js';
import type { CycleResultLabel } from './metrics.js';
import { DEFAULT_DRIFT_INTERVAL_MS, DEFAULT_INTERVAL_MS } from './schedule.js';
import type { RolloutState } from '../propose/status.js';
import { closeObsoleteDrift, driftItems, driftProposalCondition, proposeHostDrift, type AgentProviderSettings, type DriftProposalOutcome, type ProposeContext } from './proposals.js';
import type { Action } from '../plan/types.js';
import type { DriftMode, DriftSplit } from '../policy/drift.js';
import { driftSplit } from './drift-split.js';

/** What a reconcile needs: what a drift proposal needs (where the fleet is, who this host is, the parts that touch the world), and more. */
export interface ReconcileContext extends ProposeContext {
  /** The agent's own events (drift, status changes); applyHost emits the apply events itself. */
  bus: EventBus;
  /** The one-host run options (without `rev`), as `gitfleet apply` builds them. */
  hostRun: HostRunOptions;
  allowForcePush: boolean;
  /** Set by `--require-signed`: only heads signed by these keys are followed. */
  trust?: SignerTrust;
  /** Credentials for the provider fleet.yaml names (drift proposals, commit statuses); none: git provider only. */
  provider?: AgentProviderSettings;
}

/** How a cycle ended. `kind: noop` when the remote head had not moved and nothing was due. */
export interface CycleOutcome {
  kind: 'noop' | 'full';
  result: CycleResultLabel;
  head: string | null;
  /** Packages changed by hand, found when observed (report/propose leave them, on a new revision too); a newer `latest` release is not drift. */
  drift?: number;
}

type GateVerdict = { apply: true } | { apply: false; verdict: Verdict; result: CycleResultLabel; rollout?: RolloutState };

/**
 * One pass of the loop of DESIGN.md §1: source → validate → resolve → gate → observe/plan → apply → verify health.
 * Each failure becomes a condition with a reason code in `mem`; the caller reports (status, publish, metrics).
 * A cycle whose remote head has not moved costs one `git ls-remote`, unless `full` (start, drift interval due).
 */
export async function reconcile(ctx: ReconcileContext, mem: AgentMemory, want: { full: boolean }): Promise<CycleOutcome> {
  // 1. source: one remote SHA comparison
  let head: string | null;
  try {
    head = await remoteHead(ctx.runner, ctx.repo, ctx.branch);
  } catch (err) {
    return transient(mem, 'FetchFailed', err, null);
  }
  if (!head) return transient(mem, 'FetchFailed', new GitfleetError('E_GIT', `the branch ${ctx.branch} does not exist in ${ctx.repo}`), null);
  if (!want.full && head === mem.lastSeen) {
    mem.transient = null;
    return { kind: 'noop', result: 'noop', head };
  }
  mem.lastFullAt = ctx.now().getTime();

  // 2. fetch, then the safety of the source: history and signature (a refused head is remembered, never retried)
  const checkout = statePaths(ctx.stateDir).checkout;
  try {
    await fetchBranch(ctx.runner, ctx.repo, checkout, ctx.branch);
  } catch (err) {
    return transient(mem, 'FetchFailed', err, head);
  }
  // A head refused for rewriting history is followed once the agent is restarted with --allow-force-push.
  const refused = mem.rejected[head]?.reason === 'HistoryRewritten' && ctx.allowForcePush ? undefined : mem.rejected[head];
  if (!refused && head !== mem.applied) {
    const why = await refuseSource(ctx, mem, checkout, head);
    if (why) return reject(ctx, mem, head, why.reason, why.message);
  }
  // A refused head leaves the host on its last good revision: a drift cycle observes that one.
  const target = refused ? mem.applied : head;
  if (!target) {
    mem.transient = null;
    mem.lastSeen = head;
    return { kind: 'full', result: 'rejected', head };
  }

  // 3. validate → resolve → gate → observe/plan → apply → verify health, all under the host lock (applyHost)
  let gate: GateVerdict = { apply: true };
  let drift = 0;
  let held: Action[] = [];
  let mode = 'enforce' as DriftMode;
  let out: HostApplyOutcome;
  try {
    out = await applyHost({ ...ctx.hostRun, rev: target }, {
      gate: async (p) => {
        remember(mem, p);
        mode = p.desired.policy.drift;
        const split = await driftSplit({ runner: ctx.runner, checkout, host: ctx.host, resolve: { stateDir: ctx.hostRun.stateDir, capabilities: ctx.hostRun.capabilities } }, p, target, mem.applied);
        held = split.held;
        // Drift is a change by hand, under every mode: enforce repairs it on the applied revision (reported), report and
        // propose hold it. A newer release of a `latest` package is what the spec asks for, never drift.
        const drifting = target === mem.applied ? split.drift : split.held;
        drift = drifting.length;
        gate = await decide(ctx, mem, p, target, drifting, split);
        if (!gate.apply) return false;
        return split.held.length ? { ...p.plan, actions: split.apply } : true;
      },
    });
  } catch (err) {
    if (err instanceof ValidationError) return reject(ctx, mem, head, 'ValidationFailed', validationMessage(err));
    // The remote exists (ls-remote answered): E_NOT_FOUND here is prepare's "host is not in the fleet".
    if (err instanceof GitfleetError && err.code === 'E_NOT_FOUND') return reject(ctx, mem, head, 'HostNotInFleet', err.message);
    return transient(mem, err instanceof GitfleetError && err.code === 'E_GIT' ? 'FetchFailed' : 'ApplyFailed', err, head);
  }
  mem.transient = null;
  if (out.planned) remember(mem, out.planned);
  if (!refused) mem.lastSeen = head;
  if (refused) keepRefusal(mem, refused.reason, refused.message);
  if (out.skipped === 'gated' && !gate.apply) {
    const g: { verdict: Verdict; result: CycleResultLabel; rollout?: RolloutState } = gate;
    if (g.result === 'gated') mem.lastSeen = null; // gates are asked again at the next cycle
    if (g.rollout) intend(mem, out.planned, target, g.rollout, g.verdict.conditions[0]?.message);
    // Only the drift verdict (the applied revision, drift left as it is) proposes; a gated new revision waits.
    const proposal = g.result === 'ok' ? await proposeHeld(ctx, mode, held, target) : undefined;
    if (!refused) mem.verdict = proposal ? withProposal(g.verdict, target, proposal) : g.verdict;
    return { kind: 'full', result: g.result, head, drift };
  }
  if (refused) return { kind: 'full', result: 'rejected', head };
  const done = applied(ctx, mem, out, target);
  // A new revision applied around drift the mode leaves: the revision is in place, the drift is still reported.
  const ok = out.result?.status === 'applied' || out.result?.status === 'no-changes';
  if (ok && held.length && mem.verdict) mem.verdict = withHeldDrift(mem.verdict, held, mode, await proposeHeld(ctx, mode, held, target));
  // No drift left to adopt: an open drift proposal of this host is obsolete (Renovate closes a PR no longer needed).
  else if (ok && mode === 'propose') await closeObsoleteDrift(ctx);
  return { ...done, drift };
}

/** Under `propose`, the held drift becomes a proposal; outside the host lock: it talks to the git server or GitHub, and its failure is not the cycle's. */
async function proposeHeld(ctx: ReconcileContext, mode: DriftMode, held: readonly Action[], target: string): Promise<DriftProposalOutcome | undefined> {
  const items = mode === 'propose' ? driftItems(held) : [];
  // Only sandboxes removed by hand (they stay removed): nothing a proposal can adopt, and not a failed proposal; a drift
  // proposal still open for packages is obsolete.
  if (!items.length) {
    if (mode === 'propose') await closeObsoleteDrift(ctx);
    return undefined;
  }
  return proposeHostDrift(ctx, items, ctx.bus.withRevision(target));
}

/** Why the head must not be followed: history rewritten behind the applied revision, or a signature the agent does not trust. */
async function refuseSource(ctx: ReconcileContext, mem: AgentMemory, checkout: string, head: string): Promise<{ reason: RejectReason; message: string } | undefined> {
  if (mem.applied && !ctx.allowForcePush && !(await isAncestor(ctx.runner, checkout, mem.applied, head))) {
    return { reason: 'HistoryRewritten', message: `the branch head ${head.slice(0, 12)} does not descend from the applied revision ${mem.applied.slice(0, 12)} (a force-push rewrote history); not followed — restart the agent with --allow-force-push to follow it` };
  }
  if (ctx.trust) {
    const v = await verifyCommitSignature(ctx.runner, checkout, head, ctx.trust);
    if (!v.ok) return { reason: 'SignatureInvalid', message: `the head commit ${head.slice(0, 12)} is not signed by a trusted key: ${v.detail}` };
  }
  return undefined;
}

/**
 * The gate between plan and apply: drift mode for an unchanged revision, rollout waves for a new one, maintenance
 * windows for any change. `drifting` are the actions that are drift (each one an event); `split` what the mode applies.
 */
async function decide(ctx: ReconcileContext, mem: AgentMemory, p: Planned, target: string, drifting: readonly Action[], split: DriftSplit): Promise<GateVerdict> {
  const actions = p.plan.actions.length;
  const mode = p.desired.policy.drift;
  for (const a of drifting) {
    ctx.bus.withRevision(target).emit('infrastructure.dependency.drift', { target: a.target, manager: a.manager ?? 'sandbox', name: a.name, desired: a.to ?? 'absent', actual: a.from ?? 'missing', ...(a.lastSeen === undefined ? {} : { lastSeen: a.lastSeen }), mode });
  }
  // Only drift left on the applied revision: nothing to apply. What that revision asks for and never got (a target that
  // could not be listed when it applied) goes on to the window and applies around the drift, as on a new revision.
  if (target === mem.applied && split.held.length > 0 && split.apply.length === 0) {
    const reason = mode === 'propose' ? 'ProposeDrift' : 'DriftDetected';
    const message = `${actions} package(s) differ from ${target.slice(0, 12)}; drift mode ${mode}: ${mode === 'propose' ? 'not changed, nothing a proposal can adopt (only sandboxes differ)' : 'reported, not changed'}`;
    return { apply: false, result: 'ok', verdict: { health: 'healthy', drift: actions, lastError: null, attempted: null, conditions: [
      { type: 'Ready', status: 'True', reason, message }, { type: 'Applied', status: 'False', reason, message },
    ] } };
  }
  if (target !== mem.applied) {
    const wave = await waveGate(ctx, p, target);
    if (!wave.ok) return gated(target, wave.reason, wave.message, 'RolloutGated');
  }
  if (split.apply.length > 0) {
    const w = inMaintenanceWindow(p.desired.policy.maintenance, ctx.now());
    if (!w.open) return gated(target, 'OutsideMaintenanceWindow', `${split.apply.length} change(s) wait for the next maintenance window${w.next ? ` at ${w.next.toISOString()}` : ''}`, 'InWindow');
  }
  return { apply: true };
}

/** Asks the rollout gate with the fleet's published statuses (one fetch), for hosts past the first wave only. */
async function waveGate(ctx: ReconcileContext, p: Planned, target: string): Promise<ReturnType<typeof rolloutGate>> {
  const model = p.validation.model;
  const waves = model.fleet?.value.rollout?.waves ?? [];
  const hostWave = p.desired.wave;
  if (waves.length < 2 || waveIndex(waves, hostWave) === 0) return { ok: true };
  // The cache keeps when this host first saw each status (its clock): a host whose clock runs ahead is aged from that.
  const read = await readFleetStatus(ctx.runner, ctx.repo, join(ctx.stateDir, 'fleet-status.git'), { branch: ctx.branch, now: ctx.now, log: ctx.log });
  const byHost = new Map(read.hosts.map((h) => [h.host, h]));
  const statuses: WaveMember[] = [...model.hosts.values()].map((e) => {
    const seen = byHost.get(e.value.name);
    return { host: e.value.name, wave: e.value.wave, status: seen?.status ?? null, observedAt: seen?.observedAt ?? null };
  });
  const isAtLeast = await ancestryOracle(ctx.runner, statePaths(ctx.stateDir).checkout, target, statuses.map((s) => s.status?.revision.applied ?? null));
  const staleAfter = model.fleet?.value.staleAfter;
  return rolloutGate({
    revision: target, host: ctx.host, hostWave, waves, maxUnavailable: model.fleet?.value.rollout?.maxUnavailable,
    statuses, now: ctx.now(), isAtLeast, ...(staleAfter ? { staleAfterMs: parseDuration(staleAfter) } : {}),
  });
}

/** The outcome of an apply that ran (or found nothing to do), as a verdict. */
function applied(ctx: ReconcileContext, mem: AgentMemory, out: HostApplyOutcome, target: string): CycleOutcome {
  const now = ctx.now().toISOString();
  const r = out.result;
  const short = target.slice(0, 12);
  if (out.skipped === 'bad-revision' || !r) {
    mem.healthySince = null;
    intend(mem, out.planned, target, 'failed', 'marked bad on this host');
    mem.verdict = { health: 'failed', drift: 0, attempted: target, lastError: { code: 'RolledBack', message: `revision ${short} failed on this host before and is not retried until a newer revision arrives` }, conditions: [
      { type: 'Ready', status: 'False', reason: 'RolledBack', message: `revision ${short} is marked bad on this host` },
      { type: 'Applied', status: 'False', reason: 'RolledBack', message: `revision ${short} is marked bad on this host` },
    ] };
    return { kind: 'full', result: 'failed', head: target };
  }
  if (r.status === 'applied' || r.status === 'no-changes') {
    if (mem.applied !== target || !mem.healthySince) mem.healthySince = now;
    if (mem.applied !== target) mem.appliedAt = now;
    mem.applied = target;
    intend(mem, out.planned, target, r.status);
    const what = r.status === 'applied' ? `applied ${short}: ${r.changed.length} package change(s) in ${r.durationMs} ms` : `${short} is in place: nothing to do`;
    const checks = r.health.length ? `${r.health.length} health check(s) passed` : 'no health checks ran (they run after a change)';
    mem.verdict = { health: 'healthy', drift: 0, attempted: null, lastError: null, conditions: [
      { type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: what },
      { type: 'SourceReady', status: 'True', reason: 'Fetched', message: `following ${ctx.branch} at ${short}` },
      { type: 'Applied', status: 'True', reason: r.status === 'applied' ? 'Applied' : 'UpToDate', message: what },
      { type: 'Healthy', status: 'True', reason: r.health.length ? 'HealthChecksPassed' : 'NoChecksRun', message: checks },
    ] };
    // Packages applied but a secret did not materialize: degraded, naming keys and codes (never values).
    const failedSecrets = out.secrets?.errors ?? [];
    if (failedSecrets.length) {
      const message = `${failedSecrets.length} secret(s) failed: ${failedSecrets.map((e) => `${e.key} (${e.code})`).join(', ')}; the packages were applied`;
      mem.healthySince = null;
      intend(mem, out.planned, target, 'failed', message);
      mem.verdict = { ...mem.verdict, health: 'degraded', lastError: { code: 'SecretsFailed', message }, conditions: [{ type: 'Ready', status: 'False', reason: 'SecretsFailed', message }, ...mem.verdict.conditions.slice(1)] };
      return { kind: 'full', result: 'failed', head: target };
    }
    return { kind: 'full', result: 'ok', head: target };
  }
  const health = r.error?.stage === 'health';
  const reason = health ? 'HealthCheckFailed' : 'ApplyFailed';
  const message = `${r.error?.message ?? r.status}${r.status === 'rolled-back' ? '; rolled back to the previous versions' : r.status === 'rollback-failed' ? `; the rollback failed too (${r.rollbackError ?? ''})` : ''}`;
  mem.healthySince = null;
  intend(mem, out.planned, target, r.status, r.error?.message);
  mem.verdict = { health: 'failed', drift: 0, attempted: target, lastError: { code: r.status === 'rolled-back' ? 'RolledBack' : reason, message }, conditions: [
    { type: 'Ready', status: 'False', reason: r.status === 'rolled-back' ? 'RolledBack' : reason, message },
    { type: 'Applied', status: 'False', reason: r.status === 'rolled-back' ? 'RolledBack' : 'ApplyFailed', message },
    ...(health ? [{ type: 'Healthy' as const, status: 'False' as const, reason: 'HealthCheckFailed', message }] : []),
  ] };
  return { kind: 'full', result: 'failed', head: target };
}

function gated(target: string, reason: string, message: string, type: 'RolloutGated' | 'InWindow'): GateVerdict {
  return { apply: false, result: 'gated', rollout: type === 'RolloutGated' ? 'waiting-for-wave' : 'outside-window', verdict: { health: 'pending', drift: 0, attempted: target, lastError: null, conditions: [
    { type: 'Ready', status: 'False', reason, message },
    type === 'RolloutGated' ? { type, status: 'True', reason, message } : { type, status: 'False', reason, message },
  ] } };
}

function reject(ctx: ReconcileContext, mem: AgentMemory, head: string, reason: RejectReason, message: string): CycleOutcome {
  ctx.log.warn({ head, reason }, message);
  mem.rejected[head] = { reason, message, at: ctx.now().toISOString() };
  mem.lastSeen = head;
  mem.transient = null;
  keepRefusal(mem, reason, message, head);
  return { kind: 'full', result: reason === 'ValidationFailed' ? 'invalid' : 'rejected', head };
}

// The host stays on its last good revision; status says why the head is not followed.
function keepRefusal(mem: AgentMemory, reason: RejectReason, message: string, head?: string): void {
  const prev = mem.verdict;
  mem.verdict = {
    health: 'degraded', drift: prev?.drift ?? 0, attempted: head ?? prev?.attempted ?? null, lastError: { code: reason, message },
    conditions: [
      { type: 'Ready', status: 'False', reason, message },
      { type: 'SourceReady', status: 'False', reason, message },
      ...(prev?.conditions.filter((c) => c.type === 'Applied' || c.type === 'Healthy') ?? []),
    ],
  };
}

function transient(mem: AgentMemory, reason: string, err: unknown, head: string | null): CycleOutcome {
  // git's command lines name the repository URL, token and all; the status is published to the fleet repository.
  mem.transient = { reason, code: err instanceof GitfleetError ? err.code : 'E_INTERNAL', message: withoutCredentials(errorMessage(err)) };
  return { kind: head ? 'full' : 'noop', result: 'error', head };
}

// Re-read at every validated revision: a merged change to the host's agent settings takes effect at the next wait.
function remember(mem: AgentMemory, p: Planned): void {
  const staleAfter = p.validation.model.fleet?.value.staleAfter;
  mem.identity = { os: p.desired.os, arch: p.desired.arch, wave: p.desired.wave, ...(staleAfter ? { staleAfterMs: parseDuration(staleAfter) } : {}) };
  // A zero duration passes the schema; it would make the agent spin, so it means the default.
  const ms = (d: string, fallback: number) => (parseDuration(d) > 0 ? parseDuration(d) : fallback);
  mem.schedule = { intervalMs: ms(p.desired.agent.interval, DEFAULT_INTERVAL_MS), driftIntervalMs: ms(p.desired.agent.driftInterval, DEFAULT_DRIFT_INTERVAL_MS) };
}

/** The commit status this verdict calls for; it goes to GitHub only when that revision's fleet.yaml names the github provider. */
function intend(mem: AgentMemory, p: Planned | undefined, sha: string, state: RolloutState, detail?: string): void {
  const gh = p?.validation.model.fleet?.value.provider?.github;
  mem.rollout = { sha, state, ...(detail ? { detail } : {}), ...(gh ? { github: { owner: gh.owner, repo: gh.repo, ...(gh.baseUrl ? { baseUrl: gh.baseUrl } : {}) } } : {}) };
}

/** An applied verdict that says which drift the mode left as it is (and the proposal that adopts it, under `propose`). */
function withHeldDrift(v: Verdict, held: readonly Action[], mode: DriftMode, res: DriftProposalOutcome | undefined): Verdict {
  const names = held.slice(0, 5).map((a) => (a.manager ? `${a.manager} ${a.name}` : `sandbox ${a.name}`)).join(', ') + (held.length > 5 ? ', …' : '');
  const note = `; ${held.length} drifted package(s) left as they are (drift mode ${mode}: ${names})${res ? `, ${driftProposalCondition(res).text}` : ''}`;
  return { ...v, drift: held.length, conditions: v.conditions.map((c) => (c.type === 'Ready' || c.type === 'Applied' ? { ...c, message: c.message + note } : c)) };
}

/** The drift verdict with the proposal in its conditions: the branch (and PR) that adopts the drift, or why there is none. */
function withProposal(v: Verdict, target: string, res: DriftProposalOutcome): Verdict {
  const said = driftProposalCondition(res);
  const message = `${v.drift} package(s) differ from ${target.slice(0, 12)}; drift mode propose: not changed, ${said.text}`;
  return {
    ...v,
    conditions: v.conditions.map((c) => (c.type === 'Applied' ? { ...c, reason: said.reason, message } : c.type === 'Ready' ? { ...c, message } : c)),
  };
}

// The first few diagnostics with their places: the whole list is in the config.invalid event.
function validationMessage(err: ValidationError): string {
  const shown = err.diagnostics.slice(0, 5).map(formatDiagnostic);
  const more = err.diagnostics.length > shown.length ? `\n… and ${err.diagnostics.length - shown.length} more` : '';
  return `the revision is invalid and was not applied:\n${shown.join('\n')}${more}`;
}
