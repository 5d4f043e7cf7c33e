import { describe, expect, it } from 'vitest';
import { droppedSandboxes, plan } from '../../src/plan/plan.js';
import { renderPlan } from '../../src/plan/render.js';
import { resolveHost, type DesiredHost } from '../../src/fleet/resolve.js';
import type { ActualState, Inventory } from '../../src/plan/types.js';
import { smallFleet, validateMemory } from '../helpers/fleet.js';

async function desired(files: Record<string, string> = smallFleet()): Promise<DesiredHost> {
  const v = await validateMemory(files);
  expect(v.diagnostics).toEqual([]);
  return resolveHost(v.model, 'h1', { stateDir: '/state' }).host!;
}

const pipIn = (packages: Record<string, string>): ActualState => ({ sandboxes: { py: { exists: true, type: 'venv' } }, targets: { 'sandbox:py': { pip: { status: 'ok', packages } } } });
const inv = (packages: Record<string, string> = {}): Inventory => ({ packages: { 'sandbox:py': { pip: packages } }, sandboxes: {} });
const brief = (p: ReturnType<typeof plan>) => p.actions.map((a) => `${a.kind} ${a.name}${a.from ? ` ${a.from}` : ''}${a.to && a.kind !== 'create-sandbox' ? `>${a.to}` : ''} ${a.reason} ${a.risk}`);

