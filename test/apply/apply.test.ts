import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, rm, access } from 'node:fs/promises';
import { join } from 'node:path';
import { applyHost, planHost } from '../../src/apply/run.js';
import { acquireLock } from '../../src/apply/lock.js';
import { statePaths } from '../../src/util/state-dir.js';
import { execRunner, runChecked } from '../../src/util/exec.js';
import { GitfleetError, ValidationError } from '../../src/util/errors.js';
import { verifyAudit } from '../../src/events/audit.js';
import { pipEnv } from '../helpers/wheels.js';
import { applyFixture, type ApplyFixture } from './fixture.js';

let f: ApplyFixture;
const venv = () => join(f.state, 'sandboxes/py');

/** What really is in the venv, by pip itself (not gitfleet's reader). */
async function pipList(): Promise<Record<string, string>> {
  const res = await runChecked(execRunner, { file: join(venv(), 'bin/python'), args: ['-m', 'pip', 'list', '--format=json'], env: pipEnv() });
  const out: Record<string, string> = {};
  for (const p of JSON.parse(res.stdout) as { name: string; version: string }[]) if (!['pip', 'setuptools'].includes(p.name)) out[p.name] = p.version;
  return out;
}

async function bannerVersion(): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(join(f.state, 'sandboxes/node/lib/node_modules/banner/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

async function events(): Promise<string[]> {
  try {
    return (await readFile(statePaths(f.state).events, 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { topic: string }).topic);
  } catch {
    return [];
  }
}

beforeAll(async () => {
  f = await applyFixture();
}, 120_000);

afterAll(async () => {
  await rm(f.tmp, { recursive: true, force: true });
});

describe('apply, end to end with a real venv, npm prefix and git repository', () => {
  it('converges from empty: sandboxes made, packages installed, inventory and audit written', async () => {
    await f.repo.commit(f.files({ pip: { alpha: '1.0.0', beta: '2.0.0' }, npm: { banner: '1.0.0' } }));
    const out = await applyHost(f.options());
    expect(out.result?.status).toBe('applied');
    expect(await pipList()).toEqual({ alpha: '1.0.0', beta: '2.0.0' });
    expect(await bannerVersion()).toBe('1.0.0');
    const inv = JSON.parse(await readFile(statePaths(f.state).inventory, 'utf8'));
    expect(inv.packages['sandbox:py'].pip).toEqual({ alpha: '1.0.0', beta: '2.0.0' });
    expect(await events()).toEqual(expect.arrayContaining(['infrastructure.sandbox.created', 'infrastructure.update.completed']));
    expect((await verifyAudit(statePaths(f.state).audit)).ok).toBe(true);
  });

  it('a second run is a no-op', async () => {
    const p = await planHost(f.options());
    expect(p.plan.actions).toEqual([]);
    expect(p.plan.unchanged).toBe(3);
    expect((await applyHost(f.options())).result?.status).toBe('no-changes');
  });

  it('repairs drift: a package uninstalled and one changed by hand', async () => {
    await runChecked(execRunner, { file: join(venv(), 'bin/python'), args: ['-m', 'pip', 'uninstall', '-y', 'alpha'], env: pipEnv() });
    await runChecked(execRunner, { file: join(venv(), 'bin/python'), args: ['-m', 'pip', 'install', '--no-index', '--find-links', join(f.repo.work, 'artifacts/wheels'), 'beta==2.1.0'], env: pipEnv() });
    const p = await planHost(f.options());
    expect(p.plan.actions.map((a) => `${a.kind} ${a.name} ${a.reason}`)).toEqual(['downgrade beta drifted', 'install alpha drifted']);
    expect((await applyHost(f.options())).result?.status).toBe('applied');
    expect(await pipList()).toEqual({ alpha: '1.0.0', beta: '2.0.0' });
  });

  it('applies a version bump from a new commit', async () => {
    await f.repo.commit(f.files({ pip: { alpha: '1.1.0', beta: '2.0.0' }, npm: { banner: '1.1.0' } }));
    const out = await applyHost(f.options());
    expect(out.result?.changed.map((c) => `${c.name} ${c.from}>${c.to}`).sort()).toEqual(['alpha 1.0.0>1.1.0', 'banner 1.0.0>1.1.0']);
    expect(await pipList()).toEqual({ alpha: '1.1.0', beta: '2.0.0' });
    expect(await bannerVersion()).toBe('1.1.0');
  });

  it('removes a package dropped from desired only because gitfleet installed it', async () => {
    await runChecked(execRunner, { file: join(venv(), 'bin/python'), args: ['-m', 'pip', 'install', '--no-index', '--find-links', join(f.repo.work, 'artifacts/wheels'), 'stray==1.0'], env: pipEnv() });
    await f.repo.commit(f.files({ pip: { alpha: '1.1.0' }, npm: { banner: '1.1.0' } }));
    const p = await planHost(f.options());
    expect(p.plan.actions.map((a) => `${a.kind} ${a.name} ${a.reason}`)).toEqual(['remove beta removed-from-desired']);
    await applyHost(f.options());
    expect(await pipList()).toEqual({ alpha: '1.1.0', stray: '1.0' });
  });

  it('a failing batch rolls back every batch to exactly the previous versions and marks the revision bad', async () => {
    // npm (sandbox:node) goes first and succeeds; pip then fails on a version the wheelhouse does not have.
    const sha = await f.repo.commit(f.files({ pip: { alpha: '1.0.0', beta: '9.9.9' }, npm: { banner: '1.0.0' } }));
    const out = await applyHost(f.options());
    expect(out.result?.status).toBe('rolled-back');
    expect(out.result?.error?.stage).toBe('batch');
    expect(await pipList()).toEqual({ alpha: '1.1.0', stray: '1.0' });
    expect(await bannerVersion()).toBe('1.1.0');
    const bad = JSON.parse(await readFile(statePaths(f.state).badRevisions, 'utf8'));
    expect(Object.keys(bad)).toEqual([sha]);
    expect(await events()).toEqual(expect.arrayContaining(['infrastructure.update.failed', 'infrastructure.update.rolled_back']));
    await expect(access(statePaths(f.state).journal)).rejects.toThrow();
    // Not retried until a newer revision arrives.
    expect((await applyHost(f.options())).skipped).toBe('bad-revision');
  });

  it('a failing health check rolls back', async () => {
    const health = 'apiVersion: gitfleet/v1\nkind: Policy\nname: p\nhealthChecks:\n  - {name: alpha-is-1.0, command: [python, -c, "import alpha, sys; sys.exit(alpha.__version__ != \'1.1.0\')"], target: "sandbox:py", timeout: 20s}\n';
    await f.repo.commit(f.files({ pip: { alpha: '1.0.0' }, npm: { banner: '1.1.0' } }, { 'policies/p.yaml': health }));
    const out = await applyHost(f.options());
    expect(out.result?.status).toBe('rolled-back');
    expect(out.result?.error?.stage).toBe('health');
    expect(out.result?.health).toEqual([expect.objectContaining({ name: 'alpha-is-1.0', ok: false })]);
    expect(await pipList()).toEqual({ alpha: '1.1.0', stray: '1.0' });
    // The same checks pass once the desired state agrees with them.
    await f.repo.commit(f.files({ pip: { alpha: '1.1.0', beta: '2.1.0' }, npm: { banner: '1.1.0' } }, { 'policies/p.yaml': health }));
    const ok = await applyHost(f.options());
    expect(ok.result?.status).toBe('applied');
    expect(ok.result?.health.map((h) => h.ok)).toEqual([true]);
  });

  it('an invalid revision applies nothing and says where the problem is', async () => {
    const before = await pipList();
    await f.repo.commit({ 'baselines/py.yaml': 'apiVersion: gitfleet/v1\nkind: Baseline\nname: py\ntarget: sandbox:py\npackages:\n  pip:\n    alpha: "1.0.0"\n    alpha: "1.1.0"\n' });
    const err = await applyHost(f.options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).diagnostics[0]).toMatchObject({ code: 'yaml.duplicate-key', file: 'baselines/py.yaml', line: 8 });
    expect(await pipList()).toEqual(before);
    expect(await events()).toContain('infrastructure.config.invalid');
    // The checkout stays on the last good revision.
    await f.repo.commit(f.files({ pip: { alpha: '1.1.0', beta: '2.1.0' }, npm: { banner: '1.1.0' } }));
  });

  it('two applies at once: the second refuses clearly, or waits when asked', async () => {
    const lock = await acquireLock(statePaths(f.state).lock);
    const err = await applyHost(f.options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitfleetError);
    expect((err as GitfleetError).code).toBe('E_LOCKED');
    expect((err as GitfleetError).message).toContain(`pid ${process.pid}`);
    setTimeout(() => void lock.release(), 300);
    const waited = await applyHost(f.options({ lockWaitMs: 10_000 }));
    expect(waited.result?.status).toMatch(/applied|no-changes/);
  });

  it('a failing health check under `rollback: never` keeps the changes but is a failure, not "complete"', async () => {
    const never = 'apiVersion: gitfleet/v1\nkind: Policy\nname: p\nrollback: never\nhealthChecks:\n  - {name: always-fails, command: [python, -c, "import sys; sys.exit(3)"], target: "sandbox:py", timeout: 20s}\n';
    const sha = await f.repo.commit(f.files({ pip: { alpha: '1.0.0', beta: '2.1.0' }, npm: { banner: '1.1.0' } }, { 'policies/p.yaml': never }));
    const before = (await events()).length;
    const out = await applyHost(f.options());
    expect(out.result?.status).toBe('failed');
    expect(out.result?.error).toMatchObject({ code: 'E_HEALTH', stage: 'health' });
    expect(await pipList()).toEqual({ alpha: '1.0.0', beta: '2.1.0', stray: '1.0' });
    const topics = (await events()).slice(before);
    expect(topics).toContain('infrastructure.update.failed');
    expect(topics).not.toContain('infrastructure.update.completed');
    expect(Object.keys(JSON.parse(await readFile(statePaths(f.state).badRevisions, 'utf8')))).toContain(sha);
    await expect(access(statePaths(f.state).journal)).rejects.toThrow();
  });

  it('a sandbox dropped from desired is left on disk, reported once, and its packages forgotten', async () => {
    await f.repo.commit({ ...f.files({ pip: { alpha: '1.1.0', beta: '2.1.0' } }), 'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nbaselines: [py]\npolicies: [p]\nsandboxes: {py: {template: venv}}\n' });
    const first = await applyHost(f.options());
    expect(first.planned?.plan.warnings.map((w) => w.code)).toEqual(['sandbox.dropped']);
    expect(await bannerVersion()).toBe('1.1.0'); // still there: gitfleet does not delete sandboxes by itself
    const inv = JSON.parse(await readFile(statePaths(f.state).inventory, 'utf8'));
    expect(inv.packages['sandbox:node']).toBeUndefined();
    expect((await planHost(f.options())).plan.warnings).toEqual([]);
  });
});
