import { closeSync, fstatSync, openSync, readFileSync, readSync, readdirSync, statSync, type BigIntStats } from 'node:fs';
import { dirname, join } from 'node:path';
import { GitfleetError, errorMessage } from '../../util/errors.js';
import { checkComplete, dpkgRecords, packagesOf, parseDpkgStatusByLine, scanDpkgWritten, type DpkgScan } from './parse.js';

/**
 * Reads dpkg status files for a long-running agent, which lists the same file at every drift check.
 *
 * - An unchanged file is not read again. dpkg replaces the file by rename on every change, so
 *   device, inode, size and times identify its content.
 * - A changed file is compared byte for byte with the copy read last time (memcmp speed, about
 *   0.05 ms for 3 MB). Only the stanzas between the first and the last changed byte are parsed
 *   again: an apt run that touched a few packages rewrites the whole file but changes a few stanzas.
 * - Every other case (no earlier copy, one the fast path did not read, a change the fast path
 *   rejects) parses the whole file, which also gives the errors.
 *
 * A file that cannot be read throws E_IO; one that cannot be parsed, E_PARSE with its line.
 * The result is frozen and shared between callers: copying 3,000 names costs more than parsing them.
 * Memory: each file remembered keeps its bytes (at most MAX_FILES files), plus one spare buffer.
 */
export function readDpkgStatus(file: string, nativeArch: string): Readonly<Record<string, string>> {
  return readDpkgStatusHow(file, nativeArch).packages;
}

/** How readDpkgStatus came by its answer; tests and benchmarks check which path ran. */
export type DpkgRead = 'unchanged' | 'same-bytes' | 'changed-stanzas' | 'whole';

/** readDpkgStatus, also saying which path it took. */
export function readDpkgStatusHow(file: string, nativeArch: string): { packages: Readonly<Record<string, string>>; read: DpkgRead } {
  const key = cacheKey(file, nativeArch);
  const prev = cache.get(key);
  const updates = join(dirname(file), 'updates');
  const journal = statKey(updates) ?? 'none';
  if (prev && prev.stat === statKey(file) && prev.journal === journal) return { packages: prev.visible, read: 'unchanged' };
  // Synchronous on purpose: one read of a few MB from the page cache costs less than the
  // thread-pool round trips of fs.promises. Nothing awaits between here and the end, so the
  // one spare buffer cannot be shared by two reads.
  let got: { bytes: Buffer; stat: string };
  try {
    got = readInto(file, spare);
  } catch (err) {
    // Only what the file system refused (errno codes) is E_IO; a bug stays what it is.
    if (typeof (err as NodeJS.ErrnoException).code !== 'string') throw err;
    throw new GitfleetError('E_IO', `cannot read ${file}: ${errorMessage(err)}`, { cause: err });
  }
  if (got.bytes.buffer === spare?.buffer) spare = undefined;
  cache.delete(key);
  const next = (prev?.scan && reparseChanged(prev, prev.scan, got.bytes)) ?? parseWhole(file, got.bytes, nativeArch);
  // The bytes read last time become the buffer read into next time (a 3 MB allocation costs more than the read).
  if (prev) spare = fullBuffer(prev.bytes);
  const visible = withUpdates(next.packages, updates, nativeArch);
  if (cache.size >= MAX_FILES) cache.delete(cache.keys().next().value!);
  cache.set(key, { ...next, stat: got.stat, nativeArch, journal, visible });
  lastReads.set(file, next.read);
  return { packages: visible, read: next.read };
}

/**
 * The status with dpkg's journal applied: dpkg records each change in `updates/NNNN` before it folds them into
 * `status` (at the end of a run, or at the next one after a crash), and dpkg-query reads them, in name order, as
 * later records of the same packages. Only names made of digits count (`tmp.i` is one being written), all of the
 * same length, as dpkg requires. Almost always there are none.
 */
