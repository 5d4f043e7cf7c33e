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
import { pino } from 'pino';
import { EventBus } from '../../src/events/bus.js';
import type { AnyEvent } from '../../src/events/types.js';
import { startFakeGitHub } from '../helpers/fake-github.js';

const byBranch = (res: Awaited<ReturnType<typeof proposeUpdates>>) => new Map(res.outcomes.map((o) => [o.branch, o]));

describe('propose updates with the git provider', () => {
  let f: ProposeFixture;
  beforeAll(async () => {
    f = await proposeFixture();
  });

  it('opens one non-major branch per package at its newest version, majors alone, each one commit on main that keeps the file', async () => {
    const res = await proposeUpdates(f.options());
    const got = byBranch(res);
    // 1.0.1 and 1.1.0 both exist: like Renovate's default, alpha is proposed once, at 1.1.0, not also in a patch branch
    expect([...got.keys()]).toEqual(['gitfleet/py-minor', 'gitfleet/py-major-alpha']);
    expect([...got.values()].map((o) => [o.action, o.candidates.map((c) => `${c.from}->${c.to}`)])).toEqual([
      ['created', ['1.0.0->1.1.0']], ['created', ['1.0.0->2.0.0']],
    ]);
    const branches = await f.remoteBranches();
    expect([...branches.keys()].sort()).toEqual(['gitfleet/py-major-alpha', 'gitfleet/py-minor', 'main']);
    expect(await git(f.repo.remote, ['rev-parse', 'gitfleet/py-minor^'])).toBe(branches.get('main'));
    const text = await f.show('gitfleet/py-minor', 'baselines/py.yaml');
    const before = await f.show('main', 'baselines/py.yaml');
    expect(text).toBe(before.replace('alpha: "1.0.0"', 'alpha: "1.1.0"'));
    expect(await git(f.repo.remote, ['log', '-1', '--format=%B', 'gitfleet/py-minor'])).toContain('| alpha | pip | py | 1.0.0 → 1.1.0 | minor |');
    const state = JSON.parse(await readFile(join(f.state, 'proposals.json'), 'utf8'));
    expect(state.proposals['gitfleet/py-minor']).toMatchObject({ sha: branches.get('gitfleet/py-minor'), type: 'minor', versions: { 'py/pip:alpha': '1.1.0' } });
  });

  it('a human merges the minor branch (the approval) and the host applies 1.1.0', async () => {
    await git(f.repo.work, ['fetch', '-q', 'origin']);
    await git(f.repo.work, ['merge', '-q', '--ff-only', 'origin/gitfleet/py-minor']);
    await git(f.repo.work, ['push', '-q', 'origin', 'HEAD:main']);
    const state = join(f.tmp, 'host-state');
    const out = await applyHost({ host: 'h1', repo: f.repo.remote, stateDir: state, runner: execRunner, log: silent, env: { ...pipEnv(), PIP_FIND_LINKS: '' }, batchTimeoutMs: 120_000 });
    expect(out.result?.status).toBe('applied');
    expect(await installedIn(join(state, 'sandboxes/py'), 'alpha')).toEqual(['1.1.0']);
  }, 120_000);

  it('a second run opens nothing new, and a third changes nothing at all', async () => {
    const second = await proposeUpdates(f.options());
    expect(second.outcomes.filter((o) => o.action === 'created')).toEqual([]);
    // the open one is regenerated on the new base (1.1.0 is now the pin it starts from)
    expect(second.outcomes.map((o) => [o.branch, o.action])).toEqual([['gitfleet/py-major-alpha', 'updated']]);
    expect(await git(f.repo.remote, ['rev-parse', 'gitfleet/py-major-alpha^'])).toBe(await git(f.repo.remote, ['rev-parse', 'main']));
    const branches = await f.remoteBranches();
    const third = await proposeUpdates(f.options());
    expect(third.outcomes.map((o) => o.action)).toEqual(['unchanged']);
    expect(await f.remoteBranches()).toEqual(branches);
  });

  it('a newer patch opens a patch branch; a newer minor supersedes it, so alpha is never in two open non-major branches', async () => {
    await f.addWheels(['1.1.1']);
    const first = byBranch(await proposeUpdates(f.options()));
    expect(first.get('gitfleet/py-patch')).toMatchObject({ action: 'created', candidates: [{ from: '1.1.0', to: '1.1.1' }] });
    expect(first.has('gitfleet/py-minor')).toBe(false);

    await f.addWheels(['1.2.0']);
    const res = byBranch(await proposeUpdates(f.options()));
    expect(res.get('gitfleet/py-minor')).toMatchObject({ action: 'created', candidates: [{ from: '1.1.0', to: '1.2.0' }] });
    expect(res.get('gitfleet/py-patch')).toMatchObject({ action: 'superseded', reason: 'superseded by gitfleet/py-minor: py/pip:alpha → 1.2.0' });
    const branches = await f.remoteBranches();
    expect([...branches.keys()].sort()).toEqual(['gitfleet/py-major-alpha', 'gitfleet/py-minor', 'main']);
    const state = JSON.parse(await readFile(join(f.state, 'proposals.json'), 'utf8'));
    expect(state.proposals['gitfleet/py-patch']).toBeUndefined();
    expect(state.suppressed['gitfleet/py-patch']).toBeUndefined(); // closed by gitfleet, not by a human's "no"

    // a newer minor updates the open branch in place: still one commit on main
    const minorBefore = branches.get('gitfleet/py-minor');
    await f.addWheels(['1.2.1']);
    const again = byBranch(await proposeUpdates(f.options()));
    expect(again.get('gitfleet/py-minor')).toMatchObject({ action: 'updated', candidates: [{ from: '1.1.0', to: '1.2.1' }] });
    expect(again.has('gitfleet/py-patch')).toBe(false);
    expect((await f.remoteBranches()).get('gitfleet/py-minor')).not.toBe(minorBefore);
    expect(await f.show('gitfleet/py-minor', 'baselines/py.yaml')).toContain('alpha: "1.2.1"   # pinned after the 2024 incident');
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

describe('a proposal branch someone else modified', () => {
  it('is left alone with a clear message while the other proposals go on; deleting it lets gitfleet recreate it', async () => {
    const f = await proposeFixture('updates: {allow: [patch, major]}\n');
    const first = byBranch(await proposeUpdates(f.options()));
    expect([...first.values()].map((o) => [o.branch, o.action])).toEqual([['gitfleet/py-patch', 'created'], ['gitfleet/py-major-alpha', 'created']]);

    // a human pushes a commit of their own onto the bot's branch
    const human = join(f.tmp, 'human');
    await git(f.tmp, ['clone', '-q', '-b', 'gitfleet/py-patch', f.repo.remote, human]);
    const yaml = await readFile(join(human, 'baselines/py.yaml'), 'utf8');
    await writeFile(join(human, 'baselines/py.yaml'), yaml.replace('# the python tools of the lab', '# the python tools of the lab (reviewed)'));
    await git(human, ['commit', '-q', '-am', 'review note']);
    await git(human, ['push', '-q', 'origin', 'gitfleet/py-patch']);
    const humanSha = await git(human, ['rev-parse', 'HEAD']);

    await f.addWheels(['1.0.2', '2.0.1']);
    for (let run = 0; run < 2; run++) {
      const res = byBranch(await proposeUpdates(f.options()));
      expect(res.get('gitfleet/py-patch')?.action).toBe('modified');
      expect(res.get('gitfleet/py-patch')?.reason).toBe(
        `branch gitfleet/py-patch was modified by someone else (commit ${humanSha.slice(0, 12)} by test@example.invalid); gitfleet does not update it. Delete the branch to let gitfleet recreate it`);
      expect((await f.remoteBranches()).get('gitfleet/py-patch')).toBe(humanSha);
      expect(res.get('gitfleet/py-major-alpha')).toMatchObject({ action: run === 0 ? 'updated' : 'unchanged', candidates: [{ to: '2.0.1' }] });
    }

    await git(human, ['push', '-q', 'origin', ':refs/heads/gitfleet/py-patch']);
    const after = byBranch(await proposeUpdates(f.options()));
    expect(after.get('gitfleet/py-patch')).toMatchObject({ action: 'created', candidates: [{ from: '1.0.0', to: '1.0.2' }] });
    const head = (await f.remoteBranches()).get('gitfleet/py-patch')!;
    expect(await git(f.repo.remote, ['log', '-1', '--format=%ae %ce', head])).toBe('gitfleet@localhost gitfleet@localhost');
  });

  it('an amend that keeps the bot as author is still someone else\'s commit', async () => {
    const f = await proposeFixture('updates: {allow: [patch]}\n');
    await proposeUpdates(f.options());
    const human = join(f.tmp, 'human');
    await git(f.tmp, ['clone', '-q', '-b', 'gitfleet/py-patch', f.repo.remote, human]);
    await git(human, ['commit', '-q', '--amend', '-m', 'reworded by a human']);
    expect(await git(human, ['log', '-1', '--format=%ae %ce'])).toBe('gitfleet@localhost test@example.invalid');
    await git(human, ['push', '-q', '-f', 'origin', 'gitfleet/py-patch']);
    await f.addWheels(['1.0.2']);
    const res = await proposeUpdates(f.options());
    expect(res.outcomes).toMatchObject([{ branch: 'gitfleet/py-patch', action: 'modified' }]);
    expect((await f.remoteBranches()).get('gitfleet/py-patch')).toBe(await git(human, ['rev-parse', 'HEAD']));
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

describe('a remote URL that carries a token', () => {
  it('pushes with it, and keeps it out of the proposal URL, the events, the outcomes, the log and the error messages', async () => {
    const TOKEN = 'ghp_remoteUrlT0ken0000000000000000000000';
    const fake = await startFakeGitHub({ token: TOKEN });
    try {
      const f = await proposeFixture();
      await git(f.repo.work, ['push', '-q', fake.bare, 'HEAD:main']);
      const withToken = (url: string) => url.replace('http://', `http://x-access-token:${TOKEN}@`);
      const events: AnyEvent[] = [];
      const lines: string[] = [];
      const log = pino({ level: 'debug' }, { write: (l: string) => { lines.push(l); } });
      const bus = new EventBus({ host: 'admin', sinks: [{ name: 'memory', write: (e) => { events.push(e); } }], log });
      const res = await proposeUpdates(f.options({ repo: withToken(fake.gitUrl), stateDir: join(f.tmp, 'state-token'), log, bus }));
      // the token worked: the branches are on the server
      expect(await fake.branchSha('gitfleet/py-minor')).toMatch(/^[0-9a-f]{40}$/);
      expect(res.outcomes.map((o) => [o.branch, o.action, o.url])).toEqual([
        ['gitfleet/py-minor', 'created', `${fake.gitUrl}#gitfleet/py-minor`],
        ['gitfleet/py-major-alpha', 'created', `${fake.gitUrl}#gitfleet/py-major-alpha`],
      ]);
      const proposed = events.filter((e) => e.topic === 'infrastructure.update.proposed');
      expect(proposed.map((e) => e.payload)).toMatchObject([{ url: `${fake.gitUrl}#gitfleet/py-minor` }, { url: `${fake.gitUrl}#gitfleet/py-major-alpha` }]);
      const commits = await git(fake.bare, ['log', '--format=%B', 'gitfleet/py-minor', 'gitfleet/py-major-alpha']);
      expect(JSON.stringify({ res, events, lines, commits })).not.toContain(TOKEN);

      // Unreachable: the message names the remote, without the token.
      const down = withToken('http://127.0.0.1:9/git/acme/fleet.git');
      const err = await proposeUpdates(f.options({ repo: down, stateDir: join(f.tmp, 'state-down'), log, bus })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitfleetError);
      expect((err as Error).message).toContain('http://127.0.0.1:9/git/acme/fleet.git');
      expect((err as Error).message).not.toContain(TOKEN);
      expect(JSON.stringify(lines)).not.toContain(TOKEN);
    } finally {
      await fake.close();
    }
  }, 60_000);
});
