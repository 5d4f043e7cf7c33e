import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execRunner } from '../../src/util/exec.js';
import { ensureGitDir, publishStatus, shouldPublish, writeLocalStatus, validateHostName } from '../../src/report/publish.js';
import { statusRef, type HostStatus } from '../../src/report/types.js';
import { git, testRepo } from '../helpers/git.js';
import { looseCount, looseJunk, makeStatus, memoryLog, startDaemon } from './helpers.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'gf-publish-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('writeLocalStatus', () => {
  it('writes status.json in the state directory, replacing the previous one', async () => {
    const state = join(dir, 'state');
    await writeLocalStatus(state, makeStatus('h1', { drift: 1 }));
    const path = await writeLocalStatus(state, makeStatus('h1', { drift: 2 }));
    expect(path).toBe(join(state, 'status.json'));
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ host: 'h1', drift: 2 });
    expect((await stat(path)).mode & 0o777).toBe(0o644);
  });
});

describe('publishStatus', () => {
  it('pushes an orphan commit with one file, status.json, and force-replaces it', async () => {
    const repo = await testRepo(join(dir, 'r1'));
    const head = await repo.commit({ 'fleet.yaml': 'x: 1\n' });
    const work = join(dir, 'work1');
    const first = await publishStatus(execRunner, repo.remote, makeStatus('h1', { health: 'pending' }), { workDir: work });
    expect(first.ref).toBe('refs/gitfleet/status/h1');
    expect(await git(repo.remote, ['rev-parse', first.ref])).toBe(first.commit);
    // orphan: no parents; exactly one file
    expect(await git(repo.remote, ['rev-list', '--parents', '-n', '1', first.commit])).toBe(first.commit);
    expect(await git(repo.remote, ['ls-tree', '--name-only', first.commit])).toBe('status.json');
    // the commit is dated by the heartbeat it carries
    expect(await git(repo.remote, ['log', '-1', '--format=%cI %an', first.commit])).toBe('2024-05-01T12:00:00+00:00 gitfleet agent (h1)');
    const second = await publishStatus(execRunner, repo.remote, makeStatus('h1', { revision: { applied: head, appliedAt: null, attempted: null, healthySince: null } }), { workDir: work });
    expect(second.commit).not.toBe(first.commit);
    expect(await git(repo.remote, ['rev-parse', statusRef('h1')])).toBe(second.commit);
    expect(await git(repo.remote, ['rev-list', '--count', second.commit])).toBe('1'); // not a child of the first
    const doc = JSON.parse(await git(repo.remote, ['cat-file', 'blob', `${second.commit}:status.json`])) as HostStatus;
    expect(doc).toMatchObject({ host: 'h1', health: 'healthy', revision: { applied: head } });
    // the branch is untouched
    expect(await git(repo.remote, ['rev-parse', 'refs/heads/main'])).toBe(head);
  });

  it('lets many hosts publish at once without contention (one ref each)', async () => {
    const repo = await testRepo(join(dir, 'r2'));
    await repo.commit({ 'fleet.yaml': 'x: 1\n' });
    const hosts = ['a1', 'b2', 'c3', 'd4', 'e5', 'f6'];
    const results = await Promise.all(hosts.map((h) => publishStatus(execRunner, repo.remote, makeStatus(h), { workDir: join(dir, `work-${h}`) })));
    const refs = await git(repo.remote, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/gitfleet/status/']);
    expect(refs.split('\n').sort()).toEqual(results.map((r) => `${r.ref} ${r.commit}`).sort());
  });

  it('refuses host names that cannot be a ref, before running git', async () => {
    for (const bad of ['../x', 'a..b', 'x.lock', '-h', 'A', 'a/b', '']) expect(() => validateHostName(bad), bad).toThrow(/not a valid host name/);
    await expect(publishStatus(execRunner, '-u', makeStatus('h1'), { workDir: join(dir, 'w') })).rejects.toThrow(/not a usable repository/);
  });

  it('reports an unreachable repository as E_GIT, and leaves no objects behind either', async () => {
    const work = join(dir, 'work-missing');
    await expect(publishStatus(execRunner, join(dir, 'missing.git'), makeStatus('h1'), { workDir: work })).rejects.toMatchObject({ code: 'E_GIT' });
    expect(await leftovers(work)).toEqual({ loose: 0, quarantines: [] });
  });
});

// What a publish leaves in the agent's clone: `git count-objects` and any quarantine directory still there.
async function leftovers(work: string): Promise<{ loose: number; quarantines: string[] }> {
  return { loose: await looseCount(work), quarantines: (await readdir(join(work, 'objects'))).filter((n) => n.startsWith('tmp_')) };
}

describe('publishStatus housekeeping', () => {
  const host = (name: string) => `apiVersion: gitfleet/v1\nkind: Host\nname: ${name}\nos: linux\narch: x64\n`;

  it('200 publishes over git:// leave no loose objects in the agent\'s clone, and `gitfleet status` still reads every host', async () => {
    const repo = await testRepo(join(dir, 'many'));
    await repo.commit({ 'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: lab\nstaleAfter: 5m\n', 'hosts/h1.yaml': host('h1'), 'hosts/h2.yaml': host('h2'), 'hosts/h3.yaml': host('h3') });
    const daemon = await startDaemon(join(dir, 'many'));
    try {
      const url = daemon.url('remote.git');
      const t0 = Date.now() - 200 * 1000;
      const hb = (i: number) => new Date(t0 + i * 1000).toISOString();
      const work = join(dir, 'many-state', 'fleet-status.git');
      let last = '';
      for (let i = 0; i < 200; i++) last = (await publishStatus(execRunner, url, makeStatus('h1', { heartbeat: hb(i), drift: i }), { workDir: work })).commit;
      // Three new objects a publish used to stay behind here for good (600 after 200 publishes).
      expect(await leftovers(work)).toEqual({ loose: 0, quarantines: [] });
      expect(await git(work, ['count-objects', '-v'])).toMatch(/^count: 0\nsize: 0\nin-pack: 0\npacks: 0\n/);
      expect(await git(repo.remote, ['rev-parse', statusRef('h1')])).toBe(last);
      for (const h of ['h2', 'h3']) await publishStatus(execRunner, url, makeStatus(h, { heartbeat: hb(199) }), { workDir: join(dir, `many-${h}`) });
      const { code, out } = await runCli(['status', '--repo', url, '--json', '--cache-dir', join(dir, 'many-cache')], { env: { NO_COLOR: '1' } });
      expect(code).toBe(0);
      const view = JSON.parse(out) as { hosts: { host: string; health: string; drift: number; heartbeat: string }[] };
      expect(view.hosts.map((r) => [r.host, r.health, r.drift, r.heartbeat])).toEqual([['h1', 'healthy', 199, hb(199)], ['h2', 'healthy', 0, hb(199)], ['h3', 'healthy', 0, hb(199)]]);
    } finally {
      await daemon.stop();
    }
  });

  it('a failing gc (a lock held) does not fail the publish: it is logged and returned', async () => {
    const repo = await testRepo(join(dir, 'lock'));
    await repo.commit({ 'fleet.yaml': 'x: 1\n' });
    const work = join(dir, 'work-lock');
    await ensureGitDir(execRunner, work);
    await looseJunk(work, 1500, 'lock', -2 * 3_600_000);
    await writeFile(join(work, 'gc.pid.lock'), '');
    const log = memoryLog();
    const opts = { workDir: work, maintenance: { everyMs: 0, gcAuto: 256 }, log: log.logger };
    const first = await publishStatus(execRunner, repo.remote, makeStatus('h1'), opts);
    expect(await git(repo.remote, ['rev-parse', first.ref])).toBe(first.commit);
    expect(first.maintenance).toEqual({ ran: true, error: expect.stringContaining("gc.pid.lock': File exists") });
    expect(log.lines()).toEqual([expect.objectContaining({ msg: expect.stringMatching(/housekeeping/), err: first.maintenance!.error })]);
    await rm(join(work, 'gc.pid.lock'));
    const second = await publishStatus(execRunner, repo.remote, makeStatus('h1', { drift: 1 }), opts);
    expect(second.maintenance).toEqual({ ran: true, error: null });
    expect(await leftovers(work)).toEqual({ loose: 0, quarantines: [] });
  });

  it('runs gc at most once per interval, never on every publish', async () => {
    const repo = await testRepo(join(dir, 'cadence'));
    await repo.commit({ 'fleet.yaml': 'x: 1\n' });
    const calls: string[] = [];
    const runner = { run: (cmd: Parameters<typeof execRunner.run>[0]) => { if (cmd.args.includes('gc')) calls.push('gc'); return execRunner.run(cmd); } };
    const work = join(dir, 'work-cadence');
    for (let i = 0; i < 5; i++) await publishStatus(runner, repo.remote, makeStatus('h1', { drift: i }), { workDir: work });
    expect(calls).toEqual([]); // the first publish starts the clock; an hour has not passed
    await publishStatus(runner, repo.remote, makeStatus('h1', { drift: 9 }), { workDir: work, maintenance: { everyMs: 0 } });
    expect(calls).toEqual(['gc']);
  });
});

describe('shouldPublish', () => {
  const base = makeStatus('h1');
  const later = (s: HostStatus, ms: number): HostStatus => ({ ...s, heartbeat: new Date(Date.parse(s.heartbeat) + ms).toISOString() });
  const HB = 5 * 60_000;
  it.each<[string, HostStatus | null, HostStatus, boolean]>([
    ['first publish', null, base, true],
    ['nothing changed, within the heartbeat', base, later(base, 60_000), false],
    ['only agent counters changed', base, { ...later(base, 60_000), agent: { ...base.agent, cycles: 99, lastCycleMs: 5, lastSuccessAt: '2024-05-01T12:01:00.000Z' } }, false],
    ['heartbeat interval reached', base, later(base, HB), true],
    ['health changed', base, { ...later(base, 1000), health: 'degraded' }, true],
    ['drift changed', base, { ...base, drift: 3 }, true],
    ['revision changed', base, { ...base, revision: { ...base.revision, applied: 'f'.repeat(40) } }, true],
    ['an error appeared', base, { ...base, lastError: { code: 'E_GIT', message: 'x', at: base.heartbeat } }, true],
    ['the agent restarted (pid)', base, { ...base, agent: { ...base.agent, pid: 1 } }, true],
  ])('%s → %s', (_what, prev, next, want) => {
    expect(shouldPublish(prev, next, HB)).toBe(want);
  });

  // The wall clock stepped (NTP): a heartbeat that went backwards publishes at once; `elapsedMs` is the agent's monotonic clock.
  const at = (s: HostStatus, iso: string): HostStatus => ({ ...s, heartbeat: iso });
  const DAY = 86_400_000;
  it.each<[string, HostStatus, HostStatus, number | undefined, boolean]>([
    ['clock set back by 2 days (2030-01-03 → 2030-01-01)', at(base, '2030-01-03T00:00:00.000Z'), at(base, '2030-01-01T00:00:00.000Z'), undefined, true],
    ['clock set back by 1 s', base, later(base, -1000), undefined, true],
    ['clock set back, monotonic interval not reached: still publishes', base, later(base, -2 * DAY), 1000, true],
    ['clock stepped 2 days ahead, monotonic interval not reached', base, later(base, 2 * DAY), 1000, false],
    ['wall clock within the interval, monotonic interval reached', base, later(base, 1000), HB, true],
    ['monotonic just under the interval', base, later(base, HB), HB - 1, false],
    ['a real change publishes whatever the clocks say', base, { ...later(base, 1000), health: 'failed' }, 0, true],
  ])('%s', (_what, prev, next, elapsedMs, want) => {
    expect(shouldPublish(prev, next, HB, elapsedMs)).toBe(want);
  });

  it('after the clock is set back, the next cycle publishes and the cycles after it pace normally again', () => {
    let published = at(base, '2030-01-03T00:00:00.000Z'); // written while the clock ran 2 days ahead
    const sent: string[] = [];
    for (let i = 0; i < 12; i++) {
      const next = at(base, new Date(Date.parse('2030-01-01T00:00:00.000Z') + i * 30_000).toISOString());
      if (shouldPublish(published, next, 60_000)) {
        published = next;
        sent.push(next.heartbeat.slice(11, 19));
      }
    }
    expect(sent).toEqual(['00:00:00', '00:01:00', '00:02:00', '00:03:00', '00:04:00', '00:05:00']);
  });
});
