import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/plan.js';
import { resolveHost, type DesiredHost } from '../../src/fleet/resolve.js';
import type { Action, ActualState, Inventory } from '../../src/plan/types.js';
import { splitByDriftMode, type DriftMode } from '../../src/policy/drift.js';
import { smallFleet, validateMemory } from '../helpers/fleet.js';

/** h1's desired state: a venv `py` (and `more` sandboxes) with these pip packages in `py`. */
async function desired(pip: Record<string, string>, more: string[] = []): Promise<DesiredHost> {
  const lines = Object.entries(pip).map(([n, v]) => `    ${n}: "${v}"\n`).join('');
  const v = await validateMemory(smallFleet({
    'hosts/h1.yaml': `apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nbaselines: [b1]\nsandboxes: {${['py', ...more].map((s) => `${s}: {template: venv}`).join(', ')}}\n`,
    'baselines/b1.yaml': `apiVersion: gitfleet/v1\nkind: Baseline\nname: b1\ntarget: sandbox:py\npackages:\n  pip:\n${lines}`,
  }));
  expect(v.diagnostics).toEqual([]);
  return resolveHost(v.model, 'h1', { stateDir: '/state' }).host!;
}

const brief = (as: Action[]) => as.map((a) => `${a.kind} ${a.name}${a.from ? ` ${a.from}` : ''}${a.to && a.kind !== 'create-sandbox' ? `>${a.to}` : ''} ${a.reason}`);
const REV1 = { alpha: '1.0.0', beta: '2.0.0' };

interface Row {
  name: string;
  mode: DriftMode;
  /** The desired packages at the applied revision; 'same': the plan is for that revision; null: not known. */
  previous: Record<string, string> | 'same' | null;
  now: Record<string, string>;
  /** In sandbox py; null: the sandbox is gone. */
  installed: Record<string, string> | null;
  ours: Record<string, string>;
  /** Sandboxes at the new revision besides py. */
  more?: string[];
  oursSandboxes?: Inventory['sandboxes'];
  /** The `satisfied` record in py (what the last apply found in place, whoever put it there); absent: old state without it. */
  seen?: Record<string, string>;
  seenSandboxes?: Inventory['sandboxes'];
  chosen?: Record<string, string>;
  apply: string[];
  held: string[];
  /** The hand changes, whatever the mode; default: `held`. */
  drift?: string[];
}

