import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { GitfleetError, errorMessage } from '../../util/errors.js';
import { parseDpkgStatus, packagesOf, scanDpkgWritten, type DpkgScan } from './parse.js';

/**
 * Reads dpkg status files for a long-running agent, which lists the same file at every drift check.
 *
 * - An unchanged file is not read again. dpkg replaces the file by rename on every change, so
 *   device, inode, size and times identify its content.
 * - A changed file is compared byte for byte with the copy read last time (memcmp speed, about
 *   0.05 ms for 3 MB). Only the stanzas between the first and the last changed byte are parsed
 *   again. An apt run that touched a few packages rewrites the whole file but changes a few
 *   stanzas. This is how apt's own pkgcache and editors' incremental parsers avoid starting over.
 * - Every other case (no earlier copy, one the fast path did not read, a change the fast path
 *   rejects) parses the whole file with parseDpkgStatus, which also gives the errors.
 *
 * A file that cannot be read throws E_IO; one that cannot be parsed, E_PARSE with its line.
 * The result is frozen and shared between callers: copying 3,000 names costs more than parsing them.
 */
export function readDpkgStatus(file: string, nativeArch: string): Readonly<Record<string, string>> {
  return readDpkgStatusHow(file, nativeArch).packages;
}

/** How readDpkgStatus came by its answer; tests and benchmarks check which path ran. */
export type DpkgRead = 'unchanged' | 'same-bytes' | 'changed-stanzas' | 'whole';

/** readDpkgStatus, also saying which path it took. */
export function readDpkgStatusHow(file: string, nativeArch: string): { packages: Readonly<Record<string, string>>; read: DpkgRead } {
  const stat = statKey(file);
  const prev = cache.get(file);
  if (prev && stat !== undefined && prev.stat === stat && prev.nativeArch === nativeArch) return { packages: prev.packages, read: 'unchanged' };
  // Synchronous on purpose: one read of a few MB from the page cache costs less than the
  // thread-pool round trips of fs.promises.
  let bytes: Buffer;
  try {
    bytes = readInto(file, prev?.spare);
  } catch (err) {
    throw new GitfleetError('E_IO', `cannot read ${file}: ${errorMessage(err)}`, { cause: err });
  }
  cache.delete(file);
  const usable = prev && prev.nativeArch === nativeArch && prev.scan ? prev : undefined;
  const next = (usable && reparseChanged(usable, bytes)) ?? parseWhole(file, bytes, nativeArch);
  if (stat !== undefined) {
    if (cache.size >= MAX_FILES) cache.delete(cache.keys().next().value!);
    // The buffer read last time is read into next time (a 3 MB allocation per read costs more than the read).
    cache.set(file, { ...next, stat, nativeArch, spare: prev && prev.bytes.buffer !== next.bytes.buffer ? fullBuffer(prev.bytes) : undefined });
  }
  return { packages: next.packages, read: next.read };
}

interface Parsed {
  read: DpkgRead;
  bytes: Buffer;
  /** Undefined when the line reader, not the fast path, read the file. */
  scan: DpkgScan | undefined;
  packages: Readonly<Record<string, string>>;
}

interface Entry extends Parsed {
  stat: string;
  nativeArch: string;
  spare: Buffer | undefined;
}

/** Reads the whole file into `spare` when it is large enough (else into a new buffer); returns the bytes read. */
function readInto(file: string, spare: Buffer | undefined): Buffer {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    // One byte more than the size, so that a file that grew since fstat is noticed and read to its end.
    let buf = spare && spare.length > size ? spare : Buffer.allocUnsafeSlow(size + Math.max(4096, size >>> 3));
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        const bigger = Buffer.allocUnsafeSlow(buf.length * 2);
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) return buf.subarray(0, n);
      n += got;
    }
  } finally {
    closeSync(fd);
  }
}

/** The whole allocation behind a view made by readInto. */
function fullBuffer(view: Buffer): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.buffer.byteLength - view.byteOffset);
}

// A host has one status file; tests and `--root` targets a few more. Each entry keeps the file's bytes.
const MAX_FILES = 8;
const cache = new Map<string, Entry>();

/** Forgets every file read (for tests and benchmarks that need the whole-file path). */
export function forgetDpkgStatus(): void {
  cache.clear();
}

