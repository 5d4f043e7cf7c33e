// Crash recovery follows the `rollback` policy the apply started with. The crash is simulated where a real one
// cannot be timed: a progress hook throws once the batch is marked running (the journal on disk is what a killed run
// leaves), and the part of the batch the killed pip had done is done by hand before recovery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyHost } from '../../src/apply/run.js';
import type { Progress } from '../../src/apply/apply.js';
import { statePaths } from '../../src/util/state-dir.js';
import { execRunner, type Command, type Runner } from '../../src/util/exec.js';
import type { ChangedPackage } from '../../src/events/types.js';
import { pip, pipListReference } from '../helpers/wheels.js';
import { applyFixture, type ApplyFixture } from './fixture.js';

let f: ApplyFixture;

const never = { 'policies/p.yaml': 'apiVersion: gitfleet/v1\nkind: Policy\nname: p\nrollback: never\n' };
const BASE = { pip: { alpha: '1.0.0', beta: '2.0.0' }, npm: { banner: '1.0.0' } };
const NEXT = { pip: { alpha: '1.1.0', beta: '2.1.0' }, npm: { banner: '1.1.0' } };
const gone = (path: string) => access(path).then(() => false, () => true);
const show = (c: ChangedPackage[]) => c.map((x) => `${x.target} ${x.name} ${x.from ?? '-'}>${x.to ?? '-'}`).sort();
const venv = () => join(f.state, 'sandboxes/py');
const banner = async () => (JSON.parse(await readFile(join(f.state, 'sandboxes/node/lib/node_modules/banner/package.json'), 'utf8')) as { version: string }).version;

interface Logged { topic: string; revision: string | null; payload: { stage?: string; reason?: string; message?: string; batch?: number; changed?: ChangedPackage[] } }
const events = async (revision: string) => (await readFile(statePaths(f.state).events, 'utf8')).trim().split('\n')
  .map((l) => JSON.parse(l) as Logged).filter((e) => e.revision === revision);
const audit = async () => (await readFile(statePaths(f.state).audit, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });

/** The real runner, remembering every command (recovery must run no install or uninstall under `never`). */
function recording(): Runner & { seen: Command[] } {
  const seen: Command[] = [];
  return { seen, run: (cmd) => { seen.push(cmd); return execRunner.run(cmd); } };
}
const mutating = (cmds: Command[]) => cmds.filter((c) => c.args.some((a) => a === 'install' || a === 'uninstall' || a === 'remove'));

/** Applies `pins`, but "crashes" when batch `at` (1-based; batch 1 is npm in sandbox:node, 2 is pip in sandbox:py) starts or, with `after`, once it is done. */
async function crash(at: number, opts: { after?: boolean } = {}): Promise<{ revision: string; journal: { status: string; rollback?: string; batches: { state: string }[] } }> {
  const crashed = new Error('simulated crash');
  const progress = (p: Progress) => { if (!opts.after && p.phase === 'batch-start' && p.index === at) throw crashed; };
  const afterBatch = opts.after ? (b: { index: number }) => { if (b.index + 1 === at) throw crashed; } : undefined;
  await expect(applyHost(f.options({ progress, ...(afterBatch ? { afterBatch } : {}) }))).rejects.toBe(crashed);
  const journal = JSON.parse(await readFile(statePaths(f.state).journal, 'utf8'));
  return { revision: journal.revision as string, journal };
}

/** What the killed pip had done of batch 2 before it died: alpha is in, beta is not. */
const halfOfThePipBatch = () => pip(venv(), ['install', '--no-index', '--find-links', join(f.repo.work, 'artifacts/wheels'), 'alpha==1.1.0']);

beforeAll(async () => {
  f = await applyFixture();
}, 120_000);

afterAll(async () => {
  await rm(f.tmp, { recursive: true, force: true });
});

