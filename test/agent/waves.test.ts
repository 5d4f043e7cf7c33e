import { describe, expect, it } from 'vitest';
import { rolloutGate, waveIndex, type RolloutGateInput, type WaveMember } from '../../src/agent/waves.js';
import type { HostStatus } from '../../src/report/types.js';
import { buildStatus } from '../../src/agent/status.js';
import { emptyMemory } from '../../src/agent/memory.js';
import { shouldPublish } from '../../src/report/publish.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const R = 'b'.repeat(40); // the revision being rolled out
const OLD = 'a'.repeat(40); // its parent
const LATER = 'c'.repeat(40); // a descendant of R
// git ancestry, faked: OLD < R < LATER
const order = [OLD, R, LATER];
const isAtLeast = (applied: string, rev: string) => order.indexOf(applied) >= order.indexOf(rev) && order.indexOf(applied) >= 0;

const ago = (ms: number) => new Date(NOW - ms).toISOString();
const MIN = 60_000;

// clockAhead: the host's clock runs that far ahead, so the times it writes (heartbeat, healthySince) are that much later.
function status(host: string, p: { health?: HostStatus['health']; applied?: string | null; attempted?: string | null; healthyFor?: number | null; heartbeatAgo?: number; clockAhead?: number }): HostStatus {
  const ago = (ms: number) => new Date(NOW - ms + (p.clockAhead ?? 0)).toISOString();
  return {
    schemaVersion: 1, host, health: p.health ?? 'healthy',
    revision: {
      applied: p.applied === undefined ? R : p.applied, appliedAt: null, attempted: p.attempted ?? null,
      healthySince: p.healthyFor === null ? null : ago(p.healthyFor ?? 60 * MIN),
    },
    conditions: [], drift: 0, lastError: null, heartbeat: ago(p.heartbeatAgo ?? 10_000),
    agent: { version: '0.1.0', pid: 1, cycles: 1, lastCycleMs: 10, lastSuccessAt: null },
  };
}

const WAVES = [{ name: 'canary', soak: '10m' }, { name: 'early', soak: '30m' }, { name: 'broad' }];
const canary = (s: HostStatus | null): WaveMember => ({ host: 'c1', wave: 'canary', status: s });

function gate(statuses: WaveMember[], over: Partial<RolloutGateInput> = {}) {
  return rolloutGate({ revision: R, host: 'me', hostWave: 'early', waves: WAVES, maxUnavailable: 0, statuses, now: NOW, isAtLeast, staleAfterMs: 5 * MIN, ...over });
}

