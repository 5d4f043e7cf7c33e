import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execRunner, type Command, type Runner } from '../../src/util/exec.js';
import { publishStatus } from '../../src/report/publish.js';
import { deriveHealth, judgeHeartbeat, readFleetStatus } from '../../src/report/read.js';
import { parseBatchOutput } from '../../src/report/batch.js';
import { isAncestor, ancestryOracle } from '../../src/report/ancestry.js';
import { git, testRepo } from '../helpers/git.js';
import { looseCount, looseJunk, makeStatus, startDaemon } from './helpers.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'gf-read-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** The real runner, recording which git subcommands ran. */
function recording(): { runner: Runner; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    runner: { run: (cmd: Command) => { calls.push(cmd.args.filter((a, i, all) => a !== '-c' && all[i - 1] !== '-c' && all[i - 1] !== '-C' && a !== '-C')[0] ?? ''); return execRunner.run(cmd); } },
  };
}

/** Pushes a raw status.json text (possibly malformed) under a host's ref, as a foreign writer could. */
async function pushRaw(remote: string, host: string, text: string): Promise<void> {
  const scratch = join(dir, `raw-${host}`);
  await git(dir, ['init', '-q', '--bare', scratch]);
  const blob = (await execRunner.run({ file: 'git', args: ['hash-object', '-w', '--stdin'], cwd: scratch, input: text })).stdout.trim();
  const tree = (await execRunner.run({ file: 'git', args: ['mktree'], cwd: scratch, input: `100644 blob ${blob}\tstatus.json\n` })).stdout.trim();
  const commit = await git(scratch, ['-c', 'user.name=x', '-c', 'user.email=x@x', 'commit-tree', tree, '-m', 'raw']);
  await git(scratch, ['push', '-q', '--force', remote, `${commit}:refs/gitfleet/status/${host}`]);
}

