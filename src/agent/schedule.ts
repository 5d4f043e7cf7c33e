import { parseDuration } from '../fleet/platform.js';
import { GitfleetError } from '../util/errors.js';

/** The agent's default intervals when neither a flag nor the fleet sets them (DESIGN.md §2 `defaults`). */
export const DEFAULT_INTERVAL_MS = 30_000;
export const DEFAULT_DRIFT_INTERVAL_MS = 5 * 60_000;

/** How often the agent polls the remote head and observes the host. */
export interface Schedule {
  intervalMs: number;
  driftIntervalMs: number;
}

/** Each interval from its flag when given, else from the host's resolved agent settings, else the default. */
export function effectiveSchedule(flags: Partial<Schedule>, host: Schedule | null): Schedule {
  return {
    intervalMs: flags.intervalMs ?? host?.intervalMs ?? DEFAULT_INTERVAL_MS,
    driftIntervalMs: flags.driftIntervalMs ?? host?.driftIntervalMs ?? DEFAULT_DRIFT_INTERVAL_MS,
  };
}

/** The longest wait after repeated failures. */
export const MAX_BACKOFF_MS = 10 * 60 * 1000;

/** Parses a flag's duration (`500ms`, `30s`, `5m`, `1h30m`) into ms; anything else is a usage error naming the flag. */
export function durationFlag(flag: string, value: string): number {
  if (!/^(\d+(ms|s|m|h|d))+$/.test(value)) throw new GitfleetError('E_USAGE', `--${flag} takes a duration like 500ms, 30s, 5m or 1h30m, got "${value}"`);
  const ms = parseDuration(value);
  if (!(ms > 0)) throw new GitfleetError('E_USAGE', `--${flag} must be longer than zero`);
  return ms;
}

/** `ms` moved by up to ±`fraction` at random, so that a fleet's agents do not poll in step. */
export function jitter(ms: number, random: () => number = Math.random, fraction = 0.1): number {
  return Math.max(1, Math.round(ms * (1 + fraction * (2 * random() - 1))));
}

/** The wait before the next cycle: the interval after a success; interval × 2^(failures-1), capped, after failures; both jittered. */
export function nextDelay(intervalMs: number, consecutiveFailures: number, random: () => number = Math.random): number {
  if (consecutiveFailures <= 0) return jitter(intervalMs, random);
  const cap = Math.max(MAX_BACKOFF_MS, intervalMs); // an interval longer than the cap is never shortened by failing
  return Math.min(cap, jitter(Math.min(cap, intervalMs * 2 ** Math.min(consecutiveFailures - 1, 30)), random));
}
