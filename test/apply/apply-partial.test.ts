import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { applyHost, planHost } from '../../src/apply/run.js';
import { statePaths } from '../../src/util/state-dir.js';
import type { ChangedPackage } from '../../src/events/types.js';
import { pipListReference } from '../helpers/wheels.js';
import { addBrokenWheel, applyFixture, type ApplyFixture } from './fixture.js';

let f: ApplyFixture;

const never = 'apiVersion: gitfleet/v1\nkind: Policy\nname: p\nrollback: never\n';
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
});
