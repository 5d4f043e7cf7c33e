// Hosts of one model share their expanded baselines (resolving every host of a large fleet used to expand them again
// per host). Sharing must be invisible: a host resolves exactly as it would on a model no other host touched, in any
// order, includes cycles too; shared values are frozen; and a model changed afterwards is expanded again.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FleetModel } from '../../src/fleet/model.js';
import { resolveHost } from '../../src/fleet/resolve.js';
import { validateMemory } from '../helpers/fleet.js';

const CORP = 'https://pypi.corp.example/simple/';
const PYPI = 'https://pypi.org/simple/';

const host = (name: string, baselines: string[], extra = '') =>
  `apiVersion: gitfleet/v1\nkind: Host\nname: ${name}\nos: linux\narch: x64\nbaselines: [${baselines.join(', ')}]\nsandboxes: {py: {template: venv}}\n${extra}`;
const baseline = (name: string, body: string, target = 'sandbox:py') => `apiVersion: gitfleet/v1\nkind: Baseline\nname: ${name}\ntarget: "${target}"\n${body}`;

/** Baselines with includes (one cycle, and one above it), an import, sources with and without credentials, a conflict. */
const FILES: Record<string, string> = {
  'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\n',
  'sandboxes/venv.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: venv\ntype: {linux: venv}\npath: {linux: "{state}/sandboxes/{name}"}\n',
  'requirements/ml.txt': 'numpy==1.26.4\nrequests==2.31.0\n',
  'baselines/base.yaml': baseline('base', 'packages: {apt: {curl: "7.88.1-10"}}\n', 'system'),
  'baselines/corp.yaml': baseline('corp', `sources: {pip: {indexUrl: "${CORP}", credentials: {secret: CORP}}}\npackages: {pip: {alpha: "1.0.0"}}\n`),
  'baselines/tools.yaml': baseline('tools', `sources: {pip: {indexUrl: "${PYPI}"}}\npackages: {pip: {beta: "2.0.0"}}\n`),
  'baselines/wheels.yaml': baseline('wheels', 'sources: {pip: {findLinks: [wheels]}}\npackages: {pip: {gamma: present}}\n'),
  'baselines/top.yaml': baseline('top', 'includes: [corp, wheels]\nimports: [{requirements: requirements/ml.txt}]\npackages: {pip: {alpha: "1.0.0", delta: latest}}\n'),
  'baselines/late.yaml': baseline('late', `sources: {pip: {extraIndexUrls: ["${CORP}"], credentials: {secret: CORP}}}\npackages: {pip: {alpha: "1.1.0"}}\n`),
  'baselines/cyc-a.yaml': baseline('cyc-a', 'includes: [cyc-b]\npackages: {pip: {epsilon: "1.0.0", eta: "1.0.0"}}\n'),
  'baselines/cyc-b.yaml': baseline('cyc-b', `includes: [cyc-a]\nsources: {pip: {indexUrl: "${PYPI}"}}\npackages: {pip: {epsilon: "2.0.0", theta: "1.0.0"}}\n`),
  // above the cycle, in another target: what it gets from cyc-a shows which host order expanded it
  'baselines/mid.yaml': baseline('mid', 'includes: [cyc-a, tools]\npackages: {pip: {zeta: "0.1.0"}}\n', 'system'),
  'hosts/h1.yaml': host('h1', ['base', 'corp', 'tools']),
  'hosts/h2.yaml': host('h2', ['top', 'late']),
  'hosts/h3.yaml': host('h3', ['wheels', 'top', 'base']),
  'hosts/h4.yaml': host('h4', ['cyc-a', 'mid']),
  'hosts/h5.yaml': host('h5', ['cyc-b', 'cyc-a']),
  'hosts/h6.yaml': host('h6', ['mid', 'cyc-b', 'corp'], 'overrides: {sandbox:py: {pip: {beta: "3.0.0"}}}\n'),
  'hosts/h7.yaml': host('h7', ['tools', 'top', 'late', 'corp']),
  'hosts/h8.yaml': host('h8', ['cyc-b']),
  'hosts/h9.yaml': host('h9', ['cyc-b', 'mid']),
};
const HOSTS = Object.keys(FILES).filter((f) => f.startsWith('hosts/')).map((f) => f.slice(6, -5));

/** The host resolved on a model object no other resolution has used: each baseline expanded for this host alone. */
const alone = (model: FleetModel, name: string) => resolveHost({ ...model }, name);