const rows: Row[] = [
  { name: 'enforce: everything applies, the hand change too', mode: 'enforce', previous: REV1, now: { alpha: '1.0.0', beta: '2.1.0' }, installed: { alpha: '1.0.1', beta: '2.0.0' }, ours: REV1,
    apply: ['downgrade alpha 1.0.1>1.0.0 drifted', 'upgrade beta 2.0.0>2.1.0 changed'], held: [], drift: ['downgrade alpha 1.0.1>1.0.0 drifted'] },
  { name: 'report: the revision\'s change applies, the hand change stays', mode: 'report', previous: REV1, now: { alpha: '1.0.0', beta: '2.1.0' }, installed: { alpha: '1.0.1', beta: '2.0.0' }, ours: REV1,
    apply: ['upgrade beta 2.0.0>2.1.0 changed'], held: ['downgrade alpha 1.0.1>1.0.0 drifted'] },
  { name: 'propose: the same as report', mode: 'propose', previous: REV1, now: { alpha: '1.0.0', beta: '2.1.0' }, installed: { alpha: '1.0.1', beta: '2.0.0' }, ours: REV1,
    apply: ['upgrade beta 2.0.0>2.1.0 changed'], held: ['downgrade alpha 1.0.1>1.0.0 drifted'] },
  { name: 'report on the applied revision: what differs from what gitfleet installed is drift', mode: 'report', previous: 'same', now: REV1, installed: { alpha: '1.0.1' }, ours: REV1,
    apply: [], held: ['downgrade alpha 1.0.1>1.0.0 drifted', 'install beta>2.0.0 drifted'] },
  { name: 'report on the applied revision: what gitfleet never installed applies, the hand change stays', mode: 'report', previous: 'same', now: { ...REV1, gamma: '1.0' }, installed: { alpha: '1.0.1', beta: '2.0.0' }, ours: REV1,
    apply: ['install gamma>1.0 missing'], held: ['downgrade alpha 1.0.1>1.0.0 drifted'] },
  { name: 'propose on the applied revision: an absent installed by hand is drift, a newer latest is not', mode: 'propose', previous: 'same', now: { ...REV1, gamma: 'latest', delta: 'absent' }, installed: { ...REV1, gamma: '3.0', delta: '1.0' }, ours: { ...REV1, gamma: '3.0' }, chosen: { 'sandbox:py|pip|gamma': '3.1' },
    apply: ['upgrade gamma 3.0>3.1 changed'], held: ['remove delta 1.0 desired-absent'] },
  { name: 'report on the applied revision: a sandbox gitfleet made and someone removed stays removed', mode: 'report', previous: 'same', now: REV1, installed: null, ours: REV1, oursSandboxes: { py: { type: 'venv', path: '/state/sandboxes/py' } },
    apply: [], held: ['create-sandbox py new-sandbox', 'install alpha>1.0.0 drifted', 'install beta>2.0.0 drifted'] },
  { name: 'report on the applied revision: a sandbox gitfleet did not make is made', mode: 'report', previous: 'same', now: REV1, installed: null, ours: {},
    apply: ['create-sandbox py new-sandbox', 'install alpha>1.0.0 missing', 'install beta>2.0.0 missing'], held: [] },
  { name: 'report: drifted and changed by the revision: the revision wins', mode: 'report', previous: REV1, now: { alpha: '1.0.2', beta: '2.0.0' }, installed: { alpha: '1.0.1', beta: '2.0.0' }, ours: REV1,
    apply: ['upgrade alpha 1.0.1>1.0.2 drifted'], held: [] },
  { name: 'report: removed by hand and still wanted: not reinstalled; a new package is', mode: 'report', previous: REV1, now: { ...REV1, gamma: '1.0' }, installed: { beta: '2.0.0' }, ours: REV1,
    apply: ['install gamma>1.0 missing'], held: ['install alpha>1.0.0 drifted'] },
  // Drift needs evidence: without an inventory entry gitfleet never installed the package, so nothing says a hand undid it.
  { name: 'report: not installed and not gitfleet\'s (there before gitfleet, or never listable): the revision asks for it', mode: 'report', previous: REV1, now: { ...REV1, gamma: '1.0' }, installed: { beta: '2.0.0' }, ours: { beta: '2.0.0' },
    apply: ['install alpha>1.0.0 missing', 'install gamma>1.0 missing'], held: [] },
  { name: 'report: a pin at both revisions that gitfleet never installed (its target was not listable then) is installed', mode: 'report', previous: { ...REV1, gamma: '1.0' }, now: { ...REV1, gamma: '1.0' }, installed: REV1, ours: REV1,
    apply: ['install gamma>1.0 missing'], held: [] },
  { name: 'propose: the same, nothing to propose', mode: 'propose', previous: { ...REV1, gamma: '1.0' }, now: { alpha: '1.0.0', beta: '2.0.1', gamma: '1.0' }, installed: REV1, ours: REV1,
    apply: ['upgrade beta 2.0.0>2.0.1 changed', 'install gamma>1.0 missing'], held: [] },
  { name: 'report: present at both revisions, not resolvable when the previous one applied: installed now', mode: 'report', previous: { ...REV1, gamma: 'present' }, now: { ...REV1, gamma: 'present' }, installed: REV1, ours: REV1, chosen: { 'sandbox:py|pip|gamma': '3.1' },
    apply: ['install gamma>3.1 missing'], held: [] },
  { name: 'report: a pin at both revisions, another version installed, not by gitfleet: the revision asks for it', mode: 'report', previous: REV1, now: REV1, installed: { alpha: '1.0.1', beta: '2.0.0' }, ours: { beta: '2.0.0' },
    apply: ['downgrade alpha 1.0.1>1.0.0 drifted'], held: [] },
  { name: 'report: a package dropped from desired is removed, drift elsewhere stays', mode: 'report', previous: REV1, now: { alpha: '1.0.0' }, installed: { alpha: '0.9.0', beta: '2.0.0' }, ours: REV1,
    apply: ['remove beta 2.0.0 removed-from-desired'], held: ['upgrade alpha 0.9.0>1.0.0 drifted'] },
  { name: 'report: a new absent rule removes what someone installed', mode: 'report', previous: REV1, now: { ...REV1, gamma: 'absent' }, installed: { ...REV1, gamma: '1.0' }, ours: REV1,
    apply: ['remove gamma 1.0 desired-absent'], held: [] },
  { name: 'report: absent at both revisions, installed by hand: drift', mode: 'report', previous: { ...REV1, gamma: 'absent' }, now: { ...REV1, gamma: 'absent', delta: '1.0' }, installed: { ...REV1, gamma: '1.0' }, ours: REV1,
    apply: ['install delta>1.0 missing'], held: ['remove gamma 1.0 desired-absent'] },
  { name: 'report: present removed by hand stays removed', mode: 'report', previous: { ...REV1, gamma: 'present' }, now: { alpha: '1.0.0', beta: '2.0.1', gamma: 'present' }, installed: REV1, ours: { ...REV1, gamma: '3.0' }, chosen: { 'sandbox:py|pip|gamma': '3.1' },
    apply: ['upgrade beta 2.0.0>2.0.1 changed'], held: ['install gamma>3.1 drifted'] },
  { name: 'report: a newer latest on a package as gitfleet left it applies (not a hand change)', mode: 'report', previous: { ...REV1, gamma: 'latest' }, now: { alpha: '1.0.0', beta: '2.0.1', gamma: 'latest' }, installed: { ...REV1, gamma: '3.0' }, ours: { ...REV1, gamma: '3.0' }, chosen: { 'sandbox:py|pip|gamma': '3.1' },
    apply: ['upgrade beta 2.0.0>2.0.1 changed', 'upgrade gamma 3.0>3.1 changed'], held: [] },
  { name: 'report: a sandbox removed by hand stays removed, with what the revision adds in it', mode: 'report', previous: REV1, now: { ...REV1, gamma: '1.0' }, installed: null, ours: REV1, oursSandboxes: { py: { type: 'venv', path: '/state/sandboxes/py' } },
    apply: [], held: ['create-sandbox py new-sandbox', 'install alpha>1.0.0 drifted', 'install beta>2.0.0 drifted', 'install gamma>1.0 missing'] },
  { name: 'report: a new sandbox is made', mode: 'report', previous: REV1, now: REV1, more: ['qq'], installed: { alpha: '1.0.1', beta: '2.0.0' }, ours: REV1,
    apply: ['create-sandbox qq new-sandbox'], held: ['downgrade alpha 1.0.1>1.0.0 drifted'] },
  // Without the applied revision's desired state, the inventory decides: a host that differs from what gitfleet
  // installed, while the desired version is still that one (or any will do), is drift.
  { name: 'report, previous unknown: the hand change stays, a changed pin applies', mode: 'report', previous: null, now: { alpha: '1.0.0', beta: '2.1.0', gamma: 'present' }, installed: { alpha: '1.0.1', beta: '1.9.0' }, ours: { ...REV1, gamma: '3.0' }, chosen: { 'sandbox:py|pip|gamma': '3.1' },
    apply: ['upgrade beta 1.9.0>2.1.0 drifted'], held: ['downgrade alpha 1.0.1>1.0.0 drifted', 'install gamma>3.1 drifted'] },
  { name: 'report, previous unknown: what gitfleet never installed applies', mode: 'report', previous: null, now: { ...REV1, gamma: '1.0' }, installed: { alpha: '1.0.1' }, ours: {},
    apply: ['downgrade alpha 1.0.1>1.0.0 drifted', 'install beta>2.0.0 missing', 'install gamma>1.0 missing'], held: [] },
  { name: 'report, previous unknown: a sandbox gitfleet made and someone removed stays removed', mode: 'report', previous: null, now: REV1, installed: null, ours: REV1, oursSandboxes: { py: { type: 'venv', path: '/state/sandboxes/py' } },
    apply: [], held: ['create-sandbox py new-sandbox', 'install alpha>1.0.0 drifted', 'install beta>2.0.0 drifted'] },
  // The satisfied record: a package already in place when gitfleet came (never installed by it, so not in the
  // inventory) is evidence too; without a record (older state) the inventory alone decides, as above.
  { name: 'report: in place before gitfleet (recorded satisfied), changed by hand: held; the revision\'s change applies', mode: 'report', previous: REV1, now: { alpha: '1.0.0', beta: '2.1.0' }, installed: { alpha: '1.0.1', beta: '2.0.0' }, ours: {}, seen: REV1,
    apply: ['upgrade beta 2.0.0>2.1.0 changed'], held: ['downgrade alpha 1.0.1>1.0.0 drifted'] },
  { name: 'report: the same without the record (older state): reverted, as before', mode: 'report', previous: REV1, now: { alpha: '1.0.0', beta: '2.1.0' }, installed: { alpha: '1.0.1', beta: '2.0.0' }, ours: {},
    apply: ['downgrade alpha 1.0.1>1.0.0 drifted', 'upgrade beta 2.0.0>2.1.0 drifted'], held: [] },
  { name: 'report: in place before gitfleet, removed by hand: held; a new package is installed', mode: 'report', previous: REV1, now: { ...REV1, gamma: '1.0' }, installed: { beta: '2.0.0' }, ours: {}, seen: REV1,
    apply: ['install gamma>1.0 missing'], held: ['install alpha>1.0.0 drifted'] },
  { name: 'report: never seen in place (not installed, not recorded) at both revisions: the revision asks for it', mode: 'report', previous: { ...REV1, gamma: '1.0' }, now: { ...REV1, gamma: '1.0' }, installed: REV1, ours: {}, seen: REV1,
    apply: ['install gamma>1.0 missing'], held: [] },
  { name: 'report on the applied revision: in place before gitfleet, changed by hand: held', mode: 'report', previous: 'same', now: REV1, installed: { alpha: '1.0.1', beta: '2.0.0' }, ours: {}, seen: REV1,
    apply: [], held: ['downgrade alpha 1.0.1>1.0.0 drifted'] },
  { name: 'report: a newer latest on a package as last seen in place applies (the record is newer than the inventory)', mode: 'report', previous: { ...REV1, gamma: 'latest' }, now: { ...REV1, gamma: 'latest' }, installed: { ...REV1, gamma: '3.1' }, ours: { gamma: '3.0' }, seen: { ...REV1, gamma: '3.1' }, chosen: { 'sandbox:py|pip|gamma': '3.2' },
    apply: ['upgrade gamma 3.1>3.2 changed'], held: [] },
  { name: 'report, previous unknown: in place before gitfleet, changed and removed by hand: held', mode: 'report', previous: null, now: REV1, installed: { alpha: '1.0.1' }, ours: {}, seen: REV1,
    apply: [], held: ['downgrade alpha 1.0.1>1.0.0 drifted', 'install beta>2.0.0 drifted'] },
  // A package found in place and removed by hand is planned as `drifted` (was `missing`): the split is the evidence's, as before.
  { name: 'report on the applied revision: in place before gitfleet, removed by hand: held', mode: 'report', previous: 'same', now: REV1, installed: { beta: '2.0.0' }, ours: {}, seen: REV1,
    apply: [], held: ['install alpha>1.0.0 drifted'] },
  { name: 'propose: present at both revisions, found in place and removed by hand: held; one never seen in place is installed', mode: 'propose', previous: { ...REV1, gamma: 'present', delta: 'present' }, now: { ...REV1, gamma: 'present', delta: 'present' }, installed: REV1, ours: {}, seen: { ...REV1, gamma: '3.0' }, chosen: { 'sandbox:py|pip|gamma': '3.1', 'sandbox:py|pip|delta': '1.0' },
    apply: ['install delta>1.0 missing'], held: ['install gamma>3.1 drifted'] },
  { name: 'enforce: in place before gitfleet, removed by hand: put back, as drift', mode: 'enforce', previous: 'same', now: REV1, installed: { beta: '2.0.0' }, ours: {}, seen: REV1,
    apply: ['install alpha>1.0.0 drifted'], held: [], drift: ['install alpha>1.0.0 drifted'] },
  // `latest` asks for the newest release: a newer one is no drift under any mode; a `latest` changed or removed by hand is.
  { name: 'enforce on the applied revision: all applies; the latest changed by hand is drift, the newer latest is not', mode: 'enforce', previous: 'same', now: { ...REV1, gamma: 'latest', delta: 'latest' }, installed: { ...REV1, gamma: '3.0', delta: '0.9' }, ours: { ...REV1, gamma: '3.0', delta: '1.0' }, chosen: { 'sandbox:py|pip|gamma': '3.1', 'sandbox:py|pip|delta': '1.1' },
    apply: ['upgrade delta 0.9>1.1 drifted', 'upgrade gamma 3.0>3.1 changed'], held: [], drift: ['upgrade delta 0.9>1.1 drifted'] },
  ...(['same', null] as const).map((previous): Row => ({
    name: `report, previous ${previous ?? 'unknown'}: a newer latest applies; a latest downgraded (with a newer release out) or removed by hand is held`, mode: 'report', previous,
    now: { ...REV1, gamma: 'latest', delta: 'latest', eps: 'latest' }, installed: { ...REV1, gamma: '3.0', delta: '0.9' }, ours: { ...REV1, gamma: '3.0', delta: '1.0', eps: '2.0' },
    chosen: { 'sandbox:py|pip|gamma': '3.1', 'sandbox:py|pip|delta': '1.1', 'sandbox:py|pip|eps': '2.1' },
    apply: ['upgrade gamma 3.0>3.1 changed'], held: ['upgrade delta 0.9>1.1 drifted', 'install eps>2.1 drifted'],
  })),
  { name: 'report: a sandbox found in place (not made by gitfleet) and removed by hand stays removed', mode: 'report', previous: 'same', now: REV1, installed: null, ours: {}, seen: REV1, seenSandboxes: { py: { type: 'venv', path: '/state/sandboxes/py' } },
    apply: [], held: ['create-sandbox py new-sandbox', 'install alpha>1.0.0 drifted', 'install beta>2.0.0 drifted'] },
];