describe('a crash during an apply under `rollback: never`', () => {
  it('is settled, not rolled back: the inventory records what is installed, the revision is marked bad, the failure reported', async () => {
    await f.repo.commit(f.files(BASE, never));
    expect((await applyHost(f.options())).result?.status).toBe('applied');
    await f.repo.commit(f.files(NEXT, never));
    const { revision, journal } = await crash(2);
    expect(journal).toMatchObject({ status: 'running', rollback: 'never' });
    expect(journal.batches.map((b) => b.state)).toEqual(['done', 'running']);
    await halfOfThePipBatch();

    const runner = recording();
    const out = await applyHost(f.options({ runner }));
    expect(out.recovered).toBe('kept');
    expect(out.skipped).toBe('bad-revision'); // not re-applied on top of the half-applied host
    expect(mutating(runner.seen).map((c) => [c.file, ...c.args].join(' '))).toEqual([]);
    const paths = statePaths(f.state);
    expect(await gone(paths.journal)).toBe(true);

    // Nothing was undone.
    expect(await pipListReference(venv())).toMatchObject({ alpha: '1.1.0', beta: '2.0.0' });
    expect(await banner()).toBe('1.1.0');
    const inv = JSON.parse(await readFile(paths.inventory, 'utf8'));
    expect(inv.packages['sandbox:py'].pip).toEqual({ alpha: '1.1.0', beta: '2.0.0' });
    expect(inv.packages['sandbox:node'].npm).toEqual({ banner: '1.1.0' });

    const bad = JSON.parse(await readFile(paths.badRevisions, 'utf8'));
    expect(bad[revision].reason).toMatch(/^the apply was interrupted during batch 2 of 2 \(sandbox:py pip\)/);
    const logged = await events(revision);
    expect(logged.filter((e) => e.topic === 'infrastructure.update.rolled_back')).toEqual([]);
    const failed = logged.filter((e) => e.topic === 'infrastructure.update.failed');
    expect(failed.map((e) => e.payload.stage)).toEqual(['recovery']);
    expect(failed[0]!.payload.batch).toBe(1);
    expect(show(failed[0]!.payload.changed ?? [])).toEqual(['sandbox:node banner 1.0.0>1.1.0', 'sandbox:py alpha 1.0.0>1.1.0']);
    const recovered = (await audit()).filter((e) => e.type === 'apply.recovered').at(-1);
    expect(recovered?.data).toMatchObject({ revision, interrupted: true, badRevision: true, kept: 2 });

    // The next plan starts from the truth: with --retry-bad only what is missing is left to do.
    const retried = await applyHost(f.options({ retryBad: true }));
    expect(retried.planned?.plan.actions.map((a) => `${a.kind} ${a.name} ${a.from ?? '-'}>${a.to ?? '-'}`)).toEqual(['upgrade beta 2.0.0>2.1.0']);
    expect(retried.result?.status).toBe('applied');
  });

  it('after its last batch (before health checks and inventory): settled, its (no) checks pass, the revision is not marked bad, nothing is left to do', async () => {
    await f.repo.commit(f.files(BASE, never));
    expect((await applyHost(f.options())).result?.status).toBe('applied');
    await f.repo.commit(f.files({ ...BASE, pip: { alpha: '1.0.0', beta: '2.1.0' } }, never));
    const { revision, journal } = await crash(1, { after: true }); // one batch: pip
    expect(journal.batches.map((b) => b.state)).toEqual(['done']);

    const out = await applyHost(f.options());
    expect(out.recovered).toBe('kept');
    expect(out.skipped).toBeUndefined();
    expect(out.result?.status).toBe('no-changes');
    expect(await pipListReference(venv())).toMatchObject({ alpha: '1.0.0', beta: '2.1.0' });
    expect(JSON.parse(await readFile(statePaths(f.state).inventory, 'utf8')).packages['sandbox:py'].pip).toEqual({ alpha: '1.0.0', beta: '2.1.0' });
    expect(JSON.parse(await readFile(statePaths(f.state).badRevisions, 'utf8'))).not.toHaveProperty([revision]);
    // Every batch was done and the policy's checks (none) pass: the apply completed; only its report died with the process.
    expect(out.recoveredHealth).toEqual([]);
    const logged = await events(revision);
    expect(logged.filter((e) => e.topic === 'infrastructure.update.failed')).toEqual([]);
    expect(logged.filter((e) => e.topic === 'infrastructure.update.completed').map((e) => show(e.payload.changed ?? []))).toEqual([['sandbox:py beta 2.0.0>2.1.0']]);
    expect((await audit()).filter((e) => e.type === 'apply.recovered').at(-1)?.data).toMatchObject({ revision, interrupted: true, badRevision: false, health: [] });
  });
});

