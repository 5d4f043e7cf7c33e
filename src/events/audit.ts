import { createHash } from 'node:crypto';
// The host's append-only, hash-chained audit log (DESIGN.md §6): one JSON line per decision or change.
// Callers pass REDACTED data: names, versions, revisions, counts, reason codes — never a secret value,
// token or identity. The log is only tamper-evident, not secret: anyone who can read the host's state
// directory reads it.
import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { GitfleetError, errorMessage } from '../util/errors.js';
import { GENESIS, entryHash, parseEntry, type AuditEntry } from './audit-entry.js';

export { GENESIS, entryHash, type AuditEntry } from './audit-entry.js';
export { canonicalJson } from './canonical-json.js';
export { verifyAudit, type AuditProblem, type AuditVerifyResult } from './audit-verify.js';

export interface AuditLogOptions {
  /** Injectable for tests. */
  now?: () => Date;
  /**
   * A last line without its newline is what a crash in the middle of an append leaves (kill -9, power
   * loss). With this set, those torn bytes are cut off and an `audit.repaired` entry records their length
   * and SHA-256, so the chain continues and the repair itself is on record. A complete last line that
   * fails its hash is never repaired: that is tampering, not a crash.
   */
  repairTornTail?: boolean;
}

// One writer per file in this process, so two appenders can never fork the chain.
const openPaths = new Set<string>();

/** An open audit log: appends are serialized, fsynced, and continue the chain found in the file. */
export class AuditLog {
  readonly path: string;
  #fh: FileHandle | undefined;
  #seq: number;
  #head: string;
  #tail: Promise<unknown> = Promise.resolve();
  #broken: Error | undefined;
  readonly #now: () => Date;

  private constructor(path: string, fh: FileHandle, seq: number, head: string, now: () => Date) {
    this.path = path;
    this.#fh = fh;
    this.#seq = seq;
    this.#head = head;
    this.#now = now;
  }

  /** Opens (creating if needed) the log at `path` and resumes its chain from the last line. */
  static async open(path: string, opts: AuditLogOptions = {}): Promise<AuditLog> {
    const abs = resolve(path);
    if (openPaths.has(abs)) throw new GitfleetError('E_LOCKED', `audit log ${abs} is already open in this process; share the open AuditLog`);
    openPaths.add(abs);
    try {
      const fh = await open(abs, 'a+', 0o600);
      try {
        let last = await readLastLine(fh);
        let torn: { bytes: number; sha256: string } | undefined;
        if (last && !last.terminated && opts.repairTornTail) {
          torn = await cutTornTail(fh);
          last = await readLastLine(fh);
        }
        const { seq, hash } = resumePoint(abs, last);
        const log = new AuditLog(abs, fh, seq, hash, opts.now ?? (() => new Date()));
        if (torn) await log.append('audit.repaired', { discardedBytes: torn.bytes, discardedSha256: torn.sha256, reason: 'a torn last line (an append interrupted by a crash)' });
        return log;
      } catch (err) {
        await fh.close();
        throw err;
      }
    } catch (err) {
      openPaths.delete(abs);
      throw err;
    }
  }

