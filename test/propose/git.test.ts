// The git provider end to end: real bare repository, real wheels, real merges, a real apply.
import { describe, expect, it, beforeAll } from 'vitest';
import { readFile, rename, writeFile, chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { git } from '../helpers/git.js';
import { pipEnv } from '../helpers/wheels.js';
import { proposeUpdates } from '../../src/propose/updates.js';
import { applyHost } from '../../src/apply/run.js';
import { execRunner } from '../../src/util/exec.js';
import { GitfleetError } from '../../src/util/errors.js';
import { proposeFixture, installedIn, silent, type ProposeFixture } from './helpers.js';

const byBranch = (res: Awaited<ReturnType<typeof proposeUpdates>>) => new Map(res.outcomes.map((o) => [o.branch, o]));

describe('propose updates with the git provider', () => {
  let f: ProposeFixture;
  beforeAll(async () => {
    f = await proposeFixture();
  });

  it('opens one branch per update type, majors alone, each one commit on main that keeps the file', async () => {
    const res = await proposeUpdates(f.options());
    const got = byBranch(res);
    expect([...got.keys()]).toEqual(['gitfleet/py-patch', 'gitfleet/py-minor', 'gitfleet/py-major-alpha']);
    expect([...got.values()].map((o) => [o.action, o.candidates.map((c) => `${c.from}->${c.to}`)])).toEqual([
      ['created', ['1.0.0->1.0.1']], ['created', ['1.0.0->1.1.0']], ['created', ['1.0.0->2.0.0']],
    ]);
    const branches = await f.remoteBranches();
    expect([...branches.keys()].sort()).toEqual(['gitfleet/py-major-alpha', 'gitfleet/py-minor', 'gitfleet/py-patch', 'main']);
    expect(await git(f.repo.remote, ['rev-parse', 'gitfleet/py-patch^'])).toBe(branches.get('main'));
    const text = await f.show('gitfleet/py-patch', 'baselines/py.yaml');
    const before = await f.show('main', 'baselines/py.yaml');
    expect(text).toBe(before.replace('alpha: "1.0.0"', 'alpha: "1.0.1"'));
    expect(await git(f.repo.remote, ['log', '-1', '--format=%B', 'gitfleet/py-patch'])).toContain('| alpha | pip | py | 1.0.0 → 1.0.1 | patch |');
    const state = JSON.parse(await readFile(join(f.state, 'proposals.json'), 'utf8'));
    expect(state.proposals['gitfleet/py-patch']).toMatchObject({ sha: branches.get('gitfleet/py-patch'), versions: { 'py/pip:alpha': '1.0.1' } });
  });

  it('a human merges the patch branch (the approval) and the host applies 1.0.1', async () => {
    await git(f.repo.work, ['fetch', '-q', 'origin']);
    await git(f.repo.work, ['merge', '-q', '--ff-only', 'origin/gitfleet/py-patch']);
    await git(f.repo.work, ['push', '-q', 'origin', 'HEAD:main']);
    const state = join(f.tmp, 'host-state');
    const out = await applyHost({ host: 'h1', repo: f.repo.remote, stateDir: state, runner: execRunner, log: silent, env: { ...pipEnv(), PIP_FIND_LINKS: '' }, batchTimeoutMs: 120_000 });
    expect(out.result?.status).toBe('applied');
    expect(await installedIn(join(state, 'sandboxes/py'), 'alpha')).toEqual(['1.0.1']);
  }, 120_000);

  it('a second run opens nothing new, and a third changes nothing at all', async () => {
    const second = await proposeUpdates(f.options());
    expect(second.outcomes.filter((o) => o.action === 'created')).toEqual([]);
    // the open ones are regenerated on the new base (1.0.1 is now the pin they start from)
    expect(second.outcomes.map((o) => [o.branch, o.action])).toEqual([['gitfleet/py-minor', 'updated'], ['gitfleet/py-major-alpha', 'updated']]);
    expect(await git(f.repo.remote, ['rev-parse', 'gitfleet/py-minor^'])).toBe(await git(f.repo.remote, ['rev-parse', 'main']));
    const branches = await f.remoteBranches();
    const third = await proposeUpdates(f.options());
    expect(third.outcomes.map((o) => o.action)).toEqual(['unchanged', 'unchanged']);
    expect(await f.remoteBranches()).toEqual(branches);
  });

  it('a newer version updates the open branch in place; the merged patch branch gets a new proposal', async () => {
    const minorBefore = (await f.remoteBranches()).get('gitfleet/py-minor');
    await f.addWheels(['1.0.2', '1.1.1']);
    const res = byBranch(await proposeUpdates(f.options()));
    expect(res.get('gitfleet/py-minor')).toMatchObject({ action: 'updated', candidates: [{ from: '1.0.1', to: '1.1.1' }] });
    expect(res.get('gitfleet/py-patch')).toMatchObject({ action: 'created', candidates: [{ from: '1.0.1', to: '1.0.2' }] });
    const after = await f.remoteBranches();
    expect(after.get('gitfleet/py-minor')).not.toBe(minorBefore);
    expect(await f.show('gitfleet/py-minor', 'baselines/py.yaml')).toContain('alpha: "1.1.1"   # pinned after the 2024 incident');
    expect(await git(f.repo.remote, ['rev-list', '--count', 'main..gitfleet/py-minor'])).toBe('1');
  });

  it('a branch deleted without merge suppresses that version until a newer one appears', async () => {
    await git(f.repo.work, ['push', '-q', 'origin', ':refs/heads/gitfleet/py-major-alpha']);
    const res = byBranch(await proposeUpdates(f.options()));
    expect(res.get('gitfleet/py-major-alpha')).toMatchObject({ action: 'suppressed' });
    expect((await f.remoteBranches()).has('gitfleet/py-major-alpha')).toBe(false);
    const state = JSON.parse(await readFile(join(f.state, 'proposals.json'), 'utf8'));
    expect(state.suppressed['gitfleet/py-major-alpha']).toEqual(['py/pip:alpha=2.0.0']);
    await f.addWheels(['2.0.1']);
    const again = byBranch(await proposeUpdates(f.options()));
    expect(again.get('gitfleet/py-major-alpha')).toMatchObject({ action: 'created', candidates: [{ to: '2.0.1' }] });
  });

  it('a remote that is down is a clear error and leaves proposals.json as it was; the next run recovers', async () => {
    const path = join(f.state, 'proposals.json');
    const before = await readFile(path, 'utf8');
    const moved = `${f.repo.remote}.away`;
    await rename(f.repo.remote, moved);
    try {
      const err = await proposeUpdates(f.options({ repo: 'git://127.0.0.1:9/remote.git' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitfleetError);
      expect((err as GitfleetError).code).toBe('E_GIT');
      expect((err as Error).message).toMatch(/cannot fetch the fleet repository git:\/\/127\.0\.0\.1:9\/remote\.git/);
      expect(await readFile(path, 'utf8')).toBe(before);
    } finally {
      await rename(moved, f.repo.remote);
    }
    const res = await proposeUpdates(f.options());
    expect(res.outcomes.every((o) => o.action !== 'failed')).toBe(true);
  });
});

describe('git auto-merge', () => {
  it('merges an allowed, valid update into main for real', async () => {
    const f = await proposeFixture('updates: {autoMerge: [patch], allow: [patch]}\n');
    const res = await proposeUpdates(f.options());
    expect(res.outcomes).toMatchObject([{ branch: 'gitfleet/py-patch', action: 'created', autoMerge: { merged: true } }]);
    expect(await f.show('main', 'baselines/py.yaml')).toContain('alpha: "1.0.1"');
  });

  it('a protected base (pre-receive hook) is reported and the branch stays', async () => {
    const f = await proposeFixture('updates: {autoMerge: [patch], allow: [patch]}\n');
    const hook = join(f.repo.remote, 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\nwhile read old new ref; do\n  if [ "$ref" = refs/heads/main ]; then echo "main is protected" >&2; exit 1; fi\ndone\nexit 0\n');
    await chmod(hook, 0o755);
    try {
      const res = await proposeUpdates(f.options());
      const o = res.outcomes[0]!;
      expect(o).toMatchObject({ branch: 'gitfleet/py-patch', action: 'created', autoMerge: { merged: false } });
      expect(o.autoMerge?.reason).toMatch(/refused the push to main.*main is protected/s);
      const branches = await f.remoteBranches();
      expect(branches.has('gitfleet/py-patch')).toBe(true);
      expect(await f.show('main', 'baselines/py.yaml')).toContain('alpha: "1.0.0"');
    } finally {
      await rm(hook);
    }
  });
});