describe('a crash during (or right before) the health checks under `rollback: never`: recovery runs them', () => {
  // The check records that it ran, and with which alpha (the kept one), in a marker file, then exits with `code`.
  const checked = (marker: string, code: number, rollback = 'never') => ({ 'policies/p.yaml': `apiVersion: gitfleet/v1\nkind: Policy\nname: p\nrollback: ${rollback}\nhealthChecks:\n  - {name: alpha-check, command: [python, -c, "import alpha, pathlib, sys; pathlib.Path(sys.argv[1]).write_text(alpha.__version__); sys.exit(int(sys.argv[2]))", "${marker}", "${code}"], target: "sandbox:py", timeout: 20s}\n` });
  const ALPHA_ONLY = { ...BASE, pip: { alpha: '1.1.0', beta: '2.0.0' } };
  const marker = () => join(f.tmp, `marker-${Math.random().toString(36).slice(2)}`);
  /** Applies BASE (no checks), then ALPHA_ONLY under `policy`, crashing at the health phase or right after the last batch. */
  async function crashBeforeChecks(policy: Record<string, string>, at: 'health' | 'after-last-batch') {
    await f.repo.commit(f.files(BASE, never));
    expect((await applyHost(f.options({ retryBad: true }))).result?.status).toMatch(/^(applied|no-changes)$/);
    await f.repo.commit(f.files(ALPHA_ONLY, policy));
    const crashed = new Error('simulated crash');
    const progress = (p: Progress) => { if (at === 'health' && p.phase === 'health') throw crashed; };
    const afterBatch = () => { if (at === 'after-last-batch') throw crashed; };
    await expect(applyHost(f.options({ progress, afterBatch }))).rejects.toBe(crashed);
    return JSON.parse(await readFile(statePaths(f.state).journal, 'utf8')) as { revision: string; status: string; stage?: string; healthChecks?: unknown[] };
  }

  it.each([
    ['during the checks, which pass', 'health', 0],
    ['during the checks, which fail', 'health', 3],
    ['after the last batch, before the checks, which fail', 'after-last-batch', 3],
  ] as const)('%s', async (_name, at, code) => {
    const m = marker();
    const journal = await crashBeforeChecks(checked(m, code), at);
    const { revision } = journal;
    expect(journal).toMatchObject({ status: 'running', healthChecks: [expect.objectContaining({ name: 'alpha-check' })] });
    expect(journal.stage).toBe(at === 'health' ? 'health' : undefined);
    expect(await gone(m)).toBe(true); // the crashed run never got to the checks

    const runner = recording();
    const out = await applyHost(f.options({ runner }));
    expect(out.recovered).toBe('kept');
    expect(mutating(runner.seen)).toEqual([]); // nothing undone
    expect(await readFile(m, 'utf8')).toBe('1.1.0'); // the check ran, against the kept packages
    expect(out.recoveredHealth).toEqual([expect.objectContaining({ name: 'alpha-check', ok: code === 0 })]);
    expect(await pipListReference(venv())).toMatchObject({ alpha: '1.1.0', beta: '2.0.0' });
    const paths = statePaths(f.state);
    expect(await gone(paths.journal)).toBe(true);
    const bad = JSON.parse(await readFile(paths.badRevisions, 'utf8').catch(() => '{}'));
    const logged = await events(revision);
    const topics = logged.map((e) => e.topic).filter((t) => t.startsWith('infrastructure.update.') || t === 'infrastructure.health.summary');
    const recovered = (await audit()).filter((e) => e.type === 'apply.recovered').at(-1);
    if (code === 0) {
      expect(out.result?.status).toBe('no-changes'); // healthy and complete: nothing left to do
      expect(bad).not.toHaveProperty([revision]);
      expect(topics).toEqual(['infrastructure.health.summary', 'infrastructure.update.completed']);
      expect(recovered?.data).toMatchObject({ revision, badRevision: false, health: [{ name: 'alpha-check', ok: true }] });
    } else {
      // As the apply itself would have ended: failed, the revision marked bad, not re-applied on top.
      expect(out.skipped).toBe('bad-revision');
      expect(bad[revision].reason).toMatch(/^health check failed: alpha-check \(exited with 3\) \(run on recovery: the apply was interrupted /);
      expect(topics).toEqual(['infrastructure.health.summary', 'infrastructure.update.failed']);
      expect(logged.find((e) => e.topic === 'infrastructure.update.failed')?.payload).toMatchObject({ stage: 'health', code: 'E_HEALTH' });
      expect(recovered?.data).toMatchObject({ revision, badRevision: true, health: [{ name: 'alpha-check', ok: false }] });
      expect(JSON.parse(await readFile(paths.applied, 'utf8'))).toMatchObject({ revision, status: 'failed' });
    }
  });

  it('under onFailedHealth the same crash is rolled back, as before: the checks do not run', async () => {
    const m = marker();
    const journal = await crashBeforeChecks(checked(m, 0, 'onFailedHealth'), 'health');
    expect(journal.stage).toBe('health');
    const out = await applyHost(f.options({}), { gate: () => false });
    expect(out.recovered).toBe('rolled-back');
    expect(out.recoveredHealth).toBeUndefined();
    expect(await gone(m)).toBe(true);
    expect(await pipListReference(venv())).toMatchObject({ alpha: '1.0.0', beta: '2.0.0' });
  });
});

describe('a crash under any other policy, or recorded before the policy was, is rolled back as before', () => {
  it.each([
    ['the default policy (onFailedHealth)', {}, 'onFailedHealth', false],
    ['a journal without the field (written before it existed), even though the policy now says never', never, 'never', true],
  ] as const)('%s', async (_name, extra, recorded, legacy) => {
    await f.repo.commit(f.files(BASE, extra));
    expect((await applyHost(f.options({ retryBad: true }))).result?.status).toMatch(/^(applied|no-changes)$/);
    await f.repo.commit(f.files(NEXT, extra));
    const { revision, journal } = await crash(2);
    expect(journal.rollback).toBe(recorded);
    const paths = statePaths(f.state);
    if (legacy) {
      delete journal.rollback;
      await writeFile(paths.journal, JSON.stringify(journal));
    }
    await halfOfThePipBatch();

    const out = await applyHost(f.options({}), { gate: () => false });
    expect(out.recovered).toBe('rolled-back');
    expect(out.skipped).toBe('gated');
    expect(await gone(paths.journal)).toBe(true);
    expect(await pipListReference(venv())).toMatchObject({ alpha: '1.0.0', beta: '2.0.0' });
    expect(await banner()).toBe('1.0.0');
    const logged = await events(revision);
    expect(logged.filter((e) => e.topic === 'infrastructure.update.rolled_back').map((e) => e.payload.reason)).toEqual(['recovered an interrupted apply']);
    expect(logged.filter((e) => e.topic === 'infrastructure.update.failed')).toEqual([]);
    // A rolled-back crash does not mark the revision bad (as before): the next run applies it whole.
    expect(JSON.parse(await readFile(paths.badRevisions, 'utf8').catch(() => '{}'))).not.toHaveProperty([revision]);
  });
});
