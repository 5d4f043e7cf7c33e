import type { CliCommand, CliContext } from './types.js';
import { parseFlags } from './args.js';
import { HOST_FLAGS, HOST_FLAGS_HELP, hostRunOptions } from './host-flags.js';
import { applyHost, type HostApplyOutcome } from '../apply/run.js';
import type { ApplyResult, Progress } from '../apply/apply.js';
import type { ChangedPackage } from '../events/types.js';
import { renderPlan, useColour } from '../plan/render.js';
import type { Plan } from '../plan/types.js';
import { GitfleetError } from '../util/errors.js';
import type { MaterializeResult } from '../secrets/apply-hook.js';
import type { HealthResult } from '../apply/health.js';

export const applyCommand: CliCommand = {
  name: 'apply',
  summary: 'apply the desired state to a host: plan, journal, batches, health checks, rollback',
  help: `Usage: gitfleet apply --host NAME [--repo DIR|URL] [--rev REV] [--dry-run] [--yes]

Plans like 'gitfleet plan', then executes the plan under the host's lock: a journal and a snapshot
of prior versions are written before anything changes; each manager's changes in a target run as
one batch with a timeout; the policies' health checks run after any change. A failed batch or
health check rolls back to the snapshot and marks the revision bad on this host (not retried until
a newer revision). An apply interrupted by a crash is rolled back at the next run. Under a policy's
'rollback: never' a failed apply lists what changed before the failure, read back from the host, and
names any target it could not read back (--json: result.changed, result.unobserved); an apply under
'rollback: never' interrupted after its last batch has its health checks run by that next run, which
prints each one passed or FAILED (--json: recoveredHealth); a failed one marks the revision bad and
makes the exit code 1 (the host ran a failed revision until then).
Run by a human, apply is explicit: it applies the whole plan, drift repairs included, whatever the
policy's drift mode (the agent under 'drift: report|propose' leaves drift as it is).

Flags:
${HOST_FLAGS_HELP}
  --dry-run            print the plan and stop
  --yes                do not ask; required when stdin is not a terminal
  --wait SEC           wait this long for another apply's lock (default 0: refuse at once)
  --retry-bad          apply a revision even though it failed here before
  --json               print the outcome as one JSON document

After a successful apply the host's secrets are decrypted into the state directory's store (and
sandbox .gitfleet.env files); a key that fails (wrong key, tampered ciphertext) is reported by key
and reason, never by value, and makes the exit code 1 even though the packages were applied.

Exit codes: 0 applied or nothing to do; 1 failed: the apply failed or rolled back, its revision failed
here before (see --retry-bad), a secret failed, an error, or a health check that recovery ran for an
interrupted apply failed, even when this run then applied cleanly (--json carries both outcomes:
recoveredHealth and result).

Example:
  gitfleet apply --host demo --repo fleet --state-dir .gitfleet-state --yes`,
  async run(ctx) {
    const { values } = parseFlags(ctx.argv, {
      ...HOST_FLAGS, 'dry-run': { type: 'boolean' }, yes: { type: 'boolean', short: 'y' }, wait: { type: 'string' },
      'retry-bad': { type: 'boolean' }, json: { type: 'boolean' },
    }, false);
    const o = hostRunOptions(ctx, values);
    if (!values.yes && !values['dry-run']) {
      throw new GitfleetError('E_USAGE', 'apply changes the host: pass --yes to go ahead (or --dry-run to see the plan)');
    }
    const tty = Boolean(ctx.stderr.isTTY);
    const wait = values.wait === undefined ? 0 : Number(values.wait);
    if (!(wait >= 0) || values.wait === '') throw new GitfleetError('E_USAGE', `--wait takes a number of seconds (0 or more), not "${values.wait}"`);
    o.lockWaitMs = wait * 1000;
    o.retryBad = Boolean(values['retry-bad']);
    o.progress = (p) => ctx.stderr.write(tty ? progressLine(p) : JSON.stringify({ progress: p }) + '\n');
    const out = await applyHost(o, { dryRun: Boolean(values['dry-run']) });
    if (values.json) {
      ctx.stdout.write(JSON.stringify({ plan: out.planned?.plan, result: out.result ?? null, recovered: out.recovered ?? null, recoveredHealth: out.recoveredHealth ?? null, pendingRecovery: out.pendingRecovery ?? false, skipped: out.skipped ?? null, secrets: out.secrets ?? null }, null, 2) + '\n');
    } else {
      report(ctx, out);
      recoveredFailureNote(ctx, out);
    }
    return exitCode(out);
  },
};

/** 1 when anything failed: this run, its secrets, or the checks recovery ran on what an interrupted apply left. */
export function exitCode(out: HostApplyOutcome): 0 | 1 {
  const status = out.result?.status;
  const failed = status === 'rolled-back' || status === 'rollback-failed' || status === 'failed' || out.skipped === 'bad-revision';
  return failed || Boolean(out.secrets?.errors.length) || recoveredFailed(out).length > 0 ? 1 : 0;
}

function recoveredFailed(out: HostApplyOutcome): HealthResult[] {
  return out.recoveredHealth?.filter((h) => !h.ok) ?? [];
}

// The last line of the output, so that an "Apply complete" above it does not read as the run's verdict.
function recoveredFailureNote(ctx: CliContext, out: HostApplyOutcome): void {
  const failed = recoveredFailed(out);
  if (!failed.length) return;
  ctx.stdout.write(`Exit code 1: the interrupted apply FAILED its health check${failed.length > 1 ? 's' : ''} ${failed.map((h) => h.name).join(', ')}; the host ran what it left, unchecked, until now.\n`);
}