describe('plan', () => {
  it('creates a missing sandbox and installs everything into it', async () => {
    const p = plan({ desired: await desired(), actual: { sandboxes: {}, targets: {} }, inventory: inv(), revision: 'abc' });
    expect(brief(p)).toEqual([
      'create-sandbox py new-sandbox sandbox',
      'install alpha>1.0.0 missing new',
      'install beta>2.0.0 missing new',
    ]);
    expect(p.actions[0]!.to).toBe('venv /state/sandboxes/py');
  });

  it.each([
    ['as desired: nothing to do', { alpha: '1.0.0', beta: '2.0.0' }, { alpha: '1.0.0', beta: '2.0.0' }, []],
    ['equal by PEP 440 (1.0 == 1.0.0)', { alpha: '1.0', beta: '2.0.0' }, { alpha: '1.0', beta: '2.0.0' }, []],
    ['drift: changed by hand', { alpha: '0.9.0', beta: '2.0.0' }, { alpha: '1.0.0', beta: '2.0.0' }, ['upgrade alpha 0.9.0>1.0.0 drifted major']],
    ['drift: uninstalled by hand', { beta: '2.0.0' }, { alpha: '1.0.0', beta: '2.0.0' }, ['install alpha>1.0.0 drifted new']],
    ['desired changed: a downgrade', { alpha: '1.0.0', beta: '3.1.0' }, { alpha: '1.0.0', beta: '3.1.0' }, ['downgrade beta 3.1.0>2.0.0 changed major']],
    ['someone else installed another version', { alpha: '1.0.1', beta: '2.0.0' }, {}, ['downgrade alpha 1.0.1>1.0.0 drifted patch']],
    ['removed from desired, installed by gitfleet', { alpha: '1.0.0', beta: '2.0.0', gamma: '1.0' }, { alpha: '1.0.0', beta: '2.0.0', gamma: '1.0' }, ['remove gamma 1.0 removed-from-desired removal']],
    ['not desired, not gitfleet\'s: left alone', { alpha: '1.0.0', beta: '2.0.0', pip: '23.0' }, { alpha: '1.0.0', beta: '2.0.0' }, []],
  ])('%s', async (_name, installed, ours, expected) => {
    const p = plan({ desired: await desired(), actual: pipIn(installed), inventory: inv(ours), revision: null });
    expect(brief(p)).toEqual(expected);
  });

  // Drift needs evidence that the package was in place: installed by gitfleet (the inventory, and the satisfied record a
  // successful apply writes beside it) or found there (the record alone). A package never seen in place is missing.
  describe('alpha (desired 1.0.0) by where it came from and what the host has now', () => {
    const ORIGINS = {
      'installed by gitfleet': (v: string): Inventory => ({ packages: { 'sandbox:py': { pip: { alpha: v } } }, sandboxes: {}, satisfied: { packages: { 'sandbox:py': { pip: { alpha: v } } }, sandboxes: {} } }),
      'installed by gitfleet, state before the record': (v: string): Inventory => ({ packages: { 'sandbox:py': { pip: { alpha: v } } }, sandboxes: {} }),
      'found in place': (v: string): Inventory => ({ packages: {}, sandboxes: {}, satisfied: { packages: { 'sandbox:py': { pip: { alpha: v } } }, sandboxes: {} } }),
      'never seen': (_v: string): Inventory => ({ packages: {}, sandboxes: {}, satisfied: { packages: { 'sandbox:py': { pip: { beta: '2.0.0' } } }, sandboxes: {} } }),
    } as const;
    type Origin = keyof typeof ORIGINS;
    const seenAt = (o: Origin) => (o === 'never seen' ? 'new' : 'seen');
    // [host now, version last seen, per origin kind: the action on alpha]
    const HOST: [string, Record<string, string>, string, Record<'seen' | 'new', string[]>][] = [
      ['present', { alpha: '1.0.0' }, '1.0.0', { seen: [], new: [] }],
      ['gone', {}, '1.0.0', { seen: ['install alpha>1.0.0 drifted new last seen 1.0.0'], new: ['install alpha>1.0.0 missing new'] }],
      ['another version (changed by hand)', { alpha: '1.0.1' }, '1.0.0', { seen: ['downgrade alpha 1.0.1>1.0.0 drifted patch'], new: ['downgrade alpha 1.0.1>1.0.0 drifted patch'] }],
      ['as last seen, another version desired', { alpha: '0.9.0' }, '0.9.0', { seen: ['upgrade alpha 0.9.0>1.0.0 changed major'], new: ['upgrade alpha 0.9.0>1.0.0 drifted major'] }],
      ['gone, another version last seen', {}, '0.9.0', { seen: ['install alpha>1.0.0 drifted new last seen 0.9.0'], new: ['install alpha>1.0.0 missing new'] }],
    ];
    const cases = HOST.flatMap(([host, installed, last, want]) => (Object.keys(ORIGINS) as Origin[]).map((o) => [`${o}, ${host}`, o, installed, last, want[seenAt(o)]] as const));
    it.each(cases)('%s', async (_name, origin, installed, last, want) => {
      const p = plan({ desired: await desired(), actual: pipIn({ ...installed, beta: '2.0.0' }), inventory: ORIGINS[origin](last), revision: null });
      expect(p.actions.map((a) => `${brief({ ...p, actions: [a] })[0]}${a.lastSeen ? ` last seen ${a.lastSeen}` : ''}`)).toEqual(want);
      // `from` is what the host has now: an install has none (rollback's snapshot and the drift event read it).
      for (const a of p.actions) if (a.kind === 'install') expect(a).not.toHaveProperty('from');
    });

    it('a present package found in place and removed by hand is drift too, rendered with the version last seen', async () => {
      const files = smallFleet({ 'baselines/b1.yaml': 'apiVersion: gitfleet/v1\nkind: Baseline\nname: b1\ntarget: sandbox:py\npackages:\n  pip:\n    alpha: present\n    beta: present\n' });
      const p = plan({ desired: await desired(files), actual: pipIn({}), inventory: ORIGINS['found in place']('1.0.0'), revision: 'r', chosen: { 'sandbox:py|pip|alpha': '1.1.0', 'sandbox:py|pip|beta': '2.0.0' } });
      expect(brief(p)).toEqual(['install alpha>1.1.0 drifted new', 'install beta>2.0.0 missing new']);
      expect(renderPlan(p).split('\n').filter((l) => l.includes('+ install'))).toEqual([
        '  + install pip alpha 1.1.0  (drifted: removed, last seen 1.0.0)',
        '  + install pip beta 2.0.0  (missing)',
      ]);
    });
  });

  it('present, latest and absent', async () => {
    const files = smallFleet({ 'baselines/b1.yaml': 'apiVersion: gitfleet/v1\nkind: Baseline\nname: b1\ntarget: sandbox:py\npackages:\n  pip:\n    a: present\n    b: latest\n    c: absent\n    d: present\n' });
    const p = plan({
      desired: await desired(files), actual: pipIn({ a: '1.0', b: '1.0', c: '5.0' }), inventory: inv(), revision: null,
      chosen: { 'sandbox:py|pip|b': '1.2', 'sandbox:py|pip|d': '3.0' },
    });
    expect(brief(p)).toEqual(['remove c 5.0 desired-absent removal', 'upgrade b 1.0>1.2 drifted minor', 'install d>3.0 missing new']);
  });

  it('an unresolved latest and an unknown target are warnings, not actions', async () => {
    const files = smallFleet({ 'baselines/b1.yaml': 'apiVersion: gitfleet/v1\nkind: Baseline\nname: b1\ntarget: sandbox:py\npackages:\n  pip:\n    b: latest\n' });
    const p1 = plan({ desired: await desired(files), actual: pipIn({}), inventory: inv(), revision: null });
    expect(p1.actions).toEqual([]);
    expect(p1.warnings.map((w) => w.code)).toEqual(['plan.unresolved']);
    const p2 = plan({ desired: await desired(), actual: { sandboxes: { py: { exists: true } }, targets: { 'sandbox:py': { pip: { status: 'unknown', code: 'E_PARSE', message: 'bad METADATA' } } } }, inventory: inv(), revision: null });
    expect(p2.actions).toEqual([]);
    expect(p2.warnings[0]!.message).toContain('bad METADATA');
  });

  it('a sandbox dropped from desired is a warning that names its path, never a removal', async () => {
    const inventory: Inventory = { packages: { 'sandbox:py': { pip: { alpha: '1.0.0', beta: '2.0.0' } }, 'sandbox:old': { npm: { left: '1.0.0' } } }, sandboxes: { old: { type: 'node', path: '/state/sandboxes/old' } } };
    const p = plan({ desired: await desired(), actual: pipIn({ alpha: '1.0.0', beta: '2.0.0' }), inventory, revision: null });
    expect(p.actions).toEqual([]);
    expect(p.warnings).toEqual([expect.objectContaining({ target: 'sandbox:old', code: 'sandbox.dropped', message: expect.stringContaining('/state/sandboxes/old') })]);
    expect(droppedSandboxes(p)).toEqual(['sandbox:old']);
  });

  describe('a docker container made without a package folder\'s mount', () => {
    const files = smallFleet({
      'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nbaselines: [b1, b2]\nsandboxes: {py: {template: box}, tools: {template: venv}}\n',
      'sandboxes/box.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: box\ntype: {linux: docker}\nimage: python:3.11-slim\npath: {linux: "{state}/sandboxes/{name}"}\n',
      'baselines/b2.yaml': 'apiVersion: gitfleet/v1\nkind: Baseline\nname: b2\ntarget: sandbox:tools\npackages:\n  pip:\n    gamma: "3.0.0"\n',
    });
    const actual = (missing?: string[]): ActualState => ({
      sandboxes: { py: { exists: true, type: 'docker', ...(missing ? { missingSourceFolders: missing } : {}) }, tools: { exists: true, type: 'venv' } },
      targets: { 'sandbox:py': { pip: { status: 'ok', packages: { alpha: '0.9.0', beta: '2.0.0', old: '1.0' } } }, 'sandbox:tools': { pip: { status: 'ok', packages: {} } } },
    });
    const inventory: Inventory = { packages: { 'sandbox:py': { pip: { old: '1.0' } } }, sandboxes: {} };

    it('plans nothing for that sandbox, says which folders and how to fix it, and plans the rest', async () => {
      const p = plan({ desired: await desired(files), actual: actual(['/srv/wheels', '/srv/more']), inventory, revision: null });
      expect(p.actions.map((a) => `${a.kind} ${a.target} ${a.name}`)).toEqual(['install sandbox:tools gamma']);
      expect(p.warnings).toEqual([{
        target: 'sandbox:py', code: 'sandbox.sources-unmounted',
        message: 'sandbox py was made without the read-only mount of package folders /srv/wheels, /srv/more (made before gitfleet mounted package folders, or before a baseline named them) and docker cannot add a mount to it, so nothing is planned for it (2 changes held back); remove the container (docker rm -f gitfleet-py) and apply again: gitfleet makes it with the mounts and installs its packages again',
      }]);
    });

    it('warns even when nothing is held back, and a container with every mount is planned as usual', async () => {
      const asDesired: ActualState = { ...actual(['/srv/wheels']), targets: { ...actual().targets, 'sandbox:py': { pip: { status: 'ok', packages: { alpha: '1.0.0', beta: '2.0.0' } } } } };
      const quiet = plan({ desired: await desired(files), actual: asDesired, inventory: { packages: {}, sandboxes: {} }, revision: null });
      expect(quiet.warnings.map((w) => [w.code, w.message.includes('/srv/wheels (made before') && !w.message.includes('held back')])).toEqual([['sandbox.sources-unmounted', true]]);
      const usual = plan({ desired: await desired(files), actual: actual([]), inventory, revision: null });
      expect(usual.warnings).toEqual([]);
      expect(usual.actions.map((a) => `${a.kind} ${a.target} ${a.name}`)).toEqual(['remove sandbox:py old', 'upgrade sandbox:py alpha', 'install sandbox:tools gamma']);
    });
  });

  it('normalizes names with the manager\'s rules before comparing', async () => {
    const files = smallFleet({ 'baselines/b1.yaml': 'apiVersion: gitfleet/v1\nkind: Baseline\nname: b1\ntarget: sandbox:py\npackages:\n  pip:\n    Foo_Bar.baz: "1.0"\n' });
    const p = plan({ desired: await desired(files), actual: pipIn({ 'foo-bar-baz': '1.0' }), inventory: inv(), revision: null, normalize: (_m, n) => n.toLowerCase().replace(/[-_.]+/g, '-') });
    expect(p.actions).toEqual([]);
    expect(p.unchanged).toBe(1);
  });

  it('is deterministic: same inputs, same plan, byte for byte', async () => {
    const d = await desired();
    const a = JSON.stringify(plan({ desired: d, actual: pipIn({ alpha: '0.1' }), inventory: inv({ zeta: '1', eta: '2' }), revision: 'r' }));
    const b = JSON.stringify(plan({ desired: structuredClone(d), actual: pipIn({ alpha: '0.1' }), inventory: inv({ eta: '2', zeta: '1' }), revision: 'r' }));
    expect(a).toBe(b);
  });

  it('renders like terraform, colour only when asked', async () => {
    const p = plan({ desired: await desired(), actual: pipIn({ alpha: '0.9.0', gamma: '1' }), inventory: inv({ gamma: '1' }), revision: '0123456789abcdef' });
    const text = renderPlan(p);
    expect(text).toMatchInlineSnapshot(`
      "gitfleet plan for host h1 at 0123456789ab

      target sandbox:py
        - remove pip gamma 1  (removed from desired)
        ~ upgrade pip alpha 0.9.0 → 1.0.0 (major)  (drifted)
        + install pip beta 2.0.0  (missing)

      Plan: 0 sandboxes to create, 1 to install, 1 to upgrade, 0 to downgrade, 1 to remove; 0 unchanged.
      "
    `);
    expect(text).not.toContain('\u001b[');
    expect(renderPlan(p, { color: true })).toContain('\u001b[31m- remove');
  });
});
