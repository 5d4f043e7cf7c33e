import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { GitfleetError } from '../util/errors.js';
import { GENESIS, entryHash, parseEntry } from './audit-entry.js';

/** What is wrong at a line of the audit log. */
export type AuditProblem = 'edited' | 'removed' | 'reordered' | 'malformed' | 'truncated';

/** The result of checking a whole audit log; `line` is 1-based. */
export type AuditVerifyResult =
  | { ok: true; entries: number; head: string }
  | { ok: false; line: number; problem: AuditProblem; message: string };

// What pass 1 keeps per line: enough to check links without holding the data.
type Row =
  | { kind: 'entry'; seq: number; prev: string; hash: string; hashOk: boolean; extra?: string }
  | { kind: 'bad'; why: string };

/**
 * Checks every line and the chain; reports the first problem in file order.
 * Not detectable from the file alone: lines cut off at the end on a line boundary, or a rewritten
 * last line — compare the chain head with one recorded elsewhere (the published status) for that.
 */
export async function verifyAudit(path: string): Promise<AuditVerifyResult> {
  await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new GitfleetError(err.code === 'ENOENT' ? 'E_NOT_FOUND' : 'E_IO', `no audit log at ${path}: ${err.message}`, { cause: err });
  });
  const { rows, terminated } = await readRows(path);
  const firstLineOf = new Map<number, number>();
  rows.forEach((r, i) => { if (r.kind === 'entry' && !firstLineOf.has(r.seq)) firstLineOf.set(r.seq, i + 1); });
  let seq = 0;
  let head = GENESIS;
  for (const [i, row] of rows.entries()) {
    const line = i + 1;
    const fail = (problem: AuditProblem, message: string, at = line): AuditVerifyResult => ({ ok: false, line: at, problem, message });
    if (line === rows.length && !terminated) return fail('truncated', 'the last line has no final newline: the file was cut off');
    if (row.kind === 'bad') return fail('malformed', row.why);
    if (row.extra !== undefined) return fail('edited', `field "${row.extra}" is not part of an audit entry (added after writing)`);
    if (!row.hashOk) return fail('edited', `entry seq ${row.seq}: its hash does not match its content`);
    const expected = seq + 1;
    if (row.seq < expected) {
      return fail('reordered', `seq ${row.seq} comes after seq ${seq}: lines were reordered or duplicated`);
    }
    if (row.seq > expected) {
      const later = firstLineOf.get(expected);
      if (later !== undefined && later > line) return fail('reordered', `seq ${row.seq} where seq ${expected} was expected; seq ${expected} is at line ${later}`);
      if (row.prev === head) return fail('edited', `seq ${row.seq} where seq ${expected} was expected, yet it links to the previous line: its seq was rewritten`);
      const missing = row.seq - expected === 1 ? `seq ${expected} is` : `seq ${expected}..${row.seq - 1} are`;
      return fail('removed', `${missing} missing before this line and its prev link does not match the line before`);
    }
    if (row.prev !== head) {
      // Consecutive seq but a broken link: the line before was rewritten and rehashed.
      if (line === 1) return fail('edited', 'the first entry does not start the chain (prev is not 64 zeros)');
      return fail('edited', `line ${line} links to a different hash: line ${line - 1} was rewritten and rehashed`, line - 1);
    }
    seq = row.seq;
    head = row.hash;
  }
  return { ok: true, entries: rows.length, head };
}

async function readRows(path: string): Promise<{ rows: Row[]; terminated: boolean }> {
  const rows: Row[] = [];
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8' })) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) rows.push(toRow(l));
  }
  if (rest !== '') rows.push(toRow(rest));
  return { rows, terminated: rest === '' };
}

function toRow(line: string): Row {
  if (line.trim() === '') return { kind: 'bad', why: 'an empty line where an entry was expected' };
  const parsed = parseEntry(line);
  if ('malformed' in parsed) return { kind: 'bad', why: parsed.malformed };
  if ('extra' in parsed) {
    const v = JSON.parse(line) as { seq: number; prev: string; hash: string };
    return { kind: 'entry', seq: v.seq, prev: v.prev, hash: v.hash, hashOk: true, extra: parsed.extra };
  }
  const e = parsed.entry;
  return { kind: 'entry', seq: e.seq, prev: e.prev, hash: e.hash, hashOk: entryHash(e) === e.hash };
}
