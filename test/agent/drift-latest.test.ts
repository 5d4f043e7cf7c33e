// A `latest` package under each drift mode, for real (git, a venv, pip and wheels built here, the agent's loop).
// `latest` asks for the newest release the source offers: a newer release is what the merged fleet asks for, not
// drift, so it applies under every mode — at the drift cycles of the applied revision as with a new revision, and
// through the maintenance window as any change. A `latest` package downgraded or removed by hand is drift:
// enforce puts it back, report leaves it and reports it, propose leaves it and proposes adopting it.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { agentFixture, type AgentFixture, startCycling, statusOf } from './helpers.js';
import type { RunningAgent } from '../../src/agent/loop.js';
import { git } from '../helpers/git.js';
import { pip, pipEnv, writeWheels } from '../helpers/wheels.js';
import { installedIn } from '../propose/helpers.js';

const running: RunningAgent[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

type Mode = 'enforce' | 'report' | 'propose';

/** Host h1 with a venv sandbox `py`: alpha pinned, gamma `latest`, both from the wheelhouse `wheels` (outside the repository). */
function fleet(mode: Mode, wheels: string, maintenance = ''): Record<string, string> {
  return {
    'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nrollout: {waves: [{name: canary}]}\nprovider: {git: {}}\n',
    'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nwave: canary\nbaselines: [py]\npolicies: [p]\nsandboxes: {py: {template: venv}}\n',
    'sandboxes/venv.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: venv\ntype: {linux: venv}\npath: {linux: "{state}/sandboxes/{name}"}\n',
    'baselines/py.yaml': `apiVersion: gitfleet/v1\nkind: Baseline\nname: py\ntarget: sandbox:py\nsources: {pip: {findLinks: ["${wheels}"], noIndex: true}}\npackages:\n  pip:\n    alpha: "1.0.0"\n    gamma: latest\n`,
    'policies/p.yaml': `apiVersion: gitfleet/v1\nkind: Policy\nname: p\ndrift: ${mode}\n${maintenance}`,
  };
}

/** Applies rev1 with gamma at the newest of `gammas`; `driftIntervalMs` 1: every cycle is a drift (full) cycle. */
async function applied(fx: AgentFixture, mode: Mode, gammas: string[], opts: { driftIntervalMs: number; maintenance?: string; now?: () => Date }) {
  const wheels = join(fx.tmp, 'wheelhouse');
  await writeWheels(wheels, [{ name: 'alpha', version: '1.0.0' }, ...gammas.map((version) => ({ name: 'gamma', version }))]);
  const rev1 = await fx.repo.commit(fleet(mode, wheels, opts.maintenance));
  const base = fx.ctx(opts.now ? { now: opts.now } : {});
  const ctx = { ...base, hostRun: { ...base.hostRun, env: { ...pipEnv(), PIP_FIND_LINKS: '' }, batchTimeoutMs: 120_000 } };
  const started = await startCycling({ ...fx.options(), ctx, watch: false, driftIntervalMs: opts.driftIntervalMs }, running);
  expect(started.first).toMatchObject({ kind: 'full', result: 'ok', head: rev1, drift: 0 });
  const venv = join(fx.state(), 'sandboxes/py');
  expect(await installedIn(venv, 'gamma')).toEqual([gammas.at(-1)]);
  const publish = (version: string) => writeWheels(wheels, [{ name: 'gamma', version }]);
  return { ...started, rev1, venv, wheels, publish };
}

/** The drift events since the last call (and forgets them). */
function driftEvents(fx: AgentFixture) {
  const out = fx.events.filter((e) => e.topic === 'infrastructure.dependency.drift').map((e) => e.payload);
  fx.events.length = 0;
  return out;
}

async function drifts(fx: AgentFixture): Promise<string[]> {
  const out = await git(fx.tmp, ['ls-remote', fx.repo.remote, 'refs/heads/gitfleet/drift-*']);
  return out.split('\n').filter(Boolean).map((l) => l.split('\t')[1]!.replace('refs/heads/', ''));
}

describe('a newer release of a `latest` package', () => {
  it.each(['enforce', 'report', 'propose'] as const)('%s: applies at the drift cycle of the applied revision and with a new revision, never as drift', async (mode) => {
    const fx = await agentFixture();
    const { cycle, rev1, venv, publish } = await applied(fx, mode, ['1.0'], { driftIntervalMs: 1 });
    driftEvents(fx);

    // (a) a newer release, the revision unchanged: the drift cycle upgrades it.
    await publish('1.1');
    expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', head: rev1, drift: 0 });
    expect(await installedIn(venv, 'gamma')).toEqual(['1.1']);
    expect(await installedIn(venv, 'alpha')).toEqual(['1.0.0']);
    expect(driftEvents(fx)).toEqual([]);
    const s = await statusOf(fx.state());
    expect(s).toMatchObject({ health: 'healthy', drift: 0, revision: { applied: rev1 } });
    expect(s.conditions.find((c) => c.type === 'Applied')).toMatchObject({ status: 'True', reason: 'Applied' });

    // (b) another newer release, then a revision that does not touch h1's packages: upgraded with it.
    await publish('1.2');
    const rev2 = await fx.repo.commit({ 'README.md': 'a change that is not h1\'s\n' });
    expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', head: rev2, drift: 0 });
    expect(await installedIn(venv, 'gamma')).toEqual(['1.2']);
    expect(driftEvents(fx)).toEqual([]);
    expect(await statusOf(fx.state())).toMatchObject({ health: 'healthy', drift: 0, revision: { applied: rev2 } });
    expect(await drifts(fx)).toEqual([]);
  }, 60_000);

  it('report: waits for the drift interval when the head has not moved, as any drift check does', async () => {
    const fx = await agentFixture();
    const { cycle, rev1, venv, publish } = await applied(fx, 'report', ['1.0'], { driftIntervalMs: 3_600_000 });
    await publish('1.1');
    fx.runner.reset();
    expect(await cycle()).toMatchObject({ kind: 'noop', result: 'noop', head: rev1 });
    expect(fx.runner.gitVerbs()).toEqual(['ls-remote']);
    expect(await installedIn(venv, 'gamma')).toEqual(['1.0']);
  }, 60_000);

  it('report: outside the maintenance window it waits (pending), and applies when the window opens', async () => {
    const fx = await agentFixture();
    // The window is 02:00-03:00 UTC; the agent's clock decides.
    let clock = Date.parse('2024-05-01T02:30:00.000Z');
    const { cycle, rev1, venv, publish } = await applied(fx, 'report', ['1.0'], {
      driftIntervalMs: 1, maintenance: 'maintenance: [{cron: "0 2 * * *", duration: 1h, timezone: UTC}]\n', now: () => new Date(clock),
    });
    await publish('1.1');
    clock = Date.parse('2024-05-01T05:00:00.000Z');
    expect(await cycle()).toMatchObject({ kind: 'full', result: 'gated', head: rev1 });
    expect(await installedIn(venv, 'gamma')).toEqual(['1.0']);
    const s = await statusOf(fx.state());
    expect(s).toMatchObject({ health: 'pending', revision: { applied: rev1 } });
    expect(s.conditions.find((c) => c.type === 'InWindow')).toMatchObject({ status: 'False', reason: 'OutsideMaintenanceWindow' });

    clock = Date.parse('2024-05-02T02:10:00.000Z');
    expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', head: rev1, drift: 0 });
    expect(await installedIn(venv, 'gamma')).toEqual(['1.1']);
    expect(await statusOf(fx.state())).toMatchObject({ health: 'healthy', drift: 0 });
  }, 60_000);
});

describe('a `latest` package changed by hand', () => {
  it.each([
    { mode: 'enforce' as const, left: false },
    { mode: 'report' as const, left: true },
    { mode: 'propose' as const, left: true },
  ])('$mode: downgraded, then removed, is drift (left as it is: $left), on the drift cycle and with a new revision', async ({ mode, left }) => {
    const fx = await agentFixture();
    const { cycle, rev1, venv, wheels, publish } = await applied(fx, mode, ['1.0', '1.1'], { driftIntervalMs: 1 });
    driftEvents(fx);

    // Downgraded by hand, and a newer release is out: upgrading it would undo the hand change.
    await pip(venv, ['install', '-q', '--no-index', '--find-links', wheels, 'gamma==1.0']);
    await publish('1.2');
    expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', head: rev1, drift: 1 });
    expect(driftEvents(fx)).toEqual([expect.objectContaining({ name: 'gamma', desired: '1.2', actual: '1.0', mode })]);
    expect(await installedIn(venv, 'gamma')).toEqual([left ? '1.0' : '1.2']);
    let s = await statusOf(fx.state());
    expect(s).toMatchObject({ health: 'healthy', drift: left ? 1 : 0 });
    expect(s.conditions.find((c) => c.type === 'Applied')).toMatchObject(left
      ? { status: 'False', reason: mode === 'report' ? 'DriftDetected' : 'ProposeDrift' }
      : { status: 'True', reason: 'Applied' });
    let proposed: string | undefined;
    if (mode === 'propose') {
      const [branch, ...more] = await drifts(fx);
      proposed = branch;
      expect(more).toEqual([]);
      expect(await git(fx.repo.remote, ['show', `${branch}:baselines/py.yaml`, `${branch}:hosts/h1.yaml`])).toMatch(/gamma: "?1\.0"?/);
    } else expect(await drifts(fx)).toEqual([]);

    // A new revision that does not touch h1's packages: the hand change stays under report and propose.
    const rev2 = await fx.repo.commit({ 'README.md': 'a change that is not h1\'s\n' });
    expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', head: rev2, drift: left ? 1 : 0 });
    expect(await installedIn(venv, 'gamma')).toEqual([left ? '1.0' : '1.2']);
    expect(driftEvents(fx)).toEqual(left ? [expect.objectContaining({ name: 'gamma', desired: '1.2', actual: '1.0', mode })] : []);
    s = await statusOf(fx.state());
    expect(s).toMatchObject({ health: 'healthy', drift: left ? 1 : 0, revision: { applied: rev2 } });
    if (left) expect(s.conditions.find((c) => c.type === 'Ready')?.message).toContain(`1 drifted package(s) left as they are (drift mode ${mode}: pip gamma)`);

    // Removed by hand.
    await pip(venv, ['uninstall', '-q', '-y', 'gamma']);
    expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', head: rev2, drift: 1 });
    expect(driftEvents(fx)).toEqual([expect.objectContaining({ name: 'gamma', desired: '1.2', actual: 'missing', mode })]);
    expect(await installedIn(venv, 'gamma')).toEqual(left ? [] : ['1.2']);
    expect(await statusOf(fx.state())).toMatchObject({ health: 'healthy', drift: left ? 1 : 0 });
    if (mode === 'propose') {
      // the drift changed: its new proposal stands alone, the one adopting gamma 1.0 (no longer there) was closed
      const [branch, ...more] = await drifts(fx);
      expect(more).toEqual([]);
      expect(branch).not.toBe(proposed);
      expect(await git(fx.repo.remote, ['show', `${branch}:hosts/h1.yaml`])).toMatch(/gamma: "?absent"?/);
      expect((await statusOf(fx.state())).conditions.find((c) => c.type === 'Applied')?.message).toContain(`closed ${proposed} (superseded)`);
      // Put back by hand as desired: no drift left, and the proposal adopting the removal is closed as obsolete.
      await pip(venv, ['install', '-q', '--no-index', '--find-links', wheels, 'gamma==1.2']);
      expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', head: rev2, drift: 0 });
      expect(await drifts(fx)).toEqual([]);
    }
  }, 90_000);
});