describe('resolveHost: expanded baselines shared between the hosts of a model', () => {
  it('a host resolves as it does alone, whatever hosts were resolved before it and in which order', async () => {
    const { model } = await validateMemory(FILES);
    const expected = new Map(HOSTS.map((h) => [h, alone(model, h)]));
    // the fleet has each case: conflicts, dropped credentials, includes cycles, sources from includes
    const codes = [...expected.values()].flatMap((r) => r.diagnostics.map((d) => d.code));
    expect(new Set(codes)).toEqual(new Set(['resolve.conflict', 'source.credentials-mixed']));
    expect(expected.get('h3')!.host!.targets.find((t) => t.target === 'sandbox:py')!.sources).toEqual({ pip: { findLinks: ['wheels'], indexUrl: CORP, credentials: { secret: 'CORP' } } });
    fc.assert(fc.asyncProperty(fc.shuffledSubarray(HOSTS, { minLength: 1 }), async (order) => {
      // a fresh model per run: validation (resolveAll) has already shared what it expanded, as on every host
      const { model: m } = await validateMemory(FILES);
      for (const h of order) expect(resolveHost(m, h)).toStrictEqual(expected.get(h));
    }), { numRuns: 40 });
  });

  it('includes cycles are expanded per host, in that host\'s order, as without sharing', async () => {
    const { model } = await validateMemory(FILES);
    const names = (h: string, target: string) => resolveHost(model, h).host!.targets.find((t) => t.target === target)!.packages.map((p) => p.name);
    // h4 reaches cyc-a first, so there cyc-b lacks cyc-a's eta; alone, cyc-b includes cyc-a whole
    expect(names('h4', 'sandbox:py')).toContain('theta');
    expect(names('h8', 'sandbox:py')).toEqual(['epsilon', 'eta', 'theta']);
    // h9 reaches cyc-b first: there cyc-a (and so mid, above it) lacks cyc-b's theta
    expect(names('h9', 'system')).toEqual(['beta', 'epsilon', 'eta', 'zeta']);
    expect(names('h4', 'system')).toEqual(['beta', 'epsilon', 'eta', 'theta', 'zeta']);
    for (const h of ['h4', 'h8', 'h9']) expect(resolveHost(model, h)).toStrictEqual(alone(model, h));
  });

  it('shares the packages and sources of a baseline between hosts, frozen, and never hands out the model\'s own objects', async () => {
    const { model } = await validateMemory(FILES);
    const py = (h: string) => resolveHost(model, h).host!.targets.find((t) => t.target === 'sandbox:py')!;
    const [a, b] = [py('h1'), py('h7')];
    const alpha = a.packages.find((p) => p.name === 'alpha')!;
    expect(b.packages.find((p) => p.name === 'alpha')).toBe(alpha);
    for (const o of [alpha, alpha.origin, alpha.origin.path, a.sources, (a.sources as { pip: object }).pip, a.sourcesFrom, a.sourcesFrom!.pip, a.sourcesFrom!.pip!.indexUrl]) {
      expect(Object.isFrozen(o)).toBe(true);
    }
    expect(() => { (alpha as { spec: string }).spec = '9.9.9'; }).toThrow(TypeError);
    const own = model.baselines.get('tools')!.value.sources!.pip!;
    expect(Object.isFrozen(own)).toBe(false);
    expect((a.sources as { pip: object }).pip).not.toBe(own);
    // a host without sources shares one empty, frozen object
    const system = resolveHost(model, 'h1').host!.targets.find((t) => t.target === 'system')!;
    expect(system.sources).toEqual({});
    expect(Object.isFrozen(system.sources)).toBe(true);
    expect(system.sourcesFrom).toBeUndefined();
    expect('sourcesFrom' in system).toBe(false);
  });

  it.each<[string, string, (m: FleetModel) => void, (r: ReturnType<typeof resolveHost>) => unknown, unknown]>([
    ['a replaced baseline', 'h1', (m) => {
      const e = m.baselines.get('tools')!;
      m.baselines.set('tools', { ...e, value: { ...e.value, packages: { pip: { beta: '2.5.0' } } } });
    }, (r) => r.host!.targets[1]!.packages.find((p) => p.name === 'beta')?.spec, '2.5.0'],
    ['a replaced include', 'h3', (m) => {
      const e = m.baselines.get('wheels')!;
      m.baselines.set('wheels', { ...e, value: { ...e.value, packages: { pip: { gamma: '0.9.0' } } } });
    }, (r) => r.host!.targets[1]!.packages.find((p) => p.name === 'gamma')?.spec, '0.9.0'],
    ['a removed include', 'h3', (m) => { m.baselines.delete('wheels'); }, (r) => r.host!.targets[1]!.packages.some((p) => p.name === 'gamma'), false],
    ['replaced imported pins', 'h3', (m) => {
      const pins = m.imports.get('requirements/ml.txt')!;
      m.imports.set('requirements/ml.txt', { ...pins, pins: pins.pins.map((p) => ({ ...p, version: '0.0.1' })) });
    }, (r) => r.host!.targets[1]!.packages.find((p) => p.name === 'numpy')?.spec, '0.0.1'],
  ])('%s is expanded again after the model changed (host %s)', async (_what, name, change, read, want) => {
    const { model } = await validateMemory(FILES);
    expect(read(resolveHost(model, name))).not.toEqual(want);
    change(model);
    expect(read(resolveHost(model, name))).toEqual(want);
    expect(resolveHost(model, name)).toStrictEqual(alone(model, name));
  });
});