describe('splitByDriftMode', () => {
  it.each(rows)('$name', async (r) => {
    const now = await desired(r.now, r.more);
    const actual: ActualState = r.installed
      ? { sandboxes: { py: { exists: true, type: 'venv' } }, targets: { 'sandbox:py': { pip: { status: 'ok', packages: r.installed } } } }
      : { sandboxes: {}, targets: {} };
    const satisfied = r.seen ? { satisfied: { packages: { 'sandbox:py': { pip: r.seen } }, sandboxes: r.seenSandboxes ?? {} } } : {};
    const inventory: Inventory = { packages: { 'sandbox:py': { pip: r.ours } }, sandboxes: r.oursSandboxes ?? {}, ...satisfied };
    const p = plan({ desired: now, actual, inventory, revision: 'r2', chosen: r.chosen });
    const previous = r.previous === 'same' || r.previous === null ? r.previous : await desired(r.previous);
    const split = splitByDriftMode({ plan: p, mode: r.mode, desired: now, previous, inventory });
    expect({ apply: brief(split.apply), held: brief(split.held), drift: brief(split.drift) }).toEqual({ apply: r.apply, held: r.held, drift: r.drift ?? r.held });
    // Nothing lost, nothing doubled, the plan's order kept.
    expect([...split.apply, ...split.held].sort((a, b) => p.actions.indexOf(a) - p.actions.indexOf(b))).toEqual(p.actions);
  });

  it('compares names in the manager\'s canonical form', async () => {
    const previous = await desired({ 'Foo_Bar': '1.0' });
    const now = await desired({ 'foo-bar': '1.0', beta: '2.0.0' });
    const inventory: Inventory = { packages: { 'sandbox:py': { pip: { 'foo-bar': '1.0' } } }, sandboxes: {} };
    const actual: ActualState = { sandboxes: { py: { exists: true, type: 'venv' } }, targets: { 'sandbox:py': { pip: { status: 'ok', packages: { 'foo-bar': '0.9' } } } } };
    const normalize = (_m: string, n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');
    const p = plan({ desired: now, actual, inventory, revision: 'r2', normalize });
    const split = splitByDriftMode({ plan: p, mode: 'report', desired: now, previous, inventory, normalize });
    expect(brief(split.held)).toEqual(['upgrade foo-bar 0.9>1.0 drifted']);
    expect(brief(split.apply)).toEqual(['install beta>2.0.0 missing']);
  });
});