function parseWhole(file: string, bytes: Buffer, nativeArch: string): Parsed {
  // latin1 because the fields kept (name, version, architecture, status) are ASCII by dpkg's own
  // rules; it keeps the string one-byte.
  const text = bytes.toString('latin1');
  const scan = scanDpkgWritten(text, nativeArch);
  const packages = Object.freeze(scan ? packagesOf([scan]) : parseDpkgStatus(text, { file, nativeArch }));
  return { read: 'whole', bytes, scan, packages };
}

/**
 * The new file's reading, built from the earlier one: stanzas before the first changed byte and
 * after the last one are kept (the second shifted by the change in length), those between are
 * scanned again. Undefined when the changed part is not what the fast path reads, so that the
 * whole file is parsed (and its errors reported with line numbers).
 */
function reparseChanged(prev: Entry, bytes: Buffer): Parsed | undefined {
  const old = prev.bytes;
  const scan = prev.scan!;
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 10) return undefined;
  const same = commonPrefix(old, bytes);
  if (same === old.length && same === bytes.length) return { read: 'same-bytes', bytes, scan, packages: prev.packages };
  const tail = commonSuffix(old, bytes, Math.min(old.length, bytes.length) - same);
  const { starts } = scan;
  const n = starts.length;
  // Stanza i's result depends on its bytes up to the next stanza's first byte.
  let kept = 0;
  while (kept + 1 < n && starts[kept + 1]! < same) kept++;
  // Stanza j keeps its result if it and the blank line before it are in the unchanged tail.
  let after = n;
  while (after > kept && starts[after - 1]! - 2 >= old.length - tail) after--;
  // With nothing kept the first stanza's leading blank lines may have changed too: start at 0.
  const from = kept > 0 ? starts[kept]! : 0;
  const shift = bytes.length - old.length;
  const to = after < n ? starts[after]! + shift : bytes.length;
  const middle = scanDpkgWritten(bytes.toString('latin1', from, to), prev.nativeArch);
  if (!middle) return undefined;
  const merged: DpkgScan = { starts: starts.slice(0, kept), keys: scan.keys.slice(0, kept), versions: scan.versions.slice(0, kept) };
  for (let i = 0; i < middle.starts.length; i++) {
    merged.starts.push(middle.starts[i]! + from);
    merged.keys.push(middle.keys[i]);
    merged.versions.push(middle.versions[i]!);
  }
  for (let j = after; j < n; j++) {
    merged.starts.push(starts[j]! + shift);
    merged.keys.push(scan.keys[j]);
    merged.versions.push(scan.versions[j]!);
  }
  return { read: 'changed-stanzas', bytes, scan: merged, packages: Object.freeze(packagesOf([merged])) };
}

/** Length of the longest common prefix, compared in native chunks (memcmp) and narrowed by halves. */
function commonPrefix(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  let lo = 0;
  while (lo + CHUNK <= n && a.compare(b, lo, lo + CHUNK, lo, lo + CHUNK) === 0) lo += CHUNK;
  let hi = Math.min(lo + CHUNK, n);
  while (hi - lo > 32) {
    const mid = (lo + hi) >>> 1;
    if (a.compare(b, lo, mid, lo, mid) === 0) lo = mid;
    else hi = mid;
  }
  while (lo < n && a[lo] === b[lo]) lo++;
  return lo;
}

/** Length of the longest common suffix, at most `max` bytes. */
function commonSuffix(a: Buffer, b: Buffer, max: number): number {
  const la = a.length;
  const lb = b.length;
  let lo = 0; // bytes known equal from the end
  while (lo + CHUNK <= max && a.compare(b, lb - lo - CHUNK, lb - lo, la - lo - CHUNK, la - lo) === 0) lo += CHUNK;
  let hi = Math.min(lo + CHUNK, max);
  while (hi - lo > 32) {
    const mid = (lo + hi) >>> 1;
    if (a.compare(b, lb - mid, lb - lo, la - mid, la - lo) === 0) lo = mid;
    else hi = mid;
  }
  while (lo < max && a[la - lo - 1] === b[lb - lo - 1]) lo++;
  return lo;
}

const CHUNK = 64 * 1024;

function statKey(file: string): string | undefined {
  try {
    const st = statSync(file, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return undefined;
  }
}
