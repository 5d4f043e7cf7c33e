import { describe, expect, it } from 'vitest';
import { discoverUpdates } from '../../src/propose/discover.js';
import { renderBody, labelsFor } from '../../src/propose/body.js';
import type { AvailableVersion, ManagerAdapter } from '../../src/managers/types.js';
import { execRunner } from '../../src/util/exec.js';
import { validateMemory } from '../helpers/fleet.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();

/** Versions per package; every other adapter call fails the test. */
function adapterWith(versions: Record<string, AvailableVersion[] | Error>): () => ManagerAdapter {
  const fail = () => { throw new Error('unexpected adapter call'); };
  const a = {
    id: 'pip', os: ['linux'], listAvailable: async (name: string) => {
      const v = versions[name];
      if (v instanceof Error) throw v;
      if (!v) throw new Error(`no versions for ${name}`);
      return v;
    },
  };
  return () => new Proxy(a, { get: (t, k) => (k in t ? (t as Record<string | symbol, unknown>)[k] : k === 'then' ? undefined : fail) }) as unknown as ManagerAdapter;
}

function fleet(policy: string, pins = 'alpha: "1.0.0"\n    beta: "2.0.0"'): Record<string, string> {
  return {
    'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nrollout: {waves: [{name: canary, soak: 10m}, {name: broad}]}\n',
    'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nwave: canary\nbaselines: [b1]\npolicies: [p]\nsandboxes: {py: {template: venv}}\n',
    'hosts/h2.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h2\nos: linux\narch: x64\nwave: broad\nbaselines: [b1]\npolicies: [p]\nsandboxes: {py: {template: venv}}\n',
    'hosts/m1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: m1\nos: macos\narch: arm64\nbaselines: [b1]\npolicies: [p]\nsandboxes: {py: {template: venv}}\n',
    'sandboxes/venv.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: venv\ntype: {linux: venv, macos: venv}\npath: {linux: "/opt/gitfleet/{name}", macos: "/opt/gitfleet/{name}"}\n',
    'baselines/b1.yaml': `apiVersion: gitfleet/v1\nkind: Baseline\nname: b1\ntarget: sandbox:py\npackages:\n  pip:\n    ${pins}\n`,
    'policies/p.yaml': `apiVersion: gitfleet/v1\nkind: Policy\nname: p\n${policy}`,
  };
}

const V = (version: string, age?: number): AvailableVersion => (age === undefined ? { version } : { version, releasedAt: daysAgo(age) });
const ALPHA = [V('1.0.0', 100), V('1.0.1', 10), V('1.0.2', 1), V('1.1.0', 20), V('2.0.0', 30), V('2.1.0rc1', 5)];
const BETA = [V('2.0.0'), V('2.0.1')];

async function discover(policy: string, versions: Record<string, AvailableVersion[] | Error> = { alpha: ALPHA, beta: BETA }) {
  const v = await validateMemory(fleet(policy));
  expect(v.diagnostics).toEqual([]);
  return discoverUpdates(v.model, { adapter: adapterWith(versions), ctx: { runner: execRunner }, fleetDir: '/nonexistent', now: NOW });
}

const summary = (r: Awaited<ReturnType<typeof discover>>) => r.groups.map((g) => `${g.branch}: ${g.candidates.map((c) => `${c.name} ${c.from}->${c.to}`).join(', ')}`);