describe('readFleetStatus', () => {
  it('reads every host from one fetch, one for-each-ref and one cat-file; malformed ones are data', async () => {
    const repo = await testRepo(join(dir, 'r1'));
    const head = await repo.commit({ 'fleet.yaml': 'x: 1\n' });
    const st = (h: string) => makeStatus(h, { drift: h.length, revision: { applied: head, appliedAt: null, attempted: null, healthySince: null } });
    for (const h of ['web-2', 'db-1', 'web-10']) await publishStatus(execRunner, repo.remote, st(h), { workDir: join(dir, 'pub') });
    await pushRaw(repo.remote, 'broken', '{"schemaVersion": 1, "host": "broken"');
    await pushRaw(repo.remote, 'liar', JSON.stringify(makeStatus('other')));
    await pushRaw(repo.remote, 'wrongtype', JSON.stringify({ ...makeStatus('wrongtype'), health: 'great' }));
    const { runner, calls } = recording();
    const got = await readFleetStatus(runner, repo.remote, join(dir, 'cache'));
    expect(calls.filter((c) => c !== 'init')).toEqual(['fetch', 'for-each-ref', 'cat-file']);
    expect(got.head).toBe(head);
    expect(got.hosts.map((h) => h.host)).toEqual(['broken', 'db-1', 'liar', 'web-10', 'web-2', 'wrongtype']);
    const by = Object.fromEntries(got.hosts.map((h) => [h.host, h]));
    expect(by['db-1']!.status).toEqual(st('db-1'));
    expect(by['web-10']!.error).toBeNull();
    expect(by.broken).toMatchObject({ status: null, error: expect.stringMatching(/not JSON/) });
    expect(by.liar).toMatchObject({ status: null, error: expect.stringMatching(/names host "other" but is published under the ref of liar/) });
    expect(by.wrongtype).toMatchObject({ status: null, error: expect.stringMatching(/health "great"/) });
  });

  it('sees a replaced status and drops a deleted one on the next read (incremental cache)', async () => {
    const repo = await testRepo(join(dir, 'r2'));
    await repo.commit({ 'fleet.yaml': 'x: 1\n' });
    const cache = join(dir, 'cache2');
    await publishStatus(execRunner, repo.remote, makeStatus('a'), { workDir: join(dir, 'p2') });
    await publishStatus(execRunner, repo.remote, makeStatus('b'), { workDir: join(dir, 'p2') });
    expect((await readFleetStatus(execRunner, repo.remote, cache)).hosts.map((h) => h.status?.health)).toEqual(['healthy', 'healthy']);
    await publishStatus(execRunner, repo.remote, makeStatus('a', { health: 'failed' }), { workDir: join(dir, 'p2') });
    await git(repo.remote, ['update-ref', '-d', 'refs/gitfleet/status/b']);
    const again = await readFleetStatus(execRunner, repo.remote, cache);
    expect(again.hosts.map((h) => [h.host, h.status?.health])).toEqual([['a', 'failed']]);
  });

  it('superseded statuses fetched into the cache are collected by its housekeeping, at most once per interval', async () => {
    const repo = await testRepo(join(dir, 'r-gc'));
    await repo.commit({ 'fleet.yaml': 'x: 1\n' });
    const cache = join(dir, 'cache-gc');
    const { runner, calls } = recording();
    for (let i = 0; i < 40; i++) {
      for (const h of ['a', 'b']) await publishStatus(execRunner, repo.remote, makeStatus(h, { drift: i }), { workDir: join(dir, 'p-gc'), maintenance: false });
      await readFleetStatus(runner, repo.remote, cache);
    }
    expect(calls.filter((c) => c === 'gc')).toEqual([]); // within the first hour of this cache
    expect(calls.filter((c) => c === 'fetch')).toHaveLength(40);
    const piled = await looseCount(cache);
    expect(piled).toBeGreaterThanOrEqual(40 * 2 * 3); // every fetched status stays loose, unreachable once replaced
    // git gc --auto estimates the loose count from objects/17/ alone: enough objects that the estimate passes gc.auto.
    await looseJunk(cache, 1500, 'read');
    const read = await readFleetStatus(runner, repo.remote, cache, { maintenance: { everyMs: 0, gcAuto: 256, pruneExpire: 'now' } });
    expect(calls.at(-1)).toBe('gc');
    expect(await looseCount(cache)).toBe(0);
    expect(read.hosts.map((h) => [h.host, h.status?.drift])).toEqual([['a', 39], ['b', 39]]);
  });

  it('records when this reader first saw each status commit, across reads, by its own clock', async () => {
    const repo = await testRepo(join(dir, 'r-obs'));
    await repo.commit({ 'fleet.yaml': 'x: 1\n' });
    const cache = join(dir, 'cache-obs');
    const at = (iso: string) => ({ now: () => new Date(iso) });
    // a host whose clock runs a day ahead
    await publishStatus(execRunner, repo.remote, makeStatus('ahead', { heartbeat: '2024-05-02T12:00:00.000Z' }), { workDir: join(dir, 'p-obs') });
    await publishStatus(execRunner, repo.remote, makeStatus('ok', { heartbeat: '2024-05-01T11:59:00.000Z' }), { workDir: join(dir, 'p-obs') });
    const first = await readFleetStatus(execRunner, repo.remote, cache, at('2024-05-01T12:00:00.000Z'));
    expect(first.hosts.map((h) => [h.host, h.observedAt])).toEqual([['ahead', '2024-05-01T12:00:00.000Z'], ['ok', '2024-05-01T12:00:00.000Z']]);
    // unchanged statuses keep their first sighting; a new one from 'ok' is seen at the later read
    await publishStatus(execRunner, repo.remote, makeStatus('ok', { heartbeat: '2024-05-01T12:09:00.000Z' }), { workDir: join(dir, 'p-obs') });
    const later = await readFleetStatus(execRunner, repo.remote, cache, at('2024-05-01T12:10:00.000Z'));
    expect(later.hosts.map((h) => [h.host, h.observedAt])).toEqual([['ahead', '2024-05-01T12:00:00.000Z'], ['ok', '2024-05-01T12:10:00.000Z']]);
    // so the host ahead, silent for 10 minutes, is offline even though its heartbeat is still "tomorrow"
    const ahead = later.hosts[0]!;
    expect(deriveHealth(ahead.status!, Date.parse('2024-05-01T12:10:00.000Z'), 300_000, ahead.observedAt)).toBe('offline');
    expect(deriveHealth(later.hosts[1]!.status!, Date.parse('2024-05-01T12:10:00.000Z'), 300_000, later.hosts[1]!.observedAt)).toBe('healthy');
  });

  it('reads statuses of a repository that has no such branch', async () => {
    const repo = await testRepo(join(dir, 'r3'));
    await publishStatus(execRunner, repo.remote, makeStatus('solo'), { workDir: join(dir, 'p3') });
    const got = await readFleetStatus(execRunner, repo.remote, join(dir, 'cache3'));
    expect(got).toMatchObject({ head: null, hosts: [{ host: 'solo', error: null }] });
  });

  it('publishes and reads over git:// (git daemon on 127.0.0.1)', async () => {
    const base = join(dir, 'served');
    const repo = await testRepo(base);
    const head = await repo.commit({ 'fleet.yaml': 'x: 1\n' });
    const daemon = await startDaemon(base);
    try {
      const url = daemon.url('remote.git');
      await Promise.all(['n1', 'n2'].map((h) => publishStatus(execRunner, url, makeStatus(h, { drift: 2 }), { workDir: join(dir, `pd-${h}`) })));
      expect(await git(repo.remote, ['for-each-ref', '--format=%(refname)', 'refs/gitfleet/status/'])).toBe('refs/gitfleet/status/n1\nrefs/gitfleet/status/n2');
      const got = await readFleetStatus(execRunner, url, join(dir, 'cache-daemon'));
      expect(got.head).toBe(head);
      expect(got.hosts.map((h) => [h.host, h.status?.drift])).toEqual([['n1', 2], ['n2', 2]]);
    } finally {
      await daemon.stop();
    }
  });

  it('fails with E_GIT when the repository cannot be reached', async () => {
    await expect(readFleetStatus(execRunner, join(dir, 'nope.git'), join(dir, 'cache-nope'))).rejects.toMatchObject({ code: 'E_GIT' });
  });

  it('names a repository URL that carries a token without the token when it cannot be reached', async () => {
    const token = 'ghp_statusReadT0ken000000000000000000000';
    const err = await readFleetStatus(execRunner, `http://x-access-token:${token}@127.0.0.1:9/acme/fleet.git`, join(dir, 'cache-token')).then(() => { throw new Error('it did not fail'); }, (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'E_GIT', message: expect.stringContaining('cannot fetch host statuses from http://127.0.0.1:9/acme/fleet.git: ') });
    expect(err.message).not.toContain(token);
  });
});

