import { describe, expect, it } from 'vitest';
import { durationFlag, effectiveSchedule, jitter, nextDelay, MAX_BACKOFF_MS } from '../../src/agent/schedule.js';
import { parseListen } from '../../src/agent/listen.js';

describe('schedule', () => {
  it.each([['500ms', 500], ['30s', 30_000], ['5m', 300_000], ['1h30m', 5_400_000]])('parses %s', (text, ms) => {
    expect(durationFlag('interval', text)).toBe(ms);
  });
  it.each(['', '30', '5 m', '-1s', '0s', 'soon'])('refuses %j', (text) => {
    expect(() => durationFlag('interval', text)).toThrow(/--interval/);
  });
  it('jitters by at most ±10%', () => {
    expect(jitter(1000, () => 0)).toBe(900);
    expect(jitter(1000, () => 0.999999)).toBe(1100);
    expect(jitter(1000, () => 0.5)).toBe(1000);
  });
  it.each([[0, 30_000], [1, 30_000], [2, 60_000], [3, 120_000], [5, 480_000], [6, MAX_BACKOFF_MS], [40, MAX_BACKOFF_MS]])('backs off after %i failures', (failures, ms) => {
    expect(nextDelay(30_000, failures, () => 0.5)).toBe(ms);
  });
  it('never waits longer than the cap, even with jitter', () => {
    expect(nextDelay(30_000, 10, () => 0.999)).toBe(MAX_BACKOFF_MS);
  });
  it.each([
    ['no flags, no host settings: the defaults', {}, null, { intervalMs: 30_000, driftIntervalMs: 300_000 }],
    ['the host settings', {}, { intervalMs: 2_000, driftIntervalMs: 60_000 }, { intervalMs: 2_000, driftIntervalMs: 60_000 }],
    ['a flag wins over the host, per interval', { intervalMs: 500 }, { intervalMs: 2_000, driftIntervalMs: 60_000 }, { intervalMs: 500, driftIntervalMs: 60_000 }],
    ['both flags', { intervalMs: 500, driftIntervalMs: 1_000 }, { intervalMs: 2_000, driftIntervalMs: 60_000 }, { intervalMs: 500, driftIntervalMs: 1_000 }],
    ['a drift flag alone', { driftIntervalMs: 1_000 }, null, { intervalMs: 30_000, driftIntervalMs: 1_000 }],
  ])('effective schedule: %s', (_name, flags, host, want) => {
    expect(effectiveSchedule(flags, host)).toEqual(want);
  });
  it('accepts only loopback listen addresses', () => {
    expect(parseListen('http', '127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListen('http', '[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(() => parseListen('http', '0.0.0.0:9464')).toThrow(/loopback/);
    expect(() => parseListen('http', '9464')).toThrow(/HOST:PORT/);
  });
});
