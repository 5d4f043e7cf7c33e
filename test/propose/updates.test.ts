// Superseding with records written before proposals carried their `type`: only exact default non-major branches count.
import { describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { git } from '../helpers/git.js';
import { writeWheels } from '../helpers/wheels.js';
import { proposeUpdates } from '../../src/propose/updates.js';
import { BASELINE, proposeFixture } from './helpers.js';

const policy = (allow: string) => `apiVersion: gitfleet/v1\nkind: Policy\nname: p\nupdates: {allow: [${allow}]}\n`;

describe('closing superseded proposals recorded before `type` existed', () => {
  it('closes the legacy patch branch a minor overtakes, never the major branch of a package named foo-patch', async () => {
    const f = await proposeFixture('updates: {allow: [patch, major]}\n');
    await writeWheels(f.wheels, ['1.0.0', '2.0.0'].map((version) => ({ name: 'foo-patch', version })));
    await f.repo.commit({ 'baselines/py.yaml': `${BASELINE}    foo-patch: "1.0.0"\n` }, 'foo-patch');
    const first = await proposeUpdates(f.options());
    expect(first.outcomes.map((o) => [o.branch, o.action])).toEqual([
      ['gitfleet/py-patch', 'created'], ['gitfleet/py-major-alpha', 'created'], ['gitfleet/py-major-foo-patch', 'created'],
    ]);

    // proposals.json as an older gitfleet wrote it: no `type` on any record
    const statePath = join(f.state, 'proposals.json');
    const state = JSON.parse(await readFile(statePath, 'utf8')) as { proposals: Record<string, { type?: string }> };
    for (const rec of Object.values(state.proposals)) delete rec.type;
    await writeFile(statePath, JSON.stringify(state, null, 2));

    // foo-patch gets a minor, alpha too (one py-minor group); majors are no longer proposed, so their PRs are not in this run
    await git(f.repo.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
    await writeWheels(f.wheels, [{ name: 'foo-patch', version: '1.1.0' }]);
    await f.repo.commit({ 'policies/p.yaml': policy('patch, minor') }, 'no majors');
    const res = await proposeUpdates(f.options());
    const got = new Map(res.outcomes.map((o) => [o.branch, o]));
    expect(got.get('gitfleet/py-minor')).toMatchObject({ action: 'created' });
    expect(got.get('gitfleet/py-minor')?.candidates.map((c) => `${c.name} ${c.to}`).sort()).toEqual(['alpha 1.1.0', 'foo-patch 1.1.0']);
    expect(got.get('gitfleet/py-patch')).toMatchObject({ action: 'superseded', type: 'patch' });
    expect(got.has('gitfleet/py-major-foo-patch')).toBe(false);
    expect([...(await f.remoteBranches()).keys()].sort()).toEqual(['gitfleet/py-major-alpha', 'gitfleet/py-major-foo-patch', 'gitfleet/py-minor', 'main']);
    const after = JSON.parse(await readFile(statePath, 'utf8')) as { proposals: Record<string, unknown> };
    expect(after.proposals).toHaveProperty(['gitfleet/py-major-foo-patch']);
    expect(after.proposals).not.toHaveProperty(['gitfleet/py-patch']);
  });
});
