import { GitfleetError } from '../util/errors.js';
import type { Window } from '../fleet/model.generated.js';

/**
 * Maintenance windows: a five-field cron expression evaluated in the window's IANA time zone, each match opening
 * the window for `duration` of real (elapsed) time.
 *
 * Daylight-saving time, like `Temporal`'s "compatible" disambiguation:
 * - a start in the skipped hour (spring forward; 02:30 in Europe/Berlin on the last Sunday of March) happens
 *   shifted forward by the gap (03:30), so a daily window is never lost;
 * - a start in the repeated hour (fall back; 02:30 occurs twice) happens once, at the first occurrence.
 * Durations are elapsed time, so a window that spans a transition ends one hour earlier or later on the wall clock.
 */

/** A parsed cron expression: the allowed values of each field. */
export interface CronSpec {
  source: string;
  minutes: readonly boolean[];
  hours: readonly boolean[];
  /** Index 1..31. */
  daysOfMonth: readonly boolean[];
  /** Index 1..12. */
  months: readonly boolean[];
  /** Index 0..6, Sunday is 0. */
  daysOfWeek: readonly boolean[];
  /** Whether the day fields start with `*`: as in Vixie cron, when both are restricted a day matches either. */
  dayOfMonthStar: boolean;
  dayOfWeekStar: boolean;
}

export type WindowState = { open: true; until: Date | null } | { open: false; next: Date | null };

interface FieldSpec { name: string; min: number; max: number; names?: readonly string[] }
const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** Parses `minute hour day-of-month month day-of-week` (numbers, `*`, lists, ranges, steps, month and day names; 0 and 7 are Sunday). */
export function parseCron(expr: string): CronSpec {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5 || parts[0] === '') {
    throw cronError(expr, `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts[0] === '' ? 0 : parts.length}`);
  }
  const sets = parts.map((p, i) => parseField(expr, p, FIELDS[i]!));
  const dow = sets[4]!;
  if (dow[7]) dow[0] = true;
  return {
    source: expr,
    minutes: sets[0]!, hours: sets[1]!, daysOfMonth: sets[2]!, months: sets[3]!, daysOfWeek: dow.slice(0, 7),
    dayOfMonthStar: parts[2]!.startsWith('*'), dayOfWeekStar: parts[4]!.startsWith('*'),
  };
}

function parseField(expr: string, text: string, f: FieldSpec): boolean[] {
  const set = new Array<boolean>(f.max + 1).fill(false);
  for (const part of text.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(part);
    if (!m) throw cronError(expr, `${f.name} field "${text}": "${part}" is not a value, range or step (e.g. 5, 1-5, */15, 1-10/2)`);
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1 || step > f.max) throw cronError(expr, `${f.name} field "${text}": step ${m[2]} must be between 1 and ${f.max}`);
    const range = m[1]!;
    let lo: number, hi: number;
    if (range === '*') [lo, hi] = [f.min, f.max === 7 ? 6 : f.max];
    else if (range.includes('-')) {
      const [a, b, extra] = range.split('-');
      if (extra !== undefined || !a || !b) throw cronError(expr, `${f.name} field "${text}": "${range}" is not a range like 1-5`);
      [lo, hi] = [value(expr, a, f, text), value(expr, b, f, text)];
      if (lo > hi) throw cronError(expr, `${f.name} field "${text}": range ${range} runs backwards`);
    } else {
      lo = value(expr, range, f, text);
      // `5/15` means from 5 to the end in steps of 15, as in cronie.
      hi = m[2] === undefined ? lo : f.max;
    }
    for (let v = lo; v <= hi; v += step) set[v] = true;
  }
  return set;
}

function value(expr: string, text: string, f: FieldSpec, field: string): number {
  let n: number;
  if (/^\d+$/.test(text)) n = Number(text);
  else {
    const i = f.names?.indexOf(text.toLowerCase()) ?? -1;
    if (i < 0) throw cronError(expr, `${f.name} field "${field}": "${text}" is not a number${f.names ? ` or a name (${f.names.join(', ')})` : ''}`);
    n = i + (f.name === 'month' ? 1 : 0);
  }
  if (n < f.min || n > f.max) throw cronError(expr, `${f.name} field "${field}": ${n} is out of range ${f.min}-${f.max}`);
  return n;
}