describe('rolloutGate', () => {
  it.each<[string, WaveMember[], Partial<RolloutGateInput>, string, RegExp?]>([
    ['canary healthy, soak not over → wait', [canary(status('c1', { healthyFor: 5 * MIN }))], {}, 'WaitingForWave', /c1 is healthy for 5m of the canary soak of 10m/],
    ['canary healthy, soak over → ok', [canary(status('c1', { healthyFor: 10 * MIN }))], {}, 'ok'],
    ['canary on a later revision, soaked → ok (R or later)', [canary(status('c1', { applied: LATER }))], {}, 'ok'],
    ['canary still on the old revision → wait', [canary(status('c1', { applied: OLD }))], {}, 'WaitingForWave', /c1 has not applied bbbbbbb yet/],
    ['canary never applied anything → wait', [canary(status('c1', { applied: null, health: 'pending' }))], {}, 'WaitingForWave', /has not applied/],
    ['canary degraded on R → wait', [canary(status('c1', { health: 'degraded' }))], {}, 'WaitingForWave', /c1 is degraded/],
    ['canary failed on R → WaveFailed', [canary(status('c1', { health: 'failed', applied: OLD, attempted: R }))], {}, 'WaveFailed', /failed in an earlier wave on c1 \(wave canary\)/],
    ['a failure on R halts even when that host went offline', [canary(status('c1', { health: 'failed', applied: OLD, attempted: R, heartbeatAgo: 60 * MIN }))], { maxUnavailable: 5 }, 'WaveFailed'],
    ['canary failed on an older revision, not yet on R → wait', [canary(status('c1', { health: 'failed', applied: OLD, attempted: OLD }))], {}, 'WaitingForWave'],
    ['offline canary, maxUnavailable 0 → wait', [canary(status('c1', { heartbeatAgo: 6 * MIN }))], { maxUnavailable: 0 }, 'WaitingForWave', /c1 \(offline\).*1 unavailable, 0 allowed/],
    ['offline canary, maxUnavailable 1 → ok', [canary(status('c1', { heartbeatAgo: 6 * MIN }))], { maxUnavailable: 1 }, 'ok'],
    ['never-seen canary counts as unavailable', [canary(null)], { maxUnavailable: 0 }, 'WaitingForWave', /never reported/],
    ['never-seen canary within maxUnavailable → ok', [canary(null)], { maxUnavailable: 1 }, 'ok'],
    ['the first wave is never gated', [canary(status('c1', { health: 'failed', attempted: R }))], { hostWave: 'canary' }, 'ok'],
    ['no waves: never gated', [canary(null)], { waves: [] }, 'ok'],
    ['no wave → last wave: gated by every earlier wave', [canary(status('c1', {})), { host: 'e1', wave: 'early', status: status('e1', { healthyFor: 20 * MIN }) }], { hostWave: undefined }, 'WaitingForWave', /e1 is healthy for 20m of the early soak of 30m/],
    ['last wave after both earlier waves soaked → ok', [canary(status('c1', {})), { host: 'e1', wave: 'early', status: status('e1', { healthyFor: 31 * MIN }) }], { hostWave: 'broad' }, 'ok'],
    ['hosts of the same or later waves do not gate', [{ host: 'e2', wave: 'early', status: status('e2', { applied: OLD }) }, { host: 'b1', status: null }], {}, 'ok'],
    ['this host itself is ignored', [canary(status('c1', {})), { host: 'me', wave: 'canary', status: null }], {}, 'ok'],
    ['a wave without soak needs only healthy on R', [{ host: 'e1', wave: 'early', status: status('e1', { healthyFor: 0 }) }], { hostWave: 'broad', waves: [{ name: 'early' }, { name: 'broad' }] }, 'ok'],
  ])('%s', (_what, statuses, over, want, msg) => {
    const got = gate(statuses, over);
    if (want === 'ok') expect(got).toEqual({ ok: true });
    else {
      expect(got).toMatchObject({ ok: false, reason: want });
      if (msg && !got.ok) expect(got.message).toMatch(msg);
    }
  });

  // A canary whose clock runs ahead is aged from when this host first saw its status (observedAt), as `gitfleet status` does.
  it.each<[string, { clockAhead: number; heartbeatAgo?: number; healthyFor?: number }, string | null, Partial<RolloutGateInput>, string, RegExp?]>([
    ['healthy, clock 10 min ahead, seen 10 s ago → ok', { clockAhead: 10 * MIN }, ago(10_000), {}, 'ok'],
    ['healthy, clock 10 min ahead, healthy for exactly the soak (its clock) → ok', { clockAhead: 10 * MIN, healthyFor: 10 * MIN }, ago(10_000), {}, 'ok'],
    ['healthy, clock 10 min ahead, soak not over → wait, the soak measured without the skew', { clockAhead: 10 * MIN, healthyFor: 5 * MIN }, ago(10_000), {}, 'WaitingForWave', /c1 is healthy for 5m of the canary soak of 10m/],
    ['healthy, clock a day ahead, seen 1 min ago → ok', { clockAhead: 1440 * MIN }, ago(MIN), {}, 'ok'],
    ['healthy, clock 30 s ahead (within the tolerance), not observed → ok', { clockAhead: 30_000 }, null, {}, 'ok'],
    ['silent, clock 10 min ahead, unchanged since seen 6 min ago → offline', { clockAhead: 10 * MIN, heartbeatAgo: 6 * MIN }, ago(6 * MIN), {}, 'WaitingForWave', /c1 \(offline\).*1 unavailable, 0 allowed/],
    ['silent, clock a day ahead, unchanged since seen 6 min ago → offline', { clockAhead: 1440 * MIN, heartbeatAgo: 6 * MIN }, ago(6 * MIN), {}, 'WaitingForWave', /c1 \(offline\)/],
    ['silent, clock a day ahead, offline within maxUnavailable 1 → ok', { clockAhead: 1440 * MIN, heartbeatAgo: 6 * MIN }, ago(6 * MIN), { maxUnavailable: 1 }, 'ok'],
    ['clock a day ahead, never observed: nothing shows it alive → offline', { clockAhead: 1440 * MIN }, null, {}, 'WaitingForWave', /c1 \(offline\)/],
    ['clock behind, seen now: judged by its old heartbeat → offline', { clockAhead: -10 * MIN }, ago(0), {}, 'WaitingForWave', /c1 \(offline\)/],
  ])('clock skew: %s', (_what, clock, observedAt, over, want, msg) => {
    const got = gate([{ ...canary(status('c1', clock)), observedAt }], over);
    if (want === 'ok') expect(got).toEqual({ ok: true });
    else {
      expect(got).toMatchObject({ ok: false, reason: want });
      if (msg && !got.ok) expect(got.message).toMatch(msg);
    }
  });

  // A healthySince later than the heartbeat was written before the host's clock was set back: healthy since that heartbeat.
  const DAY = 1440 * MIN;
  const at = (ms: number) => new Date(NOW + ms).toISOString();
  it.each<[string, { heartbeat: number; since: number }, string | null, Partial<RolloutGateInput>, string, RegExp?]>([
    ['clock set back, healthySince 2 days ahead → just became healthy: waits the soak', { heartbeat: -10_000, since: 2 * DAY }, ago(10_000), {}, 'WaitingForWave', /c1 is healthy for 10s of the canary soak of 10m/],
    ['clock set back, healthySince 2 days ahead, wave without soak → ok', { heartbeat: -10_000, since: 2 * DAY }, ago(10_000), { waves: [{ name: 'canary' }, { name: 'early' }] }, 'ok'],
    ['clock still a day ahead, healthySince after its heartbeat → healthy since that heartbeat was seen', { heartbeat: DAY, since: 2 * DAY }, ago(2 * MIN), {}, 'WaitingForWave', /c1 is healthy for 2m of the canary soak/],
    ['healthySince 30 s ahead (within the tolerance), wave without soak → ok, not negative', { heartbeat: 30_000, since: 30_000 }, null, { waves: [{ name: 'canary' }, { name: 'early' }] }, 'ok'],
  ])('clock set back: %s', (_what, t, observedAt, over, want, msg) => {
    const s = status('c1', {});
    const member: WaveMember = { ...canary({ ...s, heartbeat: at(t.heartbeat), revision: { ...s.revision, healthySince: at(t.since) } }), observedAt };
    const got = gate([member], over);
    if (want === 'ok') expect(got).toEqual({ ok: true });
    else {
      expect(got).toMatchObject({ ok: false, reason: want });
      if (msg && !got.ok) expect(got.message).toMatch(msg);
    }
  });

  // The whole path: the canary's agent (buildStatus, shouldPublish) and this host's gate, one cycle every 30 s, after
  // NTP set the canary's clock back by 2 days. `since`: its healthySince, on its clock.
  it.each<[string, number, number]>([
    ['healthySince written while the clock ran ahead → the soak restarts at the correction (30 s) and ends at 10m30s', 2 * DAY - 60 * MIN, 20],
    ['healthySince written before the clock ran ahead → soaked already; only the heartbeat moves back, and it is published', -60 * MIN, 0],
  ])('a canary whose fast clock is corrected stays online: %s', (_what, since, firstOk) => {
    const fast = 2 * DAY;
    const mem = { ...emptyMemory(), applied: R, appliedAt: at(since), healthySince: at(since) };
    mem.verdict = { health: 'healthy', drift: 0, lastError: null, attempted: null, conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'ok' }] };
    const counters = { version: '0.1.0', cycles: 0, lastCycleMs: 1, lastSuccessAt: null };
    // Last published while the clock ran ahead; this host first saw it at NOW.
    let published = buildStatus('c1', mem, counters, new Date(NOW + fast), null);
    let observedAt = ago(0);
    let prev = published;
    const seen: string[] = [];
    for (let t = 30_000; t <= 15 * MIN; t += 30_000) {
      const next = buildStatus('c1', mem, counters, new Date(NOW + t), prev);
      prev = next;
      if (shouldPublish(published, next, 60_000)) {
        published = next;
        observedAt = at(t); // a new status commit: this host sees it now
      }
      const g = rolloutGate({ revision: R, host: 'me', hostWave: 'early', waves: WAVES, statuses: [{ host: 'c1', wave: 'canary', status: published, observedAt }], now: NOW + t, isAtLeast, staleAfterMs: 5 * MIN });
      seen.push(g.ok ? 'ok' : /offline/.test(g.message) ? 'offline' : 'soaking');
    }
    expect(seen).not.toContain('offline');
    expect(seen.indexOf('ok')).toBe(firstOk);
    expect(seen.slice(firstOk).every((x) => x === 'ok')).toBe(true);
  });

  it('lists a few blockers and counts the rest', () => {
    const many = Array.from({ length: 6 }, (_, i) => canary(status(`c${i}`, { applied: OLD }))).map((m, i) => ({ ...m, host: `c${i}` }));
    const got = gate(many);
    expect(!got.ok && got.message).toMatch(/c0 has not applied .*c2 has not applied bbbbbbb yet and 3 more/);
  });
});

describe('waveIndex', () => {
  it.each([['canary', 0], ['broad', 2], [undefined, 2], ['nope', 2]] as const)('%s → %d', (wave, i) => expect(waveIndex(WAVES, wave)).toBe(i));
});
