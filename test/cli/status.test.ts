// `gitfleet status` through the real CLI entry point, on a real repository with published statuses.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execRunner } from '../../src/util/exec.js';
import { publishStatus } from '../../src/report/publish.js';
import type { HostStatus } from '../../src/report/types.js';
import { testRepo, type TestRepo } from '../helpers/git.js';
import { makeStatus } from '../report/helpers.js';
import { runCli, startCli } from '../helpers/cli.js';

const start = (argv: string[], env: NodeJS.ProcessEnv, tty = false) => startCli(argv, { env, tty });
const run = (argv: string[], env: NodeJS.ProcessEnv) => runCli(argv, { env });

const host = (name: string, wave?: string) => `apiVersion: gitfleet/v1\nkind: Host\nname: ${name}\nos: linux\narch: x64\n${wave ? `wave: ${wave}\n` : ''}`;

let dir: string;
let repo: TestRepo;
let old: string;
let head: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gf-status-cli-'));
  env = { XDG_CACHE_HOME: join(dir, 'cache'), NO_COLOR: '1' };
  repo = await testRepo(join(dir, 'repo'));
  old = await repo.commit({
    'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: lab\nstaleAfter: 5m\nrollout:\n  waves: [{name: canary, soak: 10m}, {name: broad}]\n',
    'hosts/zeta-canary.yaml': host('zeta-canary', 'canary'),
    'hosts/alpha.yaml': host('alpha'),
    'hosts/bravo.yaml': host('bravo', 'broad'),
  });
  head = await repo.commit({ 'hosts/newbie.yaml': host('newbie') });
  const now = Date.now();
  const at = (agoMs: number) => new Date(now - agoMs).toISOString();
  const rev = (applied: string): HostStatus['revision'] => ({ applied, appliedAt: at(60_000), attempted: null, healthySince: at(60_000) });
  const pub = (s: HostStatus) => publishStatus(execRunner, repo.remote, s, { workDir: join(dir, 'pub') });
  await pub(makeStatus('zeta-canary', { wave: 'canary', revision: rev(head), heartbeat: at(3_000) }));
  await pub(makeStatus('alpha', { health: 'degraded', revision: { ...rev(old), attempted: head }, drift: 2, heartbeat: at(20_000), os: 'linux',
    lastError: { code: 'ValidationFailed', message: 'hosts/alpha.yaml:3:1 missing arch\nmore detail', at: at(20_000) } }));
  await pub(makeStatus('bravo', { revision: rev(old), heartbeat: at(10 * 60_000) })); // stale: older than 5m
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('gitfleet status', () => {
  it('prints the fleet table: wave order then name, head/behind, offline by staleAfter, never-seen hosts pending', async () => {
    const { code, out, err } = await run(['status', '--repo', repo.remote], env);
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^HOST\s+OS\s+WAVE\s+REVISION\s+HEALTH\s+DRIFT\s+LAST ERROR\s+AGE$/);
    const rows = lines.slice(1, 5).map((l) => l.split(/\s{2,}/));
    expect(rows).toEqual([
      ['zeta-canary', 'linux', 'canary', `${head.slice(0, 7)} (head)`, 'healthy', '0', '-', expect.stringMatching(/^\d+s$/)],
      ['alpha', 'linux', 'broad', `${old.slice(0, 7)} behind`, 'degraded', '2', 'ValidationFailed: hosts/alpha.yaml:3:1 missing arch', expect.stringMatching(/^[2-5]\ds$/)],
      ['bravo', 'linux', 'broad', `${old.slice(0, 7)} behind`, 'offline', '0', '-', '10m'],
      ['newbie', 'linux', 'broad', '-', 'pending', '-', 'never seen', 'never'],
    ]);
    expect(lines[5]).toBe('');
    expect(lines[6]).toBe(`fleet lab at main ${head.slice(0, 7)} · 4 hosts: 1 healthy, 1 degraded, 1 pending, 1 offline`);
  });

  it('--json gives stable rows', async () => {
    const { code, out } = await run(['status', '--repo', repo.remote, '--json'], env);
    expect(code).toBe(0);
    const view = JSON.parse(out) as { head: string; fleet: string; staleAfterMs: number; hosts: Record<string, unknown>[] };
    expect(view).toMatchObject({ fleet: 'lab', branch: 'main', head, staleAfterMs: 300_000 });
    expect(view.hosts.map((h) => [h.host, h.wave, h.health, h.inFleet])).toEqual([
      ['zeta-canary', 'canary', 'healthy', true], ['alpha', 'broad', 'degraded', true], ['bravo', 'broad', 'offline', true], ['newbie', 'broad', 'pending', true],
    ]);
    expect(Object.keys(view.hosts[0]!)).toEqual(['host', 'inFleet', 'os', 'wave', 'revision', 'health', 'drift', 'lastError', 'heartbeat', 'ageSeconds', 'clockSkewSeconds', 'observedAt', 'statusError']);
    expect(view.hosts[1]).toMatchObject({ revision: { applied: old, attempted: head, isHead: false }, lastError: { code: 'ValidationFailed' } });
  });

  it('a host whose clock runs days ahead is flagged, and goes offline once its status stops changing', async () => {
    const skewRepo = await testRepo(join(dir, 'skew'));
    await skewRepo.commit({ 'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: lab\nstaleAfter: 2s\n', 'hosts/ahead.yaml': host('ahead') });
    await publishStatus(execRunner, skewRepo.remote, makeStatus('ahead', { heartbeat: new Date(Date.now() + 3 * 86_400_000).toISOString() }), { workDir: join(dir, 'pub-skew') });
    const first = await run(['status', '--repo', skewRepo.remote, '--json'], env);
    const row = (out: string) => (JSON.parse(out) as { hosts: { health: string; clockSkewSeconds: number | null; ageSeconds: number | null }[] }).hosts[0]!;
    expect(row(first.out)).toMatchObject({ health: 'healthy', ageSeconds: 0, clockSkewSeconds: expect.any(Number) });
    expect(row(first.out).clockSkewSeconds).toBeGreaterThan(3 * 86_400 - 60);
    const table = await run(['status', '--repo', skewRepo.remote], env);
    expect(table.out).toMatch(/^ahead .*healthy .* \ds \(clock-skew \+[23]d\)$/m);
    // the same status, 2 s later by this reader's clock: older than staleAfter, whatever the host's clock says
    await new Promise((r) => setTimeout(r, 2_200));
    expect(row((await run(['status', '--repo', skewRepo.remote, '--json'], env)).out)).toMatchObject({ health: 'offline', ageSeconds: expect.any(Number) });
  });

  it('--watch prints plain repeated tables off a TTY until SIGINT', async () => {
    const r = start(['status', '--repo', repo.remote, '--watch', '--interval', '50ms'], env);
    for (let i = 0; i < 200 && (r.out().match(/^HOST/gm) ?? []).length < 2; i++) await new Promise((res) => setTimeout(res, 25));
    process.emit('SIGINT');
    expect(await r.done).toBe(0);
    expect((r.out().match(/^HOST/gm) ?? []).length).toBeGreaterThanOrEqual(2);
    expect(r.out()).not.toContain('\x1b[');
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('--watch redraws in place, coloured, on a TTY (colour off with NO_COLOR)', async () => {
    const r = start(['status', '--repo', repo.remote, '--watch', '--interval', '50ms'], { XDG_CACHE_HOME: env.XDG_CACHE_HOME }, true);
    for (let i = 0; i < 200 && (r.out().match(/\x1b\[H\x1b\[2J/g) ?? []).length < 2; i++) await new Promise((res) => setTimeout(res, 25));
    process.emit('SIGINT');
    expect(await r.done).toBe(0);
    expect(r.out().startsWith('\x1b[H\x1b[2JHOST')).toBe(true);
    expect(r.out()).toContain('\x1b[32mhealthy');
    const plain = await run(['status', '--repo', repo.remote], env);
    expect(plain.out).not.toContain('\x1b[');
  });

  it('fails with a usage error on a bad interval, and E_GIT on a missing repository', async () => {
    expect(await run(['status', '--repo', repo.remote, '--interval', 'soon'], env)).toMatchObject({ code: 1, err: expect.stringMatching(/--interval must be a duration/) });
    expect(await run(['status', '--repo', join(dir, 'missing.git')], env)).toMatchObject({ code: 1, err: expect.stringMatching(/gitfleet status: cannot fetch host statuses from .*missing\.git: '.*missing\.git' does not appear to be a git repository/) });
  });

  it('has help with an example', async () => {
    const { code, out } = await run(['status', '--help'], env);
    expect(code).toBe(0);
    expect(out).toMatch(/Example:\n {2}gitfleet status --repo/);
  });
});