  /** The last entry's seq and hash (0 and 64 zeros when empty). */
  get head(): { seq: number; hash: string } {
    return { seq: this.#seq, hash: this.#head };
  }

  /** Appends one entry and fsyncs it. `data` must already be redacted. Appends run one at a time, in call order. */
  append(type: string, data: Record<string, unknown> = {}): Promise<AuditEntry> {
    const run = this.#tail.then(() => this.#write(type, data));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Waits for pending appends and closes the file. */
  async close(): Promise<void> {
    await this.#tail;
    const fh = this.#fh;
    this.#fh = undefined;
    if (!fh) return;
    openPaths.delete(this.path);
    await fh.close();
  }

  async #write(type: string, data: Record<string, unknown>): Promise<AuditEntry> {
    if (!this.#fh) throw new GitfleetError('E_IO', `audit log ${this.path} is closed`);
    if (this.#broken) throw new GitfleetError('E_IO', `audit log ${this.path} failed an earlier write; reopen it after checking it with "gitfleet audit verify"`, { cause: this.#broken });
    if (typeof type !== 'string' || type === '') throw new GitfleetError('E_USAGE', 'audit entry type must be a non-empty string');
    // Round-trip through JSON so the hash covers exactly what a reader will parse back.
    const plain = JSON.parse(JSON.stringify(data ?? {})) as unknown;
    if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) throw new GitfleetError('E_USAGE', 'audit entry data must be a JSON object');
    const body = { seq: this.#seq + 1, time: this.#now().toISOString(), type, data: plain as Record<string, unknown>, prev: this.#head };
    const entry: AuditEntry = { ...body, hash: entryHash(body) };
    try {
      await this.#fh.write(`${JSON.stringify(entry)}\n`);
      await this.#fh.sync();
    } catch (err) {
      // A partial line may be on disk: refuse to chain onto it.
      this.#broken = err as Error;
      throw new GitfleetError('E_IO', `could not append to audit log ${this.path}: ${errorMessage(err)}`, { cause: err });
    }
    this.#seq = entry.seq;
    this.#head = entry.hash;
    return entry;
  }
}

function resumePoint(path: string, last: { line: string; terminated: boolean } | undefined): { seq: number; hash: string } {
  if (!last) return { seq: 0, hash: GENESIS };
  const damaged = (why: string): GitfleetError =>
    new GitfleetError('E_PARSE', `audit log ${path} ends with a damaged line (${why}); run "gitfleet audit verify --file ${path}" before appending`);
  if (!last.terminated) throw damaged('no final newline: truncated');
  const parsed = parseEntry(last.line);
  if ('malformed' in parsed) throw damaged(parsed.malformed);
  if ('extra' in parsed) throw damaged(`unexpected field "${parsed.extra}"`);
  if (entryHash(parsed.entry) !== parsed.entry.hash) throw damaged('its hash does not match its content');
  return { seq: parsed.entry.seq, hash: parsed.entry.hash };
}

/** Truncates the file after its last newline; returns what was cut (length and SHA-256, never the bytes). */
async function cutTornTail(fh: FileHandle): Promise<{ bytes: number; sha256: string }> {
  const { size } = await fh.stat();
  let end = size;
  let cut = 0;
  const chunk = 64 * 1024;
  while (end > 0) {
    const start = Math.max(0, end - chunk);
    const buf = Buffer.alloc(end - start);
    await fh.read(buf, 0, buf.length, start);
    const nl = buf.lastIndexOf(0x0a);
    if (nl >= 0) { cut = start + nl + 1; break; }
    end = start;
  }
  const tail = Buffer.alloc(size - cut);
  await fh.read(tail, 0, tail.length, cut);
  await fh.truncate(cut);
  await fh.sync();
  return { bytes: tail.length, sha256: createHash('sha256').update(tail).digest('hex') };
}

// Reads backwards in chunks so reopening a large log costs one line, not the whole file.
async function readLastLine(fh: FileHandle): Promise<{ line: string; terminated: boolean } | undefined> {
  const { size } = await fh.stat();
  if (size === 0) return undefined;
  const chunk = 64 * 1024;
  let end = size;
  const parts: Buffer[] = [];
  let terminated: boolean | undefined;
  while (end > 0) {
    const start = Math.max(0, end - chunk);
    const buf = Buffer.alloc(end - start);
    await fh.read(buf, 0, buf.length, start);
    let scan = buf;
    if (terminated === undefined) {
      terminated = buf[buf.length - 1] === 0x0a;
      if (terminated) scan = buf.subarray(0, buf.length - 1);
    }
    const nl = scan.lastIndexOf(0x0a);
    if (nl >= 0) {
      parts.unshift(scan.subarray(nl + 1));
      break;
    }
    parts.unshift(scan);
    end = start;
  }
  return { line: Buffer.concat(parts).toString('utf8'), terminated: terminated ?? false };
}
