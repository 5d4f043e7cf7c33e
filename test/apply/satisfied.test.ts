import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plan } from '../../src/plan/plan.js';
import { resolveHost, type DesiredHost } from '../../src/fleet/resolve.js';
import type { ActualState, Inventory, Satisfied } from '../../src/plan/types.js';
import { recordSatisfied, satisfiedAfter } from '../../src/apply/satisfied.js';
import { splitByDriftMode } from '../../src/policy/drift.js';
import { smallFleet, validateMemory } from '../helpers/fleet.js';

/** h1's desired state: a venv `py` with these pip packages. */
async function desired(pip: Record<string, string>): Promise<DesiredHost> {
  const lines = Object.entries(pip).map(([n, v]) => `    ${n}: "${v}"\n`).join('');
  const v = await validateMemory(smallFleet({
    'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nbaselines: [b1]\nsandboxes: {py: {template: venv}}\n',
    'baselines/b1.yaml': `apiVersion: gitfleet/v1\nkind: Baseline\nname: b1\ntarget: sandbox:py\npackages:\n  pip:\n${lines}`,
  }));
  expect(v.diagnostics).toEqual([]);
  return resolveHost(v.model, 'h1', { stateDir: '/state' }).host!;
}

const PY = { type: 'venv', path: '/state/sandboxes/py' };
const seen = (pip: Record<string, string>, sandboxes: Satisfied['sandboxes'] = { py: PY }): Satisfied => ({ packages: { 'sandbox:py': { pip } }, sandboxes });
const actualOf = (pip: Record<string, string> | null): ActualState => (pip
  ? { sandboxes: { py: { exists: true } }, targets: { 'sandbox:py': { pip: { status: 'ok', packages: pip } } } }
  : { sandboxes: { py: { exists: false } }, targets: {} });

interface Row {
  name: string;
  want: Record<string, string>;
  installed: Record<string, string> | null;
  ours?: Record<string, string>;
  before?: Satisfied;
  /** Apply only what the drift mode lets through (report, previous 'same'), else the whole plan. */
  report?: boolean;
  after: Satisfied;
}

const rows: Row[] = [
  { name: 'what was in place before gitfleet is recorded, with what the apply installed', want: { alpha: '1.0.0', beta: '2.0.0', gamma: 'present' }, installed: { alpha: '1.0.0', gamma: '0.3' },
    after: seen({ alpha: '1.0.0', beta: '2.0.0', gamma: '0.3' }) },
  { name: 'a sandbox the apply made, with its packages', want: { alpha: '1.0.0' }, installed: null,
    after: seen({ alpha: '1.0.0' }) },
  { name: 'absent specs are not recorded; packages no longer desired are dropped', want: { alpha: '1.0.0', delta: 'absent' }, installed: { alpha: '1.0.0', delta: '1.0' }, before: seen({ alpha: '1.0.0', zeta: '1.0' }),
    after: seen({ alpha: '1.0.0' }) },
  { name: 'a held repair keeps the evidence of the last time it was in place', want: { alpha: '1.0.0', beta: '2.0.0' }, installed: { alpha: '1.0.1' }, before: seen({ alpha: '1.0.0', beta: '2.0.0' }), report: true,
    after: seen({ alpha: '1.0.0', beta: '2.0.0' }) },
  { name: 'a sandbox removed by hand and held keeps its record and its packages\'', want: { alpha: '1.0.0' }, installed: null, before: seen({ alpha: '1.0.0' }), report: true,
    after: seen({ alpha: '1.0.0' }) },
  { name: 'a package as it is now replaces an older record (a hand change adopted by the spec)', want: { alpha: '1.0.1' }, installed: { alpha: '1.0.1' }, before: seen({ alpha: '1.0.0' }),
    after: seen({ alpha: '1.0.1' }) },
];

