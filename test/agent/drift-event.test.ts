// The `infrastructure.dependency.drift` event, for real (git, a venv, pip and wheels built here, the agent's loop):
// a package removed by hand says `actual: missing` and `lastSeen`, the version last seen in place; a package changed
// by hand says what it is now, and has no `lastSeen`.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { agentFixture, startCycling } from './helpers.js';
import type { RunningAgent } from '../../src/agent/loop.js';
import type { DependencyDriftPayload } from '../../src/events/types.js';
import { pip, pipEnv, writeWheels } from '../helpers/wheels.js';
import { installedIn } from '../propose/helpers.js';

const running: RunningAgent[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

/** Host h1 with a venv sandbox `py`: alpha and beta pinned, gamma `latest`, from the wheelhouse `wheels`. */
function fleet(mode: 'enforce' | 'report', wheels: string): Record<string, string> {
  return {
    'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nrollout: {waves: [{name: canary}]}\nprovider: {git: {}}\n',
    'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nwave: canary\nbaselines: [py]\npolicies: [p]\nsandboxes: {py: {template: venv}}\n',
    'sandboxes/venv.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: venv\ntype: {linux: venv}\npath: {linux: "{state}/sandboxes/{name}"}\n',
    'baselines/py.yaml': `apiVersion: gitfleet/v1\nkind: Baseline\nname: py\ntarget: sandbox:py\nsources: {pip: {findLinks: ["${wheels}"], noIndex: true}}\npackages:\n  pip:\n    alpha: "1.0.0"\n    beta: "1.0.0"\n    gamma: latest\n`,
    'policies/p.yaml': `apiVersion: gitfleet/v1\nkind: Policy\nname: p\ndrift: ${mode}\n`,
  };
}

describe('the drift event of a package removed by hand', () => {
  it.each([
    { mode: 'enforce' as const, after: { alpha: ['1.0.0'], beta: ['1.0.0'], gamma: ['1.1'] } },
    { mode: 'report' as const, after: { alpha: [], beta: ['1.0.1'], gamma: [] } },
  ])('$mode: carries lastSeen, the version last seen in place; a version changed by hand has none', async ({ mode, after }) => {
    const fx = await agentFixture();
    const wheels = join(fx.tmp, 'wheelhouse');
    await writeWheels(wheels, [{ name: 'alpha', version: '1.0.0' }, { name: 'beta', version: '1.0.0' }, { name: 'beta', version: '1.0.1' }, { name: 'gamma', version: '1.0' }]);
    const rev1 = await fx.repo.commit(fleet(mode, wheels));
    const base = fx.ctx();
    const ctx = { ...base, hostRun: { ...base.hostRun, env: { ...pipEnv(), PIP_FIND_LINKS: '' }, batchTimeoutMs: 120_000 } };
    // Every cycle is a drift (full) cycle.
    const { first, cycle } = await startCycling({ ...fx.options(), ctx, watch: false, driftIntervalMs: 1 }, running);
    expect(first).toMatchObject({ kind: 'full', result: 'ok', head: rev1, drift: 0 });
    const venv = join(fx.state(), 'sandboxes/py');
    fx.events.length = 0;

    // By hand: alpha and gamma uninstalled, beta upgraded; then gamma 1.1 is released, so `latest` now asks for it
    // while the version last seen in place is 1.0.
    await pip(venv, ['uninstall', '-q', '-y', 'alpha', 'gamma']);
    await pip(venv, ['install', '-q', '--no-index', '--find-links', wheels, 'beta==1.0.1']);
    await writeWheels(wheels, [{ name: 'gamma', version: '1.1' }]);
    expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', head: rev1, drift: 3 });

    const events = fx.events.filter((e) => e.topic === 'infrastructure.dependency.drift');
    expect(events.map((e) => e.revision)).toEqual([rev1, rev1, rev1]);
    const payloads = events.map((e) => e.payload as DependencyDriftPayload).sort((a, b) => a.name.localeCompare(b.name));
    expect(payloads).toEqual([
      { target: 'sandbox:py', manager: 'pip', name: 'alpha', desired: '1.0.0', actual: 'missing', lastSeen: '1.0.0', mode },
      { target: 'sandbox:py', manager: 'pip', name: 'beta', desired: '1.0.0', actual: '1.0.1', mode },
      { target: 'sandbox:py', manager: 'pip', name: 'gamma', desired: '1.1', actual: 'missing', lastSeen: '1.0', mode },
    ]);
    expect(payloads[1]).not.toHaveProperty('lastSeen');
    // The event names the drift; the mode decides what happens to it.
    expect({ alpha: await installedIn(venv, 'alpha'), beta: await installedIn(venv, 'beta'), gamma: await installedIn(venv, 'gamma') }).toEqual(after);
  }, 90_000);
});
