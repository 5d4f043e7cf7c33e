/*
 * For drift and registration proposals, what pinsReached is for updates: what the proposal set is on the base now,
 * exactly as it set it (merged in any way, or done by hand): not declined. It decides when the content test cannot,
 * e.g. when the proposal's commit is gone from both the clone and the remote.
 */
import type { FleetModel } from '../../fleet/model.js';
import type { ProposalRecord } from '../state.js';

const DRIFT_BRANCH = /^gitfleet\/drift-(.+)-[0-9a-f]{8}$/;
// `<target>/<manager>:<name>` as proposeDrift records it; a target (`system`, `sandbox:<name>`) holds no `/`, a name may
const DRIFT_KEY = /^([^/]+)\/([^/:]+):(.+)$/;

/** True when the base's fleet holds what a drift or registration proposal set; false when it does not or cannot tell. */
export function adoptedOnBase(model: FleetModel | undefined, rec: Pick<ProposalRecord, 'branch' | 'kind' | 'versions'>): boolean {
  const wanted = Object.entries(rec.versions);
  if (!model || !wanted.length) return false;
  if (rec.kind === 'register') {
    // `hosts/<name>.yaml` → name: the host is in the fleet, from that file
    return wanted.every(([file, name]) => model.hosts.get(name)?.doc.file === file);
  }
  if (rec.kind !== 'drift') return false;
  const host = DRIFT_BRANCH.exec(rec.branch)?.[1];
  const overrides = host === undefined ? undefined : model.hosts.get(host)?.value.overrides;
  if (!overrides) return false;
  return wanted.every(([key, actual]) => {
    const m = DRIFT_KEY.exec(key);
    if (!m) return false;
    const set = overrides[m[1]!] as Record<string, Record<string, unknown> | undefined> | undefined;
    const now = set?.[m[2]!]?.[m[3]!];
    return now !== undefined && String(now) === actual;
  });
}
