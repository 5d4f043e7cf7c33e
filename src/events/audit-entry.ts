import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** The `prev` of the first entry. */
export const GENESIS = '0'.repeat(64);

/** One line of the audit log. `data` holds redacted facts only — never a secret value. */
export interface AuditEntry {
  /** 1, 2, 3, ... with no gaps. */
  seq: number;
  /** ISO 8601. */
  time: string;
  /** What happened, e.g. `apply.started`, `policy.denied`. */
  type: string;
  data: Record<string, unknown>;
  /** The `hash` of the previous entry, or 64 zeros for the first. */
  prev: string;
  /** Hex SHA-256 of the canonical JSON of {seq, time, type, data, prev}. */
  hash: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const FIELDS = ['seq', 'time', 'type', 'data', 'prev', 'hash'];

/** The hash an entry must carry: SHA-256 over the canonical JSON of everything but the hash. */
export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const body = canonicalJson({ seq: e.seq, time: e.time, type: e.type, data: e.data, prev: e.prev });
  return createHash('sha256').update(body).digest('hex');
}

/** Parses one line into an entry, or says what is wrong with its shape. */
export function parseEntry(line: string): { entry: AuditEntry } | { malformed: string } | { extra: string } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (err) {
    return { malformed: `not JSON (${(err as Error).message})` };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { malformed: 'not a JSON object' };
  const o = v as Record<string, unknown>;
  if (!Number.isSafeInteger(o.seq) || (o.seq as number) < 1) return { malformed: '"seq" is not a positive integer' };
  if (typeof o.time !== 'string' || Number.isNaN(Date.parse(o.time))) return { malformed: '"time" is not an ISO time' };
  if (typeof o.type !== 'string' || o.type === '') return { malformed: '"type" is not a non-empty string' };
  if (o.data === null || typeof o.data !== 'object' || Array.isArray(o.data)) return { malformed: '"data" is not an object' };
  if (typeof o.prev !== 'string' || !HEX64.test(o.prev)) return { malformed: '"prev" is not 64 hex digits' };
  if (typeof o.hash !== 'string' || !HEX64.test(o.hash)) return { malformed: '"hash" is not 64 hex digits' };
  const extra = Object.keys(o).find((k) => !FIELDS.includes(k));
  if (extra !== undefined) return { extra };
  return { entry: o as unknown as AuditEntry };
}