function report(ctx: CliContext, out: HostApplyOutcome): void {
  const w = (s: string): void => { ctx.stdout.write(s + "\n"); };
  if (out.recovered) w(`recovered an interrupted apply: ${out.recovered}`);
  if (out.recoveredHealth) recoveredHealthReport(w, out.recoveredHealth);
  if (!out.planned) return;
  ctx.stdout.write(renderPlan(out.planned.plan, { color: useColour(ctx.stdout, ctx.env) }));
  if (out.pendingRecovery) w('An interrupted apply left its journal: a real apply first rolls it back to the snapshot, then plans again; the plan above is of the half-applied host.');
  if (out.skipped === 'dry-run') return w('Dry run: nothing was changed.');
  if (out.skipped === 'bad-revision') return w(`Revision ${out.planned.revision} failed on this host before; not applying it again (pass --retry-bad to try anyway).`);
  const r = out.result!;
  for (const h of r.health) w(`health ${h.name}: ${h.ok ? 'ok' : `FAILED (${h.detail ?? ''})`} in ${h.ms} ms`);
  switch (r.status) {
    case 'no-changes': w('Apply complete: nothing to do.'); return secretsReport(w, out.secrets);
    case 'applied': w(`Apply complete in ${(r.durationMs / 1000).toFixed(1)} s: ${done(out.planned.plan)}.`); return secretsReport(w, out.secrets);
    case 'rolled-back': return w(`Apply FAILED (${r.error?.stage}: ${r.error?.message}); rolled back to the previous versions. The revision is marked bad on this host.`);
    case 'failed': return failedReport(w, r);
    case 'rollback-failed': return w(`Apply FAILED (${r.error?.message}) and the ROLLBACK FAILED too (${r.rollbackError}). The journal is kept in the state directory for a human.`);
  }
}

/**
 * `rollback: never`: what stays on the host. After a failed batch `changed` was read back from the targets (the failed
 * batch may have done part of its work); a target that could not be read is named, since its state is not known.
 */
export function failedReport(w: (s: string) => void, r: ApplyResult): void {
  const readBack = r.error?.stage === 'batch';
  w(`Apply FAILED (${r.error?.message}); policy says rollback: never, so what changed stays.`);
  if (r.changed.length) {
    w(`Changed${readBack ? ' before the failure (read back from the host)' : ''}:`);
    for (const c of r.changed) w(`  ${changeLine(c)}`);
  } else if (!r.unobserved?.length) {
    w('Nothing changed before the failure.');
  }
  if (r.unobserved?.length) {
    w('Not read back, so what changed there is not known (plan again to see):');
    for (const u of r.unobserved) w(`  ${u}`);
  }
}

function changeLine(c: ChangedPackage): string {
  const what = `${c.target} ${c.manager} ${c.name}`;
  if (c.from === undefined) return `+ ${what} ${c.to ?? ''}`.trimEnd();
  if (c.to === undefined) return `- ${what} ${c.from}`;
  return `~ ${what} ${c.from} → ${c.to}`;
}

/** The checks recovery ran for an apply under `rollback: never` that died after its last batch: one line each. */
export function recoveredHealthReport(w: (s: string) => void, checks: readonly HealthResult[]): void {
  if (!checks.length) return w('  its batches had all finished and the policy has no health checks: the apply is complete');
  w('  its batches had all finished; its health checks, run now on what it left:');
  for (const h of checks) w(h.ok ? `  passed ${h.name}` : `  FAILED ${h.name}: ${shortReason(h.detail)}`);
}

/** A check's detail on one line, cut short (the whole of it is in --json, the events and the bad-revision reason). */
function shortReason(detail: string | undefined): string {
  const one = (detail ?? 'failed').replace(/\s+/g, ' ').trim();
  return one.length > 160 ? `${one.slice(0, 159)}…` : one;
}

/** Keys and reasons only: a value never reaches the output. */
function secretsReport(w: (s: string) => void, s: MaterializeResult | undefined): void {
  if (!s) return;
  const changed = [s.written.length ? `${s.written.length} written (${s.written.join(', ')})` : '', s.removed.length ? `${s.removed.length} removed (${s.removed.join(', ')})` : ''].filter(Boolean);
  if (changed.length) w(`Secrets: ${changed.join(', ')}.`);
  if (!s.errors.length) return;
  w(`Secrets FAILED for ${s.errors.length} key(s); the packages above were applied; a failed key keeps its previous local value, if it had one:`);
  for (const e of s.errors) w(`  ${e.key}: ${e.code}: ${e.message}`);
}

function done(p: Plan): string {
  const n = (k: Plan['actions'][number]['kind']) => p.actions.filter((a) => a.kind === k).length;
  return `${n('create-sandbox')} sandbox(es) created, ${n('install')} installed, ${n('upgrade')} upgraded, ${n('downgrade')} downgraded, ${n('remove')} removed`;
}

/** A bar per batch on a terminal: drawn when the batch starts, redrawn in place when it ends. */
export function progressLine(p: Progress): string {
  const bar = (done: number) => {
    const width = 20;
    const filled = Math.round((done / Math.max(1, p.total ?? 1)) * width);
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.index}/${p.total} ${p.target} ${p.manager}`;
  };
  switch (p.phase) {
    case 'batch-start': return `\r\u001b[2K${bar((p.index ?? 1) - 1)}: ${p.count} change(s)…`;
    case 'batch-done': return `\r\u001b[2K${bar(p.index ?? 1)}: done\n`;
    case 'batch-failed': return `\r\u001b[2K${bar((p.index ?? 1) - 1)}: FAILED: ${p.detail}\n`;
    case 'health': return p.count ? `running ${p.count} health check(s)…\n` : '';
    case 'rollback': return `rolling back: ${p.detail}\n`;
  }
}
