import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execRunner } from '../../src/util/exec.js';
import { publishStatus } from '../../src/report/publish.js';
import { readFleetStatus } from '../../src/report/read.js';
import { MAINTENANCE_STAMP, maintainCache } from '../../src/report/maintain.js';
import { git, testRepo } from '../helpers/git.js';
import { looseCount, looseJunk, memoryLog } from './helpers.js';
import { makeStatus } from './helpers.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'gf-maintain-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const HOUR = 3_600_000;
const T0 = new Date('2024-05-01T12:00:00Z');
const at = (ms: number) => () => new Date(T0.getTime() + ms);

async function bare(name: string): Promise<string> {
  const d = join(dir, name);
  await git(dir, ['init', '-q', '--bare', d]);
  return d;
}

describe('maintainCache cadence', () => {
  it.each<[string, number | null, number, boolean]>([
    ['a new cache (no stamp) starts the clock, no gc', null, 0, false],
    ['within the interval', 0, HOUR - 1, false],
    ['the interval passed', 0, HOUR, true],
    ['the clock was set back before the stamp', 0, -60_000, true],
  ])('%s', async (_what, stampAt, nowAt, want) => {
    const d = await bare(`cad-${nowAt}-${stampAt}`);
    if (stampAt !== null) {
      await writeFile(join(d, MAINTENANCE_STAMP), '');
      await utimes(join(d, MAINTENANCE_STAMP), new Date(T0.getTime() + stampAt), new Date(T0.getTime() + stampAt));
    }
    const got = await maintainCache(execRunner, d, { now: at(nowAt) });
    expect(got).toEqual({ ran: want, error: null });
    // the stamp now says when the clock started or the gc ran
    expect((await stat(join(d, MAINTENANCE_STAMP))).mtimeMs).toBe(want || stampAt === null ? T0.getTime() + nowAt : T0.getTime() + stampAt!);
  });

  it('runs at most once per interval however often it is called', async () => {
    const d = await bare('cad-many');
    const ran: boolean[] = [];
    for (let m = 0; m <= 180; m += 10) ran.push((await maintainCache(execRunner, d, { now: at(m * 60_000) })).ran);
    expect(ran.filter(Boolean)).toHaveLength(3); // at 60, 120 and 180 min
  });
});

describe('maintainCache gc', () => {
  it('prunes unreachable loose objects older than pruneExpire, keeps younger ones, and leaves refs and their objects alone', async () => {
    const repo = await testRepo(join(dir, 'r1'));
    await repo.commit({ 'fleet.yaml': 'x: 1\n' });
    for (const h of ['a1', 'b2', 'c3']) await publishStatus(execRunner, repo.remote, makeStatus(h), { workDir: join(dir, 'pub1'), maintenance: false });
    const cache = join(dir, 'cache1');
    const before = await readFleetStatus(execRunner, repo.remote, cache, { maintenance: false });
    const refs = await git(cache, ['for-each-ref']);
    const old = await looseJunk(cache, 1500, 'old');
    const young = await looseJunk(cache, 300, 'young');
    for (const p of old) await utimes(p, new Date(Date.now() - 2 * HOUR), new Date(Date.now() - 2 * HOUR));
    const reachable = await looseCount(cache) - old.length - young.length;
    expect(reachable).toBeGreaterThan(0); // what the fetch brought
    const got = await maintainCache(execRunner, cache, { everyMs: 0, gcAuto: 256 });
    expect(got).toEqual({ ran: true, error: null });
    expect(await looseCount(cache)).toBe(young.length); // reachable ones packed, old unreachable ones pruned
    expect(await git(cache, ['for-each-ref'])).toBe(refs);
    const after = await readFleetStatus(execRunner, repo.remote, cache, { maintenance: false });
    expect(after.hosts).toEqual(before.hosts);
  });

  it('does nothing below the loose-object threshold (git gc --auto)', async () => {
    const d = await bare('few');
    await looseJunk(d, 50, 'few');
    expect(await maintainCache(execRunner, d, { everyMs: 0 })).toEqual({ ran: true, error: null });
    expect(await looseCount(d)).toBe(50);
  });

  it('removes a publish quarantine a crash left behind, once stale', async () => {
    const d = await bare('crash');
    await looseJunk(d, 1500, 'crash', -2 * HOUR);
    const stale = join(d, 'objects', 'tmp_objdir-gitfleet-stale');
    const fresh = join(d, 'objects', 'tmp_objdir-gitfleet-fresh');
    for (const q of [stale, fresh]) { await mkdir(join(q, 'ab'), { recursive: true }); await writeFile(join(q, 'ab', 'cd'), 'x'); }
    await utimes(stale, new Date(Date.now() - 2 * HOUR), new Date(Date.now() - 2 * HOUR));
    expect(await maintainCache(execRunner, d, { everyMs: 0, gcAuto: 256 })).toEqual({ ran: true, error: null });
    expect((await readdir(join(d, 'objects'))).filter((n) => n.startsWith('tmp_'))).toEqual(['tmp_objdir-gitfleet-fresh']);
    expect(await looseCount(d)).toBe(0);
  });

  it.each([['gc.pid.lock'], ['packed-refs.lock']])('a held lock (%s) is a logged, returned failure, not a throw; the next interval retries', async (lock) => {
    const d = await bare(`lock-${lock}`);
    await looseJunk(d, 1500, lock, -2 * HOUR);
    await writeFile(join(d, lock), '');
    const log = memoryLog();
    const got = await maintainCache(execRunner, d, { everyMs: HOUR, gcAuto: 256, now: at(0), log: log.logger });
    // a missing stamp only starts the clock: an hour later it runs and fails
    expect(got).toEqual({ ran: false, error: null });
    const failed = await maintainCache(execRunner, d, { everyMs: HOUR, gcAuto: 256, now: at(HOUR), log: log.logger });
    expect(failed).toEqual({ ran: true, error: expect.stringContaining(`${lock}': File exists`) });
    expect(log.lines()).toEqual([expect.objectContaining({ level: 40, msg: expect.stringMatching(/housekeeping of the status cache failed/), err: failed.error })]);
    expect(await maintainCache(execRunner, d, { everyMs: HOUR, gcAuto: 256, now: at(HOUR + 60_000), log: log.logger })).toEqual({ ran: false, error: null });
    await rm(join(d, lock));
    expect(await maintainCache(execRunner, d, { everyMs: HOUR, gcAuto: 256, now: at(2 * HOUR), log: log.logger })).toEqual({ ran: true, error: null });
    expect(await looseCount(d)).toBe(0);
    expect(log.lines()).toHaveLength(1);
  });

  it('refuses options that are not a git date or a count, without running git', async () => {
    const d = await bare('bad');
    expect((await maintainCache(execRunner, d, { everyMs: 0, pruneExpire: '--all' })).error).toMatch(/not a git expiry date/);
    expect((await maintainCache(execRunner, d, { everyMs: 0, gcAuto: -1 })).error).toMatch(/whole number/);
  });
});
