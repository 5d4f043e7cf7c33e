import type { HostStatus } from './types.js';

const HEALTHS = new Set(['healthy', 'degraded', 'failed', 'pending']);
/** A status document larger than this is refused: a host's status is a few KiB. */
export const MAX_STATUS_BYTES = 1024 * 1024;

/** A status read back from the fleet repository, or why it could not be read. */
export type ParsedStatus = { status: HostStatus } | { error: string };

/**
 * Checks the parts of a published status that readers rely on (schema version, host, health, revision,
 * heartbeat, drift); `expectedHost` is the host named by the ref, which the document must agree with.
 */
export function parseHostStatus(text: string, expectedHost: string): ParsedStatus {
  if (Buffer.byteLength(text, 'utf8') > MAX_STATUS_BYTES) return { error: `status.json is larger than ${MAX_STATUS_BYTES} bytes` };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { error: `status.json is not JSON: ${(err as Error).message}` };
  }
  const problem = shapeProblem(data, expectedHost);
  return problem ? { error: problem } : { status: data as HostStatus };
}

function shapeProblem(data: unknown, host: string): string | null {
  if (!isRecord(data)) return 'status.json is not a JSON object';
  if (data.schemaVersion !== 1) return `status.json has schemaVersion ${JSON.stringify(data.schemaVersion)}, expected 1`;
  if (data.host !== host) return `status.json names host ${JSON.stringify(data.host)} but is published under the ref of ${host}`;
  if (typeof data.health !== 'string' || !HEALTHS.has(data.health)) return `status.json has health ${JSON.stringify(data.health)}, expected one of ${[...HEALTHS].join(', ')}`;
  const rev = data.revision;
  if (!isRecord(rev)) return 'status.json has no revision object';
  for (const k of ['applied', 'appliedAt', 'attempted', 'healthySince'] as const) {
    if (rev[k] !== null && typeof rev[k] !== 'string') return `status.json revision.${k} must be a string or null`;
  }
  if (typeof data.heartbeat !== 'string' || Number.isNaN(Date.parse(data.heartbeat))) return 'status.json has no valid heartbeat time';
  if (typeof data.drift !== 'number' || !Number.isFinite(data.drift)) return 'status.json drift must be a number';
  if (!Array.isArray(data.conditions)) return 'status.json conditions must be a list';
  const err = data.lastError;
  if (err !== null && (!isRecord(err) || typeof err.code !== 'string' || typeof err.message !== 'string')) return 'status.json lastError must be null or {code, message, at}';
  if (!isRecord(data.agent)) return 'status.json has no agent object';
  return null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