function withUpdates(status: Readonly<Record<string, string>>, dir: string, nativeArch: string): Readonly<Record<string, string>> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^[0-9]+$/.test(n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return status;
    throw new GitfleetError('E_IO', `cannot read dpkg's updates journal ${dir}: ${errorMessage(err)}`, { cause: err });
  }
  if (names.length === 0) return status;
  const lengths = new Set(names.map((n) => n.length));
  if (lengths.size > 1 || names[0]!.length > 10) {
    throw new GitfleetError('E_PARSE', `${dir}: dpkg's updates journal has file names of different or too great lengths (${names.sort().join(', ')}); dpkg refuses it too`);
  }
  const out: Record<string, string> = { ...status };
  for (const name of names.sort()) {
    const path = join(dir, name);
    let text: string;
    try {
      text = readFileSync(path, 'latin1');
    } catch (err) {
      // Folded into status and removed by a dpkg run since the listing: the status read already has it, or the next read will.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new GitfleetError('E_IO', `cannot read ${path}: ${errorMessage(err)}`, { cause: err });
    }
    for (const [k, version] of dpkgRecords(text, { file: path, nativeArch })) {
      if (version === undefined) delete out[k];
      else out[k] = version;
    }
  }
  return Object.freeze(out);
}

/** Which path the last read of `file` that was not 'unchanged' took (benchmarks check it after timing the adapter). */
export function lastDpkgRead(file: string): DpkgRead | undefined {
  return lastReads.get(file);
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
  /** The stat key of the updates journal folder (or 'none'), and the packages with it applied. */
  journal: string;
  visible: Readonly<Record<string, string>>;
}

// A host has one status file; tests and `--root` targets a few more.
const MAX_FILES = 8;
const cache = new Map<string, Entry>();
const lastReads = new Map<string, DpkgRead>();
let spare: Buffer | undefined;

/** Forgets every file read (for tests and benchmarks that need the whole-file path). */
export function forgetDpkgStatus(): void {
  cache.clear();
  lastReads.clear();
  spare = undefined;
}

/** How many files are remembered (for tests of the bound). */
export function rememberedDpkgFiles(): number {
  return cache.size;
}

function cacheKey(file: string, nativeArch: string): string {
  return `${nativeArch}\0${file}`;
}

/**
 * Reads the whole file into `into` when it is large enough (else into a new buffer with some room
 * to grow). Returns the bytes and the stat key of the file descriptor read, so that the key
 * remembered belongs to the bytes remembered even if the file was replaced in between.
 */
function readInto(file: string, into: Buffer | undefined): { bytes: Buffer; stat: string } {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd, { bigint: true });
    const size = Number(st.size);
    // Larger than the size, so that a file that grew since fstat is noticed (the buffer fills) and read to its end.
    let buf = into && into.length > size ? into : Buffer.allocUnsafeSlow(size + Math.max(4096, size >>> 3));
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        const bigger = Buffer.allocUnsafeSlow(buf.length * 2);
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
      const read = readSync(fd, buf, n, buf.length - n, null);
      if (read === 0) return { bytes: buf.subarray(0, n), stat: keyOf(st) };
      n += read;
    }
  } finally {
    closeSync(fd);
  }
}

/** The whole allocation behind a view made by readInto. */
function fullBuffer(view: Buffer): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.buffer.byteLength - view.byteOffset);
}

function parseWhole(file: string, bytes: Buffer, nativeArch: string): Parsed {
  // latin1 because the fields kept (name, version, architecture, status) are ASCII by dpkg's own
  // rules; it keeps the string one-byte.
  const text = bytes.toString('latin1');
  checkComplete(text, file);
  const scan = scanDpkgWritten(text, nativeArch);
  const packages = Object.freeze(scan ? packagesOf([scan]) : parseDpkgStatusByLine(text, { file, nativeArch }));
  return { read: 'whole', bytes, scan, packages };
}

/**
 * The new file's reading, built from the earlier one: stanzas before the first changed byte and
 * after the last one are kept (the second shifted by the change in length), those between are
 * scanned again. Undefined when the changed part is not what the fast path reads, so that the
 * whole file is parsed (and its errors reported with line numbers).
 */
function reparseChanged(prev: Entry, scan: DpkgScan, bytes: Buffer): Parsed | undefined {
  const old = prev.bytes;
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
    return keyOf(statSync(file, { bigint: true }));
  } catch {
    return undefined;
  }
}

function keyOf(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}
