import { parseDuration } from '../fleet/platform.js';
import type { HostStatus } from '../report/types.js';
import { judgeHeartbeat, DEFAULT_STALE_AFTER_MS, type HeartbeatJudgement } from '../report/health.js';

/** A rollout wave as `fleet.yaml` declares it. */
export interface Wave {
  name: string;
  /** How long the wave must stay healthy on a revision before the next wave may apply it (`10m`); none means no soak. */
  soak?: string;
}

/** Another host as the gate sees it: its wave from the fleet, and its last published status (null: never reported). */
export interface WaveMember {
  host: string;
  wave?: string;
  status: HostStatus | null;
  /**
   * When this host first saw that status (its own clock; `PublishedStatus.observedAt` of readFleetStatus). Without it
   * a heartbeat more than the clock-skew tolerance ahead cannot be aged, and the member counts as offline.
   */
  observedAt?: string | null;
}

export interface RolloutGateInput {
  /** The revision this host wants to apply. */
  revision: string;
  host: string;
  hostWave?: string;
  waves: readonly Wave[];
  /** How many hosts of earlier waves may be offline (or never seen) without holding later waves (default 0). */
  maxUnavailable?: number;
  /** Every host of the fleet (this host may be among them; it is ignored). */
  statuses: readonly WaveMember[];
  now: Date | number;
  /** Whether `applied` is `revision` or a later commit that contains it (git ancestry), precomputed by the caller. */
  isAtLeast: (applied: string, revision: string) => boolean;
  /** A heartbeat older than this makes a host offline (default 5m). */
  staleAfterMs?: number;
}

export type RolloutGate = { ok: true } | { ok: false; reason: 'WaitingForWave' | 'WaveFailed'; message: string };

/** The index of a wave by name; hosts with no wave, or a wave the fleet does not declare, belong to the last wave. */
export function waveIndex(waves: readonly Wave[], wave: string | undefined): number {
  const i = wave === undefined ? -1 : waves.findIndex((w) => w.name === wave);
  return i < 0 ? Math.max(waves.length - 1, 0) : i;
}

/**
 * Whether `host` may apply `revision` now: every host of every earlier wave must report it (or later) healthy
 * for at least that wave's soak; a host of an earlier wave that failed on it halts the rollout (`WaveFailed`);
 * offline or never-seen hosts of earlier waves are tolerated up to `maxUnavailable`. The first wave is never gated.
 */
export function rolloutGate(input: RolloutGateInput): RolloutGate {
  const { revision, waves, isAtLeast } = input;
  const k = waveIndex(waves, input.hostWave);
  if (waves.length === 0 || k === 0) return { ok: true };
  const now = typeof input.now === 'number' ? input.now : input.now.getTime();
  const staleAfter = input.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const earlier = input.statuses
    .filter((m) => m.host !== input.host && waveIndex(waves, m.wave) < k)
    .sort((a, b) => waveIndex(waves, a.wave) - waveIndex(waves, b.wave) || (a.host < b.host ? -1 : 1));
  const failed: string[] = [];
  const unavailable: string[] = [];
  const waiting: string[] = [];
  for (const m of earlier) {
    const wave = waves[waveIndex(waves, m.wave)]!;
    const s = m.status;
    if (!s) {
      unavailable.push(`${m.host} (never reported)`);
      continue;
    }
    // A failure on exactly this revision is a verdict on it, even from a host that has since gone quiet.
    if (s.health === 'failed' && s.revision.attempted === revision) {
      failed.push(`${m.host} (wave ${wave.name})`);
      continue;
    }
    // Judged as `gitfleet status` judges it: a clock running ahead neither keeps a dead host alive nor a live one out.
    const beat = judgeHeartbeat(s.heartbeat, now, staleAfter, m.observedAt);
    if (beat.stale) {
      unavailable.push(`${m.host} (offline)`);
      continue;
    }
    const why = notReady(s, wave, revision, now, beat, isAtLeast);
    if (why) waiting.push(`${m.host} ${why}`);
  }
  const short = revision.slice(0, 7);
  if (failed.length > 0) {
    return { ok: false, reason: 'WaveFailed', message: `revision ${short} failed in an earlier wave on ${list(failed)}; later waves keep their current revision` };
  }
  const max = input.maxUnavailable ?? 0;
  if (unavailable.length > max) waiting.unshift(...unavailable);
  if (waiting.length > 0) {
    const budget = unavailable.length > max ? ` (${unavailable.length} unavailable, ${max} allowed)` : '';
    return { ok: false, reason: 'WaitingForWave', message: `waiting for earlier waves to run ${short} healthy: ${list(waiting)}${budget}` };
  }
  return { ok: true };
}

function notReady(s: HostStatus, wave: Wave, revision: string, now: number, beat: HeartbeatJudgement, isAtLeast: RolloutGateInput['isAtLeast']): string | null {
  const applied = s.revision.applied;
  if (!applied || !(applied === revision || isAtLeast(applied, revision))) return `has not applied ${revision.slice(0, 7)} yet`;
  if (s.health !== 'healthy') return `is ${s.health}`;
  const soakMs = wave.soak ? parseDuration(wave.soak) : 0;
  const since = s.revision.healthySince ? Date.parse(s.revision.healthySince) : NaN;
  if (Number.isNaN(since)) return soakMs > 0 ? 'has no healthy-since time' : null;
  // healthySince is on the host's clock: with clock skew, measure up to its heartbeat on that clock, then add the age
  // this host measured on its own (never more than the truth for a clock that runs ahead).
  // A healthySince after the heartbeat was written before the host's clock was set back: it just became healthy.
  const heartbeat = Date.parse(s.heartbeat);
  const from = Math.min(since, heartbeat);
  // Within the skew tolerance the heartbeat (and so `from`) may be a little ahead of `now`: that is 0, not negative.
  const healthyFor = Math.max(0, beat.skewMs === null ? now - from : heartbeat - from + (beat.ageMs ?? 0));
  if (healthyFor < soakMs) return `is healthy for ${human(healthyFor)} of the ${wave.name} soak of ${human(soakMs)}`;
  return null;
}

function list(items: string[]): string {
  return items.length <= 3 ? items.join(', ') : `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`;
}

function human(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ''}`;
}