describe('discoverUpdates', () => {
  it.each<[string, string, string[]]>([
    ['no policy: one non-major per package (its newest), majors alone, prereleases skipped', '', [
      'gitfleet/b1-patch: beta 2.0.0->2.0.1', 'gitfleet/b1-minor: alpha 1.0.0->1.1.0', 'gitfleet/b1-major-alpha: alpha 1.0.0->2.0.0',
    ]],
    ['allowed types', 'updates: {allow: [patch]}\n', ['gitfleet/b1-patch: alpha 1.0.0->1.0.2, beta 2.0.0->2.0.1']],
    ['minimum release age: too young waits, no date never passes', 'updates: {minimumReleaseAge: 3d}\n', [
      'gitfleet/b1-minor: alpha 1.0.0->1.1.0', 'gitfleet/b1-major-alpha: alpha 1.0.0->2.0.0',
    ]],
    ['minimum release age, patch only: the newest old-enough patch', 'updates: {minimumReleaseAge: 3d, allow: [patch]}\n', ['gitfleet/b1-patch: alpha 1.0.0->1.0.1']],
    ['only patch and minor allowed: still one non-major per package', 'updates: {allow: [patch, minor]}\n', [
      'gitfleet/b1-patch: beta 2.0.0->2.0.1', 'gitfleet/b1-minor: alpha 1.0.0->1.1.0',
    ]],
    ['ignore by glob and by manager:name', 'updates: {ignore: ["al*"]}\n', ['gitfleet/b1-patch: beta 2.0.0->2.0.1']],
    ['ignore manager:name', 'updates: {ignore: ["pip:beta"], allow: [patch]}\n', ['gitfleet/b1-patch: alpha 1.0.0->1.0.2']],
    ['prereleases when asked', 'updates: {prerelease: true, allow: [major]}\n', ['gitfleet/b1-major-alpha: alpha 1.0.0->2.1.0rc1']],
    ['policy groups take the newest non-major per package; majors stay alone', 'updates: {groups: [{name: py-libs, match: ["*"]}]}\n', [
      'gitfleet/py-libs: alpha 1.0.0->1.1.0, beta 2.0.0->2.0.1', 'gitfleet/b1-major-alpha: alpha 1.0.0->2.0.0',
    ]],
    ['a schedule that is closed now proposes nothing', 'updates: {schedule: ["0 3 * * *"]}\n', []],
    ['a schedule that is open now', 'updates: {schedule: ["0 12 * * *"], allow: [minor]}\n', ['gitfleet/b1-minor: alpha 1.0.0->1.1.0']],
  ])('%s', async (_name, policy, expected) => {
    expect(summary(await discover(policy))).toEqual(expected);
  });

  it('never puts one pin in two non-major proposals (Renovate\'s separateMinorPatch: false), whatever versions exist', async () => {
    const versions = ['1.0.1', '1.0.7', '1.2.0', '1.3.5', '1.3.9', '2.0.0', '3.1.0'];
    for (let i = 0; i < 2 ** versions.length; i++) {
      const offered = [V('1.0.0', 100), ...versions.filter((_, b) => i & (1 << b)).map((v) => V(v, 50))];
      const r = await discover('', { alpha: offered, beta: BETA });
      const nonMajor = r.groups.filter((g) => g.type !== 'major').flatMap((g) => g.candidates.filter((c) => c.name === 'alpha'));
      const newest = offered.map((v) => v.version).filter((v) => v.startsWith('1.') && v !== '1.0.0').pop();
      expect(nonMajor.map((c) => c.to)).toEqual(newest ? [newest] : []);
    }
  });

  it('a failed look-up is data: the other packages are still proposed', async () => {
    const r = await discover('updates: {allow: [patch]}\n', { alpha: new Error('index down'), beta: BETA });
    expect(summary(r)).toEqual(['gitfleet/b1-patch: beta 2.0.0->2.0.1']);
    expect(r.skipped).toEqual([{ manager: 'pip', name: 'alpha', baseline: 'b1', lookupFailed: true, reason: 'look-up failed: index down' }]);
  });

  it('says why a newer version waits', async () => {
    const r = await discover('updates: {minimumReleaseAge: 3d, allow: [patch]}\n');
    expect(r.skipped).toContainEqual({ manager: 'pip', name: 'alpha', baseline: 'b1', version: '1.0.2', reason: expect.stringMatching(/minimumReleaseAge/) });
  });
});

describe('a private index whose credentials only hosts hold', () => {
  it('is not queried anonymously: each pin is skipped with a reason naming the secret', async () => {
    const files = fleet('updates: {allow: [patch, minor, major]}\n');
    files['baselines/b1.yaml'] = files['baselines/b1.yaml']!.replace('target: sandbox:py\n', 'target: sandbox:py\nsources: {pip: {indexUrl: "https://pkgs.example.com/simple/", credentials: {secret: IDX_TOKEN}}}\n');
    const v = await validateMemory(files);
    // The fleet has no secrets/<host>.yaml: validation says so, and discovery still works from the model.
    expect(v.diagnostics.map((d) => d.code)).toEqual(['ref.secret']);
    // The adapter would answer: a candidate would show that it was asked.
    const r = await discoverUpdates(v.model, { adapter: adapterWith({ alpha: ALPHA, beta: BETA }), ctx: { runner: execRunner }, fleetDir: '/x', now: NOW });
    expect(r.groups).toEqual([]);
    expect(r.skipped.map((s) => [s.name, s.lookupFailed, s.reason])).toEqual(['alpha', 'beta'].map((n) => [n, true,
      expect.stringMatching(/^look-up failed: the pip index https:\/\/pkgs\.example\.com\/simple\/ \(baseline b1, sources\.pip\.credentials\) needs secret "IDX_TOKEN", which only the hosts' secret stores hold: it could not be queried here without credentials$/)]));
  });
});

describe('the PR body', () => {
  it('matches the reviewed snapshot', async () => {
    const v = await validateMemory(fleet('updates: {autoMerge: [patch]}\nmaintenance: [{cron: "0 2 * * *", duration: 3h, timezone: Europe/Berlin}]\n'));
    // without alpha's minor, alpha's newest non-major is its patch: two packages in the patch proposal
    const alpha = ALPHA.filter((v) => v.version !== '1.1.0');
    const r = await discoverUpdates(v.model, { adapter: adapterWith({ alpha, beta: BETA }), ctx: { runner: execRunner }, fleetDir: '/x', now: NOW });
    const patch = r.groups[0]!;
    expect(labelsFor(patch)).toEqual(['gitfleet', 'update:patch']);
    await expect(renderBody(v.model, patch, { now: NOW, autoMerge: true })).toMatchFileSnapshot('../fixtures/propose/body-patch.md');
    await expect(renderBody(v.model, r.groups.find((g) => g.type === 'major')!, { now: NOW, autoMerge: false })).toMatchFileSnapshot('../fixtures/propose/body-major.md');
  });
});
