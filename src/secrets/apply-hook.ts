// Called by applyHost after a successful apply: materialize, then one audit line (and event) per change.
import type { Logger } from 'pino';
import type { AuditLog } from '../events/audit.js';
import type { EventBus } from '../events/bus.js';
import type { FleetModel } from '../fleet/model.js';
import type { DesiredHost } from '../fleet/resolve.js';
import { materializeSecrets, type MaterializeResult } from './materialize.js';

export type { MaterializeResult } from './materialize.js';

/** Where materialization reports what it changed. */
export interface MaterializeReport {
  audit: AuditLog;
  log: Logger;
  bus: EventBus;
}

/**
 * Materializes the host's secrets and audits each change by key (never by value). Events say what is now in
 * effect on this host: `infrastructure.secret.created` for a key it did not have, `infrastructure.secret.rotated`
 * for a changed value; a proposal (`secret set`, `secret rotate`) is only `infrastructure.secret.proposed`.
 * `early`: the keys the host's sources name, already written (and audited) before the apply (src/secrets/source-secrets.ts);
 * their events go out only here, once the apply succeeded, and they are added to the result, so that it says everything
 * this apply put in effect. An apply that fails puts their previous values back instead (`SourceSecrets.restore`).
 */
export async function materializeAfterApply(a: MaterializeReport & { model: FleetModel; desired: DesiredHost; stateDir: string }, early?: MaterializeResult): Promise<MaterializeResult> {
  const r = await materializeSecrets({ model: a.model, host: a.desired.name, stateDir: a.stateDir, sandboxes: a.desired.sandboxes });
  if (early) announceMaterialized(early, a.bus);
  await reportMaterialized(r, a);
  if (!early) return r;
  const union = (x: string[], y: string[]) => [...new Set([...x, ...y])];
  return { ...r, written: union(early.written, r.written), created: union(early.created, r.created), errors: [...early.errors, ...r.errors] };
}

/** One audit line per key written or removed and per env file, an event per key now in effect, a log line per failure. */
export async function reportMaterialized(r: MaterializeResult, a: MaterializeReport): Promise<void> {
  await auditMaterialized(r, a);
  announceMaterialized(r, a.bus);
}

/** An event per key written: `created` for a key the host did not have, `rotated` for a changed value. Keys only. */
export function announceMaterialized(r: Pick<MaterializeResult, 'written' | 'created'>, bus: EventBus): void {
  const created = new Set(r.created);
  for (const key of r.written) bus.emit(created.has(key) ? 'infrastructure.secret.created' : 'infrastructure.secret.rotated', { key });
}

/** The audit and log half of `reportMaterialized`: what was written on disk, whether or not it is in effect yet. */
export async function auditMaterialized(r: MaterializeResult, a: Pick<MaterializeReport, 'audit' | 'log'>): Promise<void> {
  for (const key of r.written) await a.audit.append('secret.materialized', { key });
  for (const key of r.removed) await a.audit.append('secret.removed', { key });
  for (const sandbox of r.envWritten) await a.audit.append('secret.env-written', { sandbox });
  for (const sandbox of r.envRemoved) await a.audit.append('secret.env-removed', { sandbox });
  for (const e of r.errors) {
    await a.audit.append('secret.failed', { key: e.key, code: e.code });
    a.log.error({ key: e.key, code: e.code }, e.message);
  }
}