function cronError(expr: string, why: string): GitfleetError {
  return new GitfleetError('E_VALIDATION', `cron "${expr}": ${why}`);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Wall-clock and instant order can differ by at most a DST gap; scans look this far past their first hit. */
const SLACK = 3 * HOUR;
/** How far ahead `next` is looked for: long enough for `29 2 *` on a given weekday. */
const HORIZON = 8 * 366 * DAY;

interface Compiled { spec: CronSpec; durationMs: number; tz: string }

/** Parses a window's duration (`90m`, `2h30m`) strictly; zero or junk is an error. */
export function parseWindowDuration(text: string): number {
  const m = /^(?:\d+(?:ms|s|m|h|d))+$/.test(text) ? text.match(/\d+(?:ms|s|m|h|d)/g) ?? [] : [];
  const unit = { ms: 1, s: 1000, m: MINUTE, h: HOUR, d: DAY } as const;
  const ms = m.reduce((sum, part) => sum + Number(/^\d+/.exec(part)![0]) * unit[part.replace(/^\d+/, '') as keyof typeof unit], 0);
  if (!(ms > 0)) throw new GitfleetError('E_VALIDATION', `window duration "${text}" is not a positive duration like 30m, 2h or 1h30m`);
  return ms;
}

/** Checks a window (cron, duration, time zone) and readies it for evaluation; throws E_VALIDATION with what is wrong. */
export function compileWindow(w: Window): Compiled {
  const tz = w.timezone ?? 'UTC';
  formatter(tz);
  return { spec: parseCron(w.cron), durationMs: parseWindowDuration(w.duration), tz };
}

/**
 * Whether applies are allowed at `now`: open with the end of the open period (overlapping windows merged), or
 * closed with the next opening (null when no cron match lies within 8 years). No windows means always open.
 */
export function inMaintenanceWindow(windows: readonly Window[], now: Date | number): WindowState {
  if (windows.length === 0) return { open: true, until: null };
  const at = typeof now === 'number' ? now : now.getTime();
  const compiled = windows.map(compileWindow);
  const endAt = (t: number): number | null => {
    let end: number | null = null;
    for (const c of compiled) {
      const s = lastStart(c, t);
      if (s !== null && s + c.durationMs > t && (end === null || s + c.durationMs > end)) end = s + c.durationMs;
    }
    return end;
  };
  let until = endAt(at);
  if (until !== null) {
    // Windows that touch or overlap extend the open period; bounded, since a cron can keep a window open forever.
    for (let i = 0, next = endAt(until); next !== null && i < 1000; i++, next = endAt(until)) until = next;
    return { open: true, until: new Date(until) };
  }
  let next: number | null = null;
  for (const c of compiled) {
    const s = nextStart(c, at);
    if (s !== null && (next === null || s < next)) next = s;
  }
  return { open: false, next: next === null ? null : new Date(next) };
}

/** The latest start at or before `t` that could still be open (within its duration), or null. */
function lastStart(c: Compiled, t: number): number | null {
  const wallNow = wallOf(c.tz, t);
  let best: number | null = null;
  let stopBelow = wallNow - c.durationMs - SLACK;
  for (const wall of wallMatches(c.spec, wallNow + SLACK, stopBelow, -1)) {
    if (wall < stopBelow) break;
    const s = instantOf(c.tz, wall);
    if (s > t) continue;
    if (best === null || s > best) best = s;
    stopBelow = Math.max(stopBelow, wall - SLACK);
  }
  return best;
}

/** The earliest start after `t`, or null within the horizon. */
function nextStart(c: Compiled, t: number): number | null {
  const wallNow = wallOf(c.tz, t);
  let best: number | null = null;
  let stopAbove = wallNow + HORIZON;
  for (const wall of wallMatches(c.spec, wallNow - SLACK, stopAbove, 1)) {
    if (wall > stopAbove) break;
    const s = instantOf(c.tz, wall);
    if (s <= t) continue;
    if (best === null || s < best) best = s;
    stopAbove = Math.min(stopAbove, wall + SLACK);
  }
  return best;
}

/** Wall-clock minutes (as UTC-based milliseconds) matching the spec, from `from` towards `to` in direction `dir`. */
function* wallMatches(spec: CronSpec, from: number, to: number, dir: 1 | -1): Generator<number> {
  const firstDay = Math.floor(from / DAY) * DAY;
  const lastDay = Math.floor(to / DAY) * DAY;
  const hours = indexes(spec.hours, dir);
  const minutes = indexes(spec.minutes, dir);
  for (let day = firstDay; dir > 0 ? day <= lastDay : day >= lastDay; day += dir * DAY) {
    if (!dayMatches(spec, day)) continue;
    for (const h of hours) {
      for (const m of minutes) {
        const wall = day + h * HOUR + m * MINUTE;
        if (dir > 0 ? wall >= from : wall <= from) yield wall;
      }
    }
  }
}

function dayMatches(spec: CronSpec, day: number): boolean {
  const d = new Date(day);
  if (!spec.months[d.getUTCMonth() + 1]) return false;
  const dom = spec.daysOfMonth[d.getUTCDate()] === true;
  const dow = spec.daysOfWeek[d.getUTCDay()] === true;
  return spec.dayOfMonthStar || spec.dayOfWeekStar ? dom && dow : dom || dow;
}

function indexes(set: readonly boolean[], dir: 1 | -1): number[] {
  const out: number[] = [];
  set.forEach((on, i) => { if (on) out.push(i); });
  return dir > 0 ? out : out.reverse();
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    } catch {
      throw new GitfleetError('E_VALIDATION', `"${tz}" is not an IANA time zone this system knows (e.g. Europe/Berlin, America/New_York, UTC)`);
    }
    formatters.set(tz, f);
  }
  return f;
}

/** The wall clock in `tz` at instant `t`, as milliseconds of the same fields read as UTC (seconds precision). */
function wallOf(tz: string, t: number): number {
  const secs = Math.floor(t / 1000) * 1000;
  if (tz === 'UTC') return secs;
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(secs)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
}

/** The instant a wall-clock time happens in `tz`: the first of two in a repeated hour, shifted forward by the gap in a skipped one. */
function instantOf(tz: string, wall: number): number {
  if (tz === 'UTC') return wall;
  const before = wallOf(tz, wall - DAY) - (wall - DAY);
  const after = wallOf(tz, wall + DAY) - (wall + DAY);
  const candidates = [wall - before, wall - after].filter((c) => wallOf(tz, c) === wall).sort((a, b) => a - b);
  return candidates[0] ?? wall - before;
}
