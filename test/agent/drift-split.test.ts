// A new revision under each drift mode, for real (git, a venv, pip and wheels built here): the host applied rev1,
// someone changed alpha by hand, rev2 changes beta. Only `enforce` puts alpha back; report and propose leave it,
// apply rev2's change, and keep reporting the drift (propose: a branch that adopts it).
import { afterEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Inventory } from '../../src/plan/types.js';
import { agentFixture, type AgentFixture, startCycling, statusOf } from './helpers.js';
import type { RunningAgent } from '../../src/agent/loop.js';
import { git } from '../helpers/git.js';
import { makeVenv, pip, pipEnv, writeWheels } from '../helpers/wheels.js';
import { installedIn } from '../propose/helpers.js';

const running: RunningAgent[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

type Mode = 'enforce' | 'report' | 'propose';

/** Host h1 with a venv sandbox `py`, pip packages from the repository's wheelhouse (or `wheels`), and the drift mode. */
function fleet(mode: Mode, pins: Record<string, string>, wheels = 'artifacts/wheels'): Record<string, string> {
  const packages = Object.entries(pins).map(([n, v]) => `    ${n}: "${v}"\n`).join('');
  return {
    'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nrollout: {waves: [{name: canary}]}\nprovider: {git: {}}\n',
    'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nwave: canary\nbaselines: [py]\npolicies: [p]\nsandboxes: {py: {template: venv}}\n',
    'sandboxes/venv.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: venv\ntype: {linux: venv}\npath: {linux: "{state}/sandboxes/{name}"}\n',
    'baselines/py.yaml': `apiVersion: gitfleet/v1\nkind: Baseline\nname: py\ntarget: sandbox:py\nsources: {pip: {findLinks: ["${wheels}"], noIndex: true}}\npackages:\n  pip:\n${packages}`,
    'policies/p.yaml': `apiVersion: gitfleet/v1\nkind: Policy\nname: p\ndrift: ${mode}\n`,
  };
}

async function start(fx: AgentFixture, driftIntervalMs = 3_600_000) {
  const base = fx.ctx();
  const ctx = { ...base, hostRun: { ...base.hostRun, env: { ...pipEnv(), PIP_FIND_LINKS: '' }, batchTimeoutMs: 120_000 } };
  // A long drift interval by default: the only full cycle after the first is the one a new revision starts.
  return startCycling({ ...fx.options(), ctx, watch: false, driftIntervalMs }, running);
}

async function drifts(fx: AgentFixture): Promise<string[]> {
  const out = await git(fx.tmp, ['ls-remote', fx.repo.remote, 'refs/heads/gitfleet/drift-*']);
  return out.split('\n').filter(Boolean).map((l) => l.split('\t')[1]!.replace('refs/heads/', ''));
}

describe('a new revision under a drift mode', () => {
  it.each([
    { mode: 'enforce' as const, alpha: '1.0.0', drift: 0 },
    { mode: 'report' as const, alpha: '1.0.1', drift: 1 },
    { mode: 'propose' as const, alpha: '1.0.1', drift: 1 },
  ])('$mode: applies the revision\'s change; alpha changed by hand ends at $alpha, drift $drift', async ({ mode, alpha, drift }) => {
    const fx = await agentFixture();
    await writeWheels(join(fx.repo.work, 'artifacts/wheels'), ['alpha', 'beta'].flatMap((name) => ['1.0.0', '1.0.1'].map((version) => ({ name, version }))));
    const rev1 = await fx.repo.commit(fleet(mode, { alpha: '1.0.0', beta: '1.0.0' }));
    const { first, cycle } = await start(fx);
    expect(first).toMatchObject({ result: 'ok', head: rev1 });
    const venv = join(fx.state(), 'sandboxes/py');
    expect([await installedIn(venv, 'alpha'), await installedIn(venv, 'beta')]).toEqual([['1.0.0'], ['1.0.0']]);

    // Someone upgrades alpha by hand; then a merged change bumps beta.
    await pip(venv, ['install', '-q', '--no-index', '--find-links', join(fx.repo.work, 'artifacts/wheels'), 'alpha==1.0.1']);
    const rev2 = await fx.repo.commit(fleet(mode, { alpha: '1.0.0', beta: '1.0.1' }));
    expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', head: rev2, drift });

    expect(await installedIn(venv, 'beta')).toEqual(['1.0.1']);
    expect(await installedIn(venv, 'alpha')).toEqual([alpha]);
    const s = await statusOf(fx.state());
    expect(s).toMatchObject({ health: 'healthy', drift, revision: { applied: rev2 } });
    const ready = s.conditions.find((c) => c.type === 'Ready');
    const completed = fx.events.filter((e) => e.topic === 'infrastructure.update.completed').at(-1);
    if (mode === 'enforce') {
      expect(completed?.payload).toMatchObject({ actions: 2 });
      expect(ready?.message).not.toContain('drifted');
      expect(await drifts(fx)).toEqual([]);
      return;
    }
    expect(completed?.payload).toMatchObject({ actions: 1, changed: [expect.objectContaining({ name: 'beta', from: '1.0.0', to: '1.0.1' })] });
    expect(ready?.message).toContain(`1 drifted package(s) left as they are (drift mode ${mode}: pip alpha)`);
    expect(fx.events.filter((e) => e.topic === 'infrastructure.dependency.drift').map((e) => e.payload)).toEqual([
      expect.objectContaining({ name: 'alpha', desired: '1.0.0', actual: '1.0.1', mode }),
    ]);
    const branches = await drifts(fx);
    if (mode === 'report') {
      expect(branches).toEqual([]);
      return;
    }
    // propose: the drift is proposed on top of rev2, adopting what the host has.
    expect(branches).toHaveLength(1);
    expect(await git(fx.repo.remote, ['rev-parse', `${branches[0]}^`])).toBe(rev2);
    expect(await git(fx.repo.remote, ['show', `${branches[0]}:hosts/h1.yaml`])).toContain('alpha: "1.0.1"');
    expect(ready?.message).toContain(`proposed as ${branches[0]} (created)`);
  }, 90_000);
});

// Drift needs evidence (the inventory): a package gitfleet never installed — `present` with no version to be found
// when the revision applied — is something the revision asks for, not a hand change to leave or propose away.
describe('a package gitfleet never installed, under a drift mode', () => {
  const wheelsOf = (fx: AgentFixture) => join(fx.tmp, 'wheelhouse');
  async function appliedWithoutGamma(fx: AgentFixture, mode: Mode, driftIntervalMs?: number) {
    await writeWheels(wheelsOf(fx), ['1.0.0', '1.0.1'].map((version) => ({ name: 'alpha', version })));
    const rev1 = await fx.repo.commit(fleet(mode, { alpha: '1.0.0', gamma: 'present' }, wheelsOf(fx)));
    const started = await start(fx, driftIntervalMs);
    expect(started.first).toMatchObject({ result: 'ok', head: rev1 });
    const venv = join(fx.state(), 'sandboxes/py');
    expect([await installedIn(venv, 'alpha'), await installedIn(venv, 'gamma')]).toEqual([['1.0.0'], []]);
    // Someone upgrades alpha by hand (drift); then gamma becomes available.
    await pip(venv, ['install', '-q', '--no-index', '--find-links', wheelsOf(fx), 'alpha==1.0.1']);
    await writeWheels(wheelsOf(fx), [{ name: 'gamma', version: '3.1' }]);
    return { ...started, rev1, venv };
  }

  it('report, the drift cycle on the applied revision: gamma is installed, alpha changed by hand stays', async () => {
    const fx = await agentFixture();
    const { cycle, rev1, venv } = await appliedWithoutGamma(fx, 'report', 1);
    expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', head: rev1, drift: 1 });
    expect([await installedIn(venv, 'alpha'), await installedIn(venv, 'gamma')]).toEqual([['1.0.1'], ['3.1']]);
    const s = await statusOf(fx.state());
    expect(s).toMatchObject({ health: 'healthy', drift: 1, revision: { applied: rev1 } });
    expect(s.conditions.find((c) => c.type === 'Ready')?.message).toContain('1 drifted package(s) left as they are (drift mode report: pip alpha)');
    expect(fx.events.filter((e) => e.topic === 'infrastructure.dependency.drift').map((e) => e.payload)).toEqual([
      expect.objectContaining({ name: 'alpha', desired: '1.0.0', actual: '1.0.1', mode: 'report' }),
    ]);
  }, 60_000);

  it('propose, a new revision: gamma is installed, and only alpha is proposed (never gamma as absent)', async () => {
    const fx = await agentFixture();
    const { cycle, venv } = await appliedWithoutGamma(fx, 'propose');
    const rev2 = await fx.repo.commit({ 'README.md': 'a change that is not h1\'s\n' });
    expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', head: rev2, drift: 1 });
    expect([await installedIn(venv, 'alpha'), await installedIn(venv, 'gamma')]).toEqual([['1.0.1'], ['3.1']]);
    const branches = await drifts(fx);
    expect(branches).toHaveLength(1);
    const hostFile = await git(fx.repo.remote, ['show', `${branches[0]}:hosts/h1.yaml`]);
    expect(hostFile).toContain('alpha: "1.0.1"');
    expect(hostFile).not.toContain('gamma');
  }, 60_000);
});

// The commonest drift: a host enrolled with a package already at its desired version. gitfleet never installs it (not
// in its inventory), but the apply records it as seen in place; changed by hand later, it is drift, not something a
// new revision asks for.
describe('a package in place before gitfleet came, under a drift mode', () => {
  it('report: a new revision changes beta; alpha, found in place and changed by hand, stays; drift 1', async () => {
    const fx = await agentFixture();
    const wheels = join(fx.repo.work, 'artifacts/wheels');
    await writeWheels(wheels, ['alpha', 'beta'].flatMap((name) => ['1.0.0', '1.0.1'].map((version) => ({ name, version }))));
    // The sandbox is there before the agent, alpha in it at the version rev1 will ask for.
    const venv = await makeVenv(join(fx.state(), 'sandboxes/py'), true);
    await pip(venv, ['install', '-q', '--no-index', '--find-links', wheels, 'alpha==1.0.0']);
    const rev1 = await fx.repo.commit(fleet('report', { alpha: '1.0.0', beta: '1.0.0' }));
    const { first, cycle } = await start(fx);
    expect(first).toMatchObject({ result: 'ok', head: rev1 });
    const inv = JSON.parse(await readFile(join(fx.state(), 'inventory.json'), 'utf8')) as Inventory;
    expect(inv.packages['sandbox:py']?.pip).toEqual({ beta: '1.0.0' }); // alpha is not gitfleet's
    expect(inv.satisfied?.packages['sandbox:py']?.pip).toEqual({ alpha: '1.0.0', beta: '1.0.0' });

    await pip(venv, ['install', '-q', '--no-index', '--find-links', wheels, 'alpha==1.0.1']);
    const rev2 = await fx.repo.commit(fleet('report', { alpha: '1.0.0', beta: '1.0.1' }));
    expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', head: rev2, drift: 1 });
    expect([await installedIn(venv, 'alpha'), await installedIn(venv, 'beta')]).toEqual([['1.0.1'], ['1.0.1']]);
    expect(await statusOf(fx.state())).toMatchObject({ health: 'healthy', drift: 1, revision: { applied: rev2 } });
    expect(fx.events.filter((e) => e.topic === 'infrastructure.dependency.drift').map((e) => e.payload)).toEqual([
      expect.objectContaining({ name: 'alpha', desired: '1.0.0', actual: '1.0.1', mode: 'report' }),
    ]);
    // The evidence survives the held repair, so the next revision holds it too.
    const after = JSON.parse(await readFile(join(fx.state(), 'inventory.json'), 'utf8')) as Inventory;
    expect(after.satisfied?.packages['sandbox:py']?.pip).toEqual({ alpha: '1.0.0', beta: '1.0.1' });
  }, 90_000);
});