describe('deriveHealth', () => {
  const s = makeStatus('h', { health: 'degraded', heartbeat: '2024-05-01T12:00:00.000Z' });
  const at = Date.parse(s.heartbeat);
  it.each([
    ['fresh', at + 1000, 'degraded'],
    ['exactly at the stale threshold', at + 300_000, 'degraded'],
    ['just past the threshold', at + 300_001, 'offline'],
    ['heartbeat in the future within the clock-skew tolerance', at - 60_000, 'degraded'],
    ['heartbeat beyond the tolerance in the future, never observed: nothing shows it alive', at - 60_001, 'offline'],
    ['heartbeat years ahead, never observed', at - 5 * 365 * 86_400_000, 'offline'],
  ] as const)('%s → %s', (_what, now, want) => expect(deriveHealth(s, now, 300_000)).toBe(want));
  it.each([
    ['a day ahead, first seen a minute ago', at - 86_400_000, at - 86_400_000 - 60_000, 'degraded'],
    ['a day ahead, unchanged since first seen 6 minutes ago', at - 86_400_000, at - 86_400_000 - 360_000, 'offline'],
    ['years ahead, unchanged for 6 minutes', at - 5 * 365 * 86_400_000, at - 5 * 365 * 86_400_000 - 360_000, 'offline'],
    ['a correct clock, seen long after it was written: the heartbeat counts', at + 360_000, at + 300_000, 'offline'],
    ['a correct clock, fresh', at + 1000, at + 1000, 'degraded'],
  ] as const)('observed: %s → %s', (_what, now, observedAt, want) => expect(deriveHealth(s, now, 300_000, observedAt)).toBe(want));
  it('judges age by the reader\'s clock and flags the skew', () => {
    expect(judgeHeartbeat(s.heartbeat, at - 86_400_000, 300_000, at - 86_400_000 - 60_000)).toEqual({ ageMs: 60_000, skewMs: 86_400_000, stale: false });
    expect(judgeHeartbeat(s.heartbeat, at - 86_400_000, 300_000)).toEqual({ ageMs: null, skewMs: 86_400_000, stale: true });
    expect(judgeHeartbeat(s.heartbeat, at - 30_000, 300_000)).toEqual({ ageMs: 0, skewMs: null, stale: false });
    expect(judgeHeartbeat(s.heartbeat, at + 42_000, 300_000, at + 40_000)).toEqual({ ageMs: 42_000, skewMs: null, stale: false });
  });
  it('an unreadable heartbeat is offline', () => expect(deriveHealth({ ...s, heartbeat: 'yesterday' }, at, 300_000)).toBe('offline'));
});

describe('parseBatchOutput', () => {
  it('reports a blob damaged by decoding (not UTF-8) and stops there', () => {
    // a blob whose id does not match its (decoded) content
    const out = `${'0'.repeat(40)} blob 3\nabc\n${'1'.repeat(40)} blob 2\n{}\n`;
    expect(parseBatchOutput(out, ['x:status.json', 'y:status.json'])).toEqual([{ error: 'status.json is not UTF-8 text' }]);
  });
  it('passes "missing" through as an error', () => {
    expect(parseBatchOutput('x:status.json missing\n', ['x:status.json'])).toEqual([{ error: 'missing' }]);
  });
});

describe('isAncestor and ancestryOracle', () => {
  it('answers from git history', async () => {
    const repo = await testRepo(join(dir, 'anc'));
    const a = await repo.commit({ f: '1' });
    const b = await repo.commit({ f: '2' });
    expect(await isAncestor(execRunner, repo.remote, a, b)).toBe(true);
    expect(await isAncestor(execRunner, repo.remote, b, a)).toBe(false);
    expect(await isAncestor(execRunner, repo.remote, a, a)).toBe(true);
    await expect(isAncestor(execRunner, repo.remote, '9'.repeat(40), a)).rejects.toMatchObject({ code: 'E_GIT' });
    await expect(isAncestor(execRunner, repo.remote, '--all', a)).rejects.toMatchObject({ code: 'E_USAGE' });
    const atLeast = await ancestryOracle(execRunner, repo.remote, a, [b, a, null, '9'.repeat(40)]);
    expect([atLeast(b, a), atLeast(a, a), atLeast('9'.repeat(40), a), atLeast(a, b)]).toEqual([true, true, false, false]);
  });
});
