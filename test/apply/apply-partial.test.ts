import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync } from 'node:fs';
import { access, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { applyHost, planHost } from '../../src/apply/run.js';
import { applyPlan } from '../../src/apply/apply.js';
import { EventBus } from '../../src/events/bus.js';
import { AuditLog } from '../../src/events/audit.js';
import { statePaths } from '../../src/util/state-dir.js';
import type { AnyEvent, ChangedPackage } from '../../src/events/types.js';
import { pipListReference } from '../helpers/wheels.js';
import { addBrokenWheel, applyFixture, type ApplyFixture } from './fixture.js';

let f: ApplyFixture;

const never = 'apiVersion: gitfleet/v1\nkind: Policy\nname: p\nrollback: never\n';
const gone = (path: string) => access(path).then(() => false, () => true);
const show = (c: ChangedPackage[]) => c.map((x) => `${x.target} ${x.name} ${x.from ?? '-'}>${x.to ?? '-'}`).sort();

beforeAll(async () => {
  f = await applyFixture();
  await addBrokenWheel(f);
}, 120_000);

afterAll(async () => {
  await rm(f.tmp, { recursive: true, force: true });
});

describe('a failed batch under `rollback: never` records what is really installed', () => {
  it('re-lists the target: the inventory, result, event and applied state name the packages changed before the failure', async () => {
    await f.repo.commit(f.files({ pip: { alpha: '1.0.0', beta: '2.0.0' }, npm: { banner: '1.0.0' } }, { 'policies/p.yaml': never }));
    expect((await applyHost(f.options())).result?.status).toBe('applied');

    // One pip batch: uninstall beta (dropped), then install alpha 1.1.0 (goes in) and broken 1.0 (fails).
    await f.repo.commit(f.files({ pip: { alpha: '1.1.0', broken: '1.0' }, npm: { banner: '1.1.0' } }, { 'policies/p.yaml': never }));
    const out = await applyHost(f.options());
    expect(out.result?.status).toBe('failed');
    expect(out.result?.error?.stage).toBe('batch');
    const venv = join(f.state, 'sandboxes/py');
    const truth = await pipListReference(venv);
    expect(truth).toMatchObject({ alpha: '1.1.0' });
    expect(truth).not.toHaveProperty('beta');
    expect(truth).not.toHaveProperty('broken');

    const want = ['sandbox:node banner 1.0.0>1.1.0', 'sandbox:py alpha 1.0.0>1.1.0', 'sandbox:py beta 2.0.0>-'];
    expect(show(out.result!.changed)).toEqual(want);

    const paths = statePaths(f.state);
    const inv = JSON.parse(await readFile(paths.inventory, 'utf8'));
    expect(inv.packages['sandbox:py'].pip).toEqual({ alpha: '1.1.0' });
    expect(inv.packages['sandbox:node'].npm).toEqual({ banner: '1.1.0' });

    const failed = (await readFile(paths.events, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { topic: string; payload: { changed?: ChangedPackage[] } })
      .filter((e) => e.topic === 'infrastructure.update.failed');
    expect(failed).toHaveLength(1);
    expect(show(failed[0]!.payload.changed ?? [])).toEqual(want);

    const applied = JSON.parse(await readFile(paths.applied, 'utf8'));
    expect(applied.status).toBe('failed');
    expect(show(applied.changed)).toEqual(want);

    // The next plan starts from the truth: only the package that failed is left to do.
    const next = await planHost(f.options());
    expect(next.plan.actions.map((a) => `${a.kind} ${a.name} ${a.from ?? '-'}>${a.to ?? '-'}`)).toEqual(['install broken ->1.0']);
    expect(next.inventory.packages['sandbox:py']?.pip).toEqual({ alpha: '1.1.0' });
  });

  it('a read-back that throws still reports the failure, records it and clears the journal (no exception, no recovery rollback)', async () => {
    // State from the test above: alpha 1.1.0, banner 1.1.0. One npm batch (done), one pip batch (fails on broken).
    await f.repo.commit(f.files({ pip: { alpha: '1.0.0', broken: '1.0' }, npm: { banner: '1.0.0' } }, { 'policies/p.yaml': never }));
    const planned = await planHost(f.options());
    const paths = statePaths(f.state);
    const seen: AnyEvent[] = [];
    const bus = new EventBus({ host: 'h1', sinks: [{ name: 'seen', write: (e) => { seen.push(e); } }], log: pino({ level: 'silent' }) });
    const audit = await AuditLog.open(paths.audit);
    // Fault injection: the adapter registry fails from the moment the batch failed, i.e. during the read-back.
    let readingBack = false;
    const manager: typeof planned.deps.manager = (id) => {
      if (readingBack) throw new Error('registry broke during the read-back');
      return planned.deps.manager(id);
    };
    let result;
    try {
      result = await applyPlan(planned.desired, planned.plan, {
        deps: { ...planned.deps, manager }, paths, bus, audit, inventory: planned.inventory, now: () => new Date(),
        progress: (p) => { if (p.phase === 'batch-failed') readingBack = true; },
      });
    } finally {
      await bus.close();
      await audit.close();
    }
    expect(readingBack).toBe(true);
    expect(result.status).toBe('failed');
    expect(result.changed).toEqual([]);
    expect(result.unobserved).toEqual([
      expect.stringMatching(/^sandbox:node npm: read-back failed: registry broke/),
      expect.stringMatching(/^sandbox:py pip: read-back failed: registry broke/),
    ]);
    const failed = seen.filter((e) => e.topic === 'infrastructure.update.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.payload).toMatchObject({ stage: 'batch', changed: [], unobserved: result.unobserved });
    expect(await gone(paths.journal)).toBe(true);
    // Nothing could be read back: the inventory is left as it was, not guessed.
    expect(JSON.parse(await readFile(paths.inventory, 'utf8'))).toEqual(planned.inventory);

    // The next run finds no journal to recover (nothing to roll back): what the failed apply did stays.
    expect((await applyHost(f.options())).recovered).toBeUndefined();
  });

  it('a run that stops while recording a kept failure leaves a `kept` journal, which recovery records and never rolls back', async () => {
    await f.repo.commit(f.files({ pip: { alpha: '1.1.0', broken: '1.0' }, npm: { banner: '1.1.0' } }, { 'policies/p.yaml': never }));
    const paths = statePaths(f.state);
    const before = await readFile(paths.inventory, 'utf8');
    // The inventory cannot be written once the batch has failed (a directory stands in its place).
    const breakInventory = () => { rmSync(paths.inventory, { force: true }); mkdirSync(paths.inventory); };
    let failedBatch = false;
    await expect(applyHost(f.options({ progress: (p) => { if (p.phase === 'batch-failed') { failedBatch = true; breakInventory(); } } }))).rejects.toThrow();
    expect(failedBatch).toBe(true);
    const journal = JSON.parse(await readFile(paths.journal, 'utf8'));
    expect(journal.status).toBe('kept');
    expect(journal.batches.map((b: { state: string }) => b.state)).toEqual(['done', 'failed']);
    const events = async () => (await readFile(paths.events, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { topic: string; revision: string | null; payload: { stage?: string } })
      .filter((e) => e.topic === 'infrastructure.update.failed' && e.revision === journal.revision);
    expect((await events()).map((e) => e.payload.stage)).toEqual(['batch']); // reported before the write failed
    const venv = join(f.state, 'sandboxes/py');
    expect(await pipListReference(venv)).toMatchObject({ alpha: '1.1.0' });

    // The old inventory is back in place; the next run settles the kept journal.
    await rm(paths.inventory, { recursive: true });
    await writeFile(paths.inventory, before);
    const out = await applyHost(f.options());
    expect(out.recovered).toBe('kept');
    expect(out.skipped).toBe('bad-revision');
    expect(await gone(paths.journal)).toBe(true);
    expect(await pipListReference(venv)).toMatchObject({ alpha: '1.1.0' }); // not rolled back
    expect(JSON.parse(await readFile(join(f.state, 'sandboxes/node/lib/node_modules/banner/package.json'), 'utf8')).version).toBe('1.1.0');
    const inv = JSON.parse(await readFile(paths.inventory, 'utf8'));
    expect(inv.packages['sandbox:py'].pip.alpha).toBe('1.1.0');
    expect(inv.packages['sandbox:node'].npm.banner).toBe('1.1.0');
    expect(JSON.parse(await readFile(paths.badRevisions, 'utf8'))).toHaveProperty([journal.revision]);
    expect((await events()).map((e) => e.payload.stage)).toEqual(['batch', 'recovery']);
  });
});