describe('satisfiedAfter', () => {
  it.each(rows)('$name', async (r) => {
    const d = await desired(r.want);
    const actual = actualOf(r.installed);
    const inventory: Inventory = { packages: { 'sandbox:py': { pip: r.ours ?? {} } }, sandboxes: {}, ...(r.before ? { satisfied: r.before } : {}) };
    const p = plan({ desired: d, actual, inventory, revision: 'r1', chosen: { 'sandbox:py|pip|gamma': '3.0' } });
    const applied = r.report ? { ...p, actions: splitByDriftMode({ plan: p, mode: 'report', desired: d, previous: 'same', inventory }).apply } : p;
    expect(satisfiedAfter({ desired: d, actual, plan: p, applied, before: r.before })).toEqual(r.after);
  });

  it('a sandbox of another type at the path is not recorded as in place', async () => {
    const d = await desired({ alpha: '1.0.0' });
    const actual: ActualState = { sandboxes: { py: { exists: true, type: 'conda' } }, targets: { 'sandbox:py': { pip: { status: 'ok', packages: { alpha: '1.0.0' } } } } };
    const p = plan({ desired: d, actual, inventory: { packages: {}, sandboxes: {} }, revision: 'r1' });
    expect(satisfiedAfter({ desired: d, actual, plan: p, applied: p, before: undefined }).sandboxes).toEqual({});
  });

  it('a sandbox nothing was planned for (its container lacks a mount) gives no evidence: what it has is not in place', async () => {
    const d = await desired({ alpha: '1.0.0', beta: '2.0.0' });
    const actual: ActualState = { sandboxes: { py: { exists: true, missingSourceFolders: ['/srv/wheels'] } }, targets: { 'sandbox:py': { pip: { status: 'ok', packages: { alpha: '0.9.0', beta: '2.0.0' } } } } };
    const before = seen({ alpha: '1.0.0' });
    const p = plan({ desired: d, actual, inventory: { packages: {}, sandboxes: {}, satisfied: before }, revision: 'r1' });
    expect(p.actions).toEqual([]); // the upgrade of alpha is held back with the warning
    expect(satisfiedAfter({ desired: d, actual, plan: p, applied: p, before })).toEqual(seen({ alpha: '1.0.0' }));
  });

  it('never makes a package gitfleet\'s to remove: dropped from desired, a recorded package stays', async () => {
    const d = await desired({ alpha: '1.0.0' });
    const inventory: Inventory = { packages: {}, sandboxes: {}, satisfied: seen({ alpha: '1.0.0', gamma: '1.0' }) };
    const p = plan({ desired: d, actual: actualOf({ alpha: '1.0.0', gamma: '1.0' }), inventory, revision: 'r2' });
    expect(p.actions).toEqual([]);
  });
});

describe('recordSatisfied', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('adds the record to the inventory file, keeps what gitfleet installed, and writes only when it changed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitfleet-satisfied-'));
    const path = join(dir, 'inventory.json');
    const owned: Inventory = { packages: { 'sandbox:py': { pip: { beta: '2.0.0' } } }, sandboxes: { py: PY } };
    await writeFile(path, JSON.stringify(owned));
    const d = await desired({ alpha: '1.0.0', beta: '2.0.0' });
    const actual = actualOf({ alpha: '1.0.0', beta: '2.0.0' });
    const p = plan({ desired: d, actual, inventory: owned, revision: 'r1' });
    await recordSatisfied(path, { desired: d, actual, plan: p, applied: p });
    const written = await stat(path);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ ...owned, satisfied: seen({ alpha: '1.0.0', beta: '2.0.0' }) });
    await new Promise((r) => setTimeout(r, 20));
    await recordSatisfied(path, { desired: d, actual, plan: p, applied: p });
    expect((await stat(path)).mtimeMs).toBe(written.mtimeMs);
  });

  it('writes no inventory when there is none and nothing was in place', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitfleet-satisfied-'));
    const path = join(dir, 'inventory.json');
    const d = await desired({ alpha: '1.0.0' });
    const actual = actualOf(null);
    const p = plan({ desired: d, actual, inventory: { packages: {}, sandboxes: {} }, revision: 'r1' });
    await recordSatisfied(path, { desired: d, actual, plan: p, applied: { ...p, actions: [] } });
    await expect(stat(path)).rejects.toThrow();
  });
});
