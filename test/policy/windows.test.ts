import { describe, expect, it } from 'vitest';
import { inMaintenanceWindow, parseCron, parseWindowDuration } from '../../src/policy/windows.js';
import type { Window } from '../../src/fleet/model.generated.js';

const on = (set: readonly boolean[]) => set.flatMap((v, i) => (v ? [i] : []));

describe('parseCron', () => {
  it.each([
    ['*/15 * * * *', 'minutes', [0, 15, 30, 45]],
    ['1-10/2 * * * *', 'minutes', [1, 3, 5, 7, 9]],
    ['5/20 * * * *', 'minutes', [5, 25, 45]],
    ['0,30 1,2 * * *', 'hours', [1, 2]],
    ['0 2 * * 7', 'daysOfWeek', [0]],
    ['0 2 * * 0', 'daysOfWeek', [0]],
    ['0 2 * * 5-7', 'daysOfWeek', [0, 5, 6]],
    ['0 2 * * SUN', 'daysOfWeek', [0]],
    ['0 2 * * mon-fri', 'daysOfWeek', [1, 2, 3, 4, 5]],
    ['0 2 * jan-mar,Dec *', 'months', [1, 2, 3, 12]],
    ['0 2 1-31/10 * *', 'daysOfMonth', [1, 11, 21, 31]],
    ['0 */6 * * *', 'hours', [0, 6, 12, 18]],
  ] as const)('%s → %s %j', (expr, field, want) => {
    expect(on(parseCron(expr)[field])).toEqual(want);
  });

  it('records whether the day fields are restricted (Vixie: both restricted means either matches)', () => {
    expect(parseCron('0 0 13 * 5')).toMatchObject({ dayOfMonthStar: false, dayOfWeekStar: false });
    expect(parseCron('0 0 */2 * 5')).toMatchObject({ dayOfMonthStar: true, dayOfWeekStar: false });
  });

  it.each([
    ['* * * *', /expected 5 fields .* got 4/],
    ['', /expected 5 fields/],
    ['60 * * * *', /minute field "60": 60 is out of range 0-59/],
    ['* 24 * * *', /hour field "24": 24 is out of range 0-23/],
    ['* * 0 * *', /day-of-month field "0": 0 is out of range 1-31/],
    ['* * * 13 *', /month field "13": 13 is out of range 1-12/],
    ['* * * * 8', /day-of-week field "8": 8 is out of range 0-7/],
    ['*/0 * * * *', /minute field "\*\/0": step 0 must be between 1 and 59/],
    ['5-1 * * * *', /range 5-1 runs backwards/],
    ['a * * * *', /minute field "a": "a" is not a number$/],
    ['1,,2 * * * *', /"" is not a value, range or step/],
    ['* * * foo *', /"foo" is not a number or a name \(jan, /],
    ['* * * * 1-2-3', /"1-2-3" is not a range/],
  ])('rejects %j', (expr, msg) => {
    expect(() => parseCron(expr)).toThrow(msg);
  });
});

describe('parseWindowDuration', () => {
  it.each([['90m', 90 * 60_000], ['1h30m', 90 * 60_000], ['2d', 2 * 86_400_000]])('%s', (t, ms) => expect(parseWindowDuration(t)).toBe(ms));
  it.each(['0m', '', '1x', '1h 30m', 'h'])('rejects %j', (t) => expect(() => parseWindowDuration(t)).toThrow(/not a positive duration/));
});

const w = (cron: string, duration: string, timezone?: string): Window => ({ cron, duration, ...(timezone ? { timezone } : {}) });
const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('inMaintenanceWindow', () => {
  it('is always open with no windows', () => {
    expect(inMaintenanceWindow([], new Date('2024-01-01T00:00:00Z'))).toEqual({ open: true, until: null });
  });

  it.each([
    // [what, windows, now, expected]
    ['UTC: inside', [w('0 2 * * *', '2h')], '2024-01-15T03:00:00Z', { open: true, until: '2024-01-15T04:00:00.000Z' }],
    ['UTC: at the start (inclusive)', [w('0 2 * * *', '2h')], '2024-01-15T02:00:00Z', { open: true, until: '2024-01-15T04:00:00.000Z' }],
    ['UTC: at the end (exclusive)', [w('0 2 * * *', '2h')], '2024-01-15T04:00:00Z', { open: false, next: '2024-01-16T02:00:00.000Z' }],
    ['UTC: before', [w('0 2 * * *', '2h')], '2024-01-15T01:59:00Z', { open: false, next: '2024-01-15T02:00:00.000Z' }],
    ['weekly window over a weekend', [w('0 22 * * fri', '2d')], '2024-01-13T12:00:00Z', { open: true, until: '2024-01-14T22:00:00.000Z' }],
    ['weekly window: next Friday', [w('0 22 * * fri', '2d')], '2024-01-15T12:00:00Z', { open: false, next: '2024-01-19T22:00:00.000Z' }],
    ['overlapping windows merge', [w('0 1 * * *', '2h'), w('0 2 * * *', '2h')], '2024-01-15T01:30:00Z', { open: true, until: '2024-01-15T04:00:00.000Z' }],
    ['adjacent windows merge', [w('0 1 * * *', '1h'), w('0 2 * * *', '1h')], '2024-01-15T01:30:00Z', { open: true, until: '2024-01-15T03:00:00.000Z' }],
    ['the earliest of several next openings', [w('0 5 * * *', '1h'), w('0 3 * * *', '1h')], '2024-01-15T00:00:00Z', { open: false, next: '2024-01-15T03:00:00.000Z' }],
    ['day-of-month OR day-of-week when both are set', [w('0 0 13 * 5', '1h')], '2024-01-01T00:30:00Z', { open: false, next: '2024-01-05T00:00:00.000Z' }],
    ['Feb 29 is found years ahead', [w('0 0 29 2 *', '1h')], '2025-03-01T00:00:00Z', { open: false, next: '2028-02-29T00:00:00.000Z' }],
    ['Berlin winter (UTC+1)', [w('0 2 * * *', '1h', 'Europe/Berlin')], '2024-01-15T00:30:00Z', { open: false, next: '2024-01-15T01:00:00.000Z' }],
    ['Berlin summer (UTC+2)', [w('0 2 * * *', '1h', 'Europe/Berlin')], '2024-07-15T00:30:00Z', { open: true, until: '2024-07-15T01:00:00.000Z' }],
    // 2024-03-31 02:00 CET → 03:00 CEST: 02:30 does not exist and happens at 03:30 CEST (01:30Z)
    ['Berlin skipped hour: shifted by the gap', [w('30 2 * * *', '1h', 'Europe/Berlin')], '2024-03-31T01:00:00Z', { open: false, next: '2024-03-31T01:30:00.000Z' }],
    ['Berlin skipped hour: open after the shift', [w('30 2 * * *', '1h', 'Europe/Berlin')], '2024-03-31T02:00:00Z', { open: true, until: '2024-03-31T02:30:00.000Z' }],
    // 2024-10-27 03:00 CEST → 02:00 CET: 02:30 happens twice; the window opens at the first only
    ['Berlin repeated hour: first occurrence', [w('30 2 * * *', '30m', 'Europe/Berlin')], '2024-10-27T00:40:00Z', { open: true, until: '2024-10-27T01:00:00.000Z' }],
    ['Berlin repeated hour: not again at the second', [w('30 2 * * *', '30m', 'Europe/Berlin')], '2024-10-27T01:40:00Z', { open: false, next: '2024-10-28T01:30:00.000Z' }],
    // 2024-03-10 02:00 EST → 03:00 EDT in New York
    ['New York skipped 02:00 starts at 03:00 EDT', [w('0 2 * * *', '1h', 'America/New_York')], '2024-03-10T06:30:00Z', { open: false, next: '2024-03-10T07:00:00.000Z' }],
    ['New York window spanning spring-forward lasts elapsed time', [w('0 1 * * *', '2h', 'America/New_York')], '2024-03-10T07:30:00Z', { open: true, until: '2024-03-10T08:00:00.000Z' }],
    // 2024-11-03 02:00 EDT → 01:00 EST
    ['New York repeated 01:30: first (EDT)', [w('30 1 * * *', '30m', 'America/New_York')], '2024-11-03T05:45:00Z', { open: true, until: '2024-11-03T06:00:00.000Z' }],
    ['New York repeated 01:30: not the EST one', [w('30 1 * * *', '30m', 'America/New_York')], '2024-11-03T06:45:00Z', { open: false, next: '2024-11-04T06:30:00.000Z' }],
    ['New York after fall-back uses EST', [w('0 3 * * *', '1h', 'America/New_York')], '2024-11-03T07:30:00Z', { open: false, next: '2024-11-03T08:00:00.000Z' }],
  ] as const)('%s', (_what, windows, now, want) => {
    const got = inMaintenanceWindow(windows, new Date(now));
    expect(got.open ? { open: true, until: iso(got.until) } : { open: false, next: iso(got.next) }).toEqual(want);
  });

  it('a window that keeps reopening is open (bounded merge)', () => {
    const got = inMaintenanceWindow([w('* * * * *', '1m')], new Date('2024-01-15T10:00:30Z'));
    expect(got.open).toBe(true);
    expect(got.open && got.until!.getTime()).toBeGreaterThan(Date.parse('2024-01-15T12:00:00Z'));
  });

  it('names a bad time zone, cron or duration', () => {
    expect(() => inMaintenanceWindow([w('0 2 * * *', '1h', 'Mars/Olympus')], 0)).toThrow(/"Mars\/Olympus" is not an IANA time zone/);
    expect(() => inMaintenanceWindow([w('0 25 * * *', '1h')], 0)).toThrow(/hour field/);
    expect(() => inMaintenanceWindow([w('0 2 * * *', 'soon')], 0)).toThrow(/duration "soon"/);
  });
});
