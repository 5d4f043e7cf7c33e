import { GitfleetError } from '../../util/errors.js';
import type { AvailableVersion } from '../types.js';

/** Options for reading a dpkg status file. */
export interface DpkgStatusOptions {
  /** Shown in error messages (the path that was read). */
  file: string;
  /** dpkg's native architecture (`dpkg --print-architecture`), e.g. `amd64`. */
  nativeArch: string;
}

// dpkg counts these states as installed (dependencies are satisfied by them); `db:Status-Abbrev`
// shows them as i, W and t. Everything else (config-files, unpacked, half-*) is not installed.
const INSTALLED_STATES = new Set(['installed', 'triggers-awaited', 'triggers-pending']);
const KNOWN_STATES = new Set([
  'not-installed', 'config-files', 'half-installed', 'unpacked', 'half-configured',
  'triggers-awaited', 'triggers-pending', 'installed',
]);

interface Stanza {
  line: number;
  pkg: string | undefined;
  status: string | undefined;
  version: string | undefined;
  arch: string | undefined;
  multiArch: string | undefined;
}

// Field ids, picked from a line by its first letter and key length without allocating.
const F_OTHER = 0;
const F_PACKAGE = 1;
const F_STATUS = 2;
const F_VERSION = 3;
const F_ARCH = 4;
const F_MULTIARCH = 5;

/**
 * Parses a dpkg status file into `binary:Package` → Version for installed packages, keyed exactly
 * as `dpkg-query -W -f='${binary:Package}'` prints them. A file laid out the way dpkg writes it
 * takes the fast path; anything else, damaged or not, goes through the line-by-line reader, which
 * either reads it or throws E_PARSE with the file and line.
 */
export function parseDpkgStatus(text: string, opts: DpkgStatusOptions): Record<string, string> {
  checkComplete(text, opts.file);
  return parseDpkgWritten(text, opts.nativeArch) ?? parseDpkgStatusByLine(text, opts);
}

/** Throws E_PARSE for a file cut off in the middle of a line, as dpkg itself does ("missing final newline"). */
export function checkComplete(text: string, file: string): void {
  const len = text.length;
  if (len > 0 && text.charCodeAt(len - 1) !== 10) {
    fail(file, countLines(text), 'ends in the middle of a line (missing final newline); the file looks half-written');
  }
}

/**
 * The fast path, for status files exactly as dpkg writes them (every stanza opens with
 * `Package: `, canonical `Field: value` lines, blank lines between stanzas). It visits stanzas,
 * not lines: native indexOf jumps to the few fields it needs, so little JavaScript runs per
 * package. Patterns start with a capital letter, which is rare in the text they skip: indexOf's
 * memchr then jumps far, where a pattern opening with a newline stops at every line (3-4x slower
 * over a 3 MB file). Returns undefined at anything unexpected (a stanza not opening with
 * Package, a second Package line, a missing Status or Version, an unknown state) so that the
 * line reader decides; other lines it jumps over are not checked.
 */
export function parseDpkgWritten(text: string, nativeArch: string): Record<string, string> | undefined {
  const scan = scanDpkgWritten(text, nativeArch);
  return scan && packagesOf([scan]);
}

/**
 * What the fast path read, stanza by stanza, kept so that a later read of a changed file parses
 * again only the stanzas whose bytes changed (see status-cache.ts). Each stanza's result depends
 * only on its own bytes, from its `Package: ` line up to the next stanza's.
 */
export interface DpkgScan {
  /** Offset of each stanza's `Package: ` line in the text scanned. */
  starts: number[];
  /** `binary:Package` of each stanza, or undefined for one that is not installed (config-files and the like). */
  keys: Array<string | undefined>;
  /** Its Version, where `keys` has a name. */
  versions: string[];
}

/** The fast path's reading of `text` (see parseDpkgWritten), or undefined where the line reader must decide. */
export function scanDpkgWritten(text: string, nativeArch: string): DpkgScan | undefined {
  const scan: DpkgScan = { starts: [], keys: [], versions: [] };
  const len = text.length;
  if (len > 0 && text.charCodeAt(len - 1) !== 10) return undefined;
  const nativeLine = `${nativeArch}\n`;
  let pos = 0;
  let nextPkg = text.indexOf('Package: ', 1); // the next "Package: " after the current stanza's own
  for (;;) {
    while (pos < len && text.charCodeAt(pos) === 10) pos++;
    if (pos >= len) return scan;
    if (!text.startsWith('Package: ', pos)) return undefined;
    let end = text.indexOf('\n\n', pos);
    if (end < 0) end = len - 1;
    // A "Package: " at a line start inside this stanza is a second Package field (a lost blank line).
    while (nextPkg >= 0 && nextPkg < end) {
      if (nextPkg > pos && text.charCodeAt(nextPkg - 1) === 10) return undefined;
      nextPkg = text.indexOf('Package: ', nextPkg + 1);
    }
    scan.starts.push(pos);
    const pkgEnd = text.indexOf('\n', pos);
    // dpkg writes Status right after Package; nearly every stanza is "install ok installed".
    if (!text.startsWith('Status: install ok installed\n', pkgEnd + 1)) {
      const statusAt = fieldAt(text, 'Status: ', pkgEnd, end);
      if (statusAt < 0) return undefined;
      const status = lineAt(text, statusAt + 8);
      const state = status.slice(status.lastIndexOf(' ') + 1);
      if (!KNOWN_STATES.has(state) || status.split(' ').length !== 3) return undefined;
      if (!INSTALLED_STATES.has(state)) {
        scan.keys.push(undefined);
        scan.versions.push('');
        pos = end + 1;
        continue;
      }
    }
    const versionAt = fieldAt(text, 'Version: ', pkgEnd, end);
    if (versionAt < 0) return undefined;
    const version = lineAt(text, versionAt + 9);
    const pkg = text.slice(pos + 9, pkgEnd);
    if (!plain(version) || !plain(pkg)) return undefined;
    const archAt = fieldAt(text, 'Architecture: ', pkgEnd, end);
    let key = pkg;
    if (archAt >= 0) {
      const archEnd = text.indexOf('\n', archAt + 14);
      // dpkg writes Multi-Arch right after Architecture (its fixed field order), so one look suffices.
      const multiArch = text.startsWith('Multi-Arch: ', archEnd + 1) ? lineAt(text, archEnd + 13) : undefined;
      // The native architecture and `all` without Multi-Arch are compared in place: no string for most packages.
      if (multiArch !== undefined || !(text.startsWith(nativeLine, archAt + 14) || text.startsWith('all\n', archAt + 14))) {
        const arch = text.slice(archAt + 14, archEnd);
        if (!plain(arch)) return undefined;
        key = binaryPackage(pkg, arch, multiArch, nativeArch);
      } else if (hasUpper(pkg)) key = pkg.toLowerCase();
    } else if (hasUpper(pkg)) key = pkg.toLowerCase();
    scan.keys.push(key);
    scan.versions.push(version);
    pos = end + 1;
  }
}

/** The `binary:Package` → Version record of scans laid end to end, in file order (a later stanza wins, as with dpkg-query). */
export function packagesOf(scans: readonly DpkgScan[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { keys, versions } of scans) {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key !== undefined) out[key] = versions[i]!;
    }
  }
  return out;
}

// Index of the field line `name` (e.g. "Version: ") starting a line between `from` and `end`, or
// -1. Fields dpkg writes early are found within a few lines, so this stays linear.
function fieldAt(text: string, name: string, from: number, end: number): number {
  for (let i = text.indexOf(name, from); i >= 0 && i < end; i = text.indexOf(name, i + 1)) {
    if (text.charCodeAt(i - 1) === 10) return i;
  }
  return -1;
}

// Non-empty and without the trailing blank or CR that only the line reader trims.
function plain(v: string): boolean {
  const last = v.charCodeAt(v.length - 1);
  return v.length > 0 && last !== 32 && last !== 9 && last !== 13;
}

function lineAt(text: string, from: number): string {
  return text.slice(from, text.indexOf('\n', from));
}

/**
 * The general deb822 reader: one pass over the lines (native indexOf finds each line end), no
 * regex, field names in any case, and every line checked the way dpkg checks it, so that a damaged
 * file fails with its line number.
 */
export function parseDpkgStatusByLine(text: string, opts: DpkgStatusOptions): Record<string, string> {
  const out: Record<string, string> = {};
  eachDpkgRecord(text, opts, (key, version) => {
    if (version !== undefined) out[key] = version;
  });
  return out;
}

/**
 * Every stanza of a deb822 file with dpkg's fields, in file order: its `binary:Package` and its Version when installed,
 * undefined when not (a record of dpkg's updates journal can say a package is gone). Read with the line reader's checks.
 */
export function dpkgRecords(text: string, opts: DpkgStatusOptions): Array<[key: string, version: string | undefined]> {
  checkComplete(text, opts.file);
  const out: Array<[string, string | undefined]> = [];
  eachDpkgRecord(text, opts, (key, version) => out.push([key, version]));
  return out;
}

function eachDpkgRecord(text: string, opts: DpkgStatusOptions, emit: (key: string, version: string | undefined) => void): void {
  const len = text.length;
  const st: Stanza = { line: 0, pkg: undefined, status: undefined, version: undefined, arch: undefined, multiArch: undefined };
  let open = false;
  let lineNo = 0;
  let pos = 0;
  while (pos < len) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    lineNo++;
    const first = text.charCodeAt(pos);
    if (end === pos || (first === 13 && end === pos + 1)) {
      if (open) finish(st, emit, opts);
      open = false;
    } else if (first === 32 || first === 9) {
      // Continuation of a multi-line value (Description, Conffiles): nothing we read lives there.
      if (!open) fail(opts.file, lineNo, 'continuation line outside of any field');
    } else {
      const colon = text.indexOf(':', pos);
      if (colon < 0 || colon > end) fail(opts.file, lineNo, `line "${text.slice(pos, Math.min(end, pos + 40))}" has no "field:" colon`);
      if (colon === pos) fail(opts.file, lineNo, 'empty field name');
      if (!open) {
        open = true;
        st.line = lineNo;
        st.pkg = st.status = st.version = st.arch = st.multiArch = undefined;
      }
      const field = fieldOf(text, pos, colon - pos, first | 32);
      if (field === F_OTHER) {
        // most lines end here
      } else if (field === F_PACKAGE) {
        if (st.pkg !== undefined) fail(opts.file, lineNo, `second "Package" field in the stanza of "${st.pkg}" (missing blank line between stanzas?)`);
        st.pkg = value(text, colon, end);
      } else if (field === F_STATUS) st.status = value(text, colon, end);
      else if (field === F_VERSION) st.version = value(text, colon, end);
      else if (field === F_ARCH) st.arch = value(text, colon, end);
      else st.multiArch = value(text, colon, end);
    }
    pos = end + 1;
  }
  if (open) finish(st, emit, opts);
}

// Field names are case-insensitive in deb822; `lower` is the first letter folded to lower case.
function fieldOf(text: string, pos: number, keyLen: number, lower: number): number {
  switch (lower) {
    case 112: return keyLen === 7 && keyIs(text, pos, 'package') ? F_PACKAGE : F_OTHER; // p
    case 115: return keyLen === 6 && keyIs(text, pos, 'status') ? F_STATUS : F_OTHER; // s
    case 118: return keyLen === 7 && keyIs(text, pos, 'version') ? F_VERSION : F_OTHER; // v
    case 97: return keyLen === 12 && keyIs(text, pos, 'architecture') ? F_ARCH : F_OTHER; // a
    case 109: return keyLen === 10 && keyIs(text, pos, 'multi-arch') ? F_MULTIARCH : F_OTHER; // m
    default: return F_OTHER;
  }
}

function keyIs(text: string, pos: number, lowerName: string): boolean {
  for (let i = 1; i < lowerName.length; i++) {
    if ((text.charCodeAt(pos + i) | 32) !== lowerName.charCodeAt(i)) return false;
  }
  return true;
}

function finish(st: Stanza, emit: (key: string, version: string | undefined) => void, opts: DpkgStatusOptions): void {
  if (!st.pkg) fail(opts.file, st.line, 'stanza has no "Package" field');
  const key = binaryPackage(st.pkg, st.arch, st.multiArch, opts.nativeArch);
  if (st.status === undefined) return emit(key, undefined); // dpkg treats a missing Status as not-installed
  if (st.status !== 'install ok installed') {
    const words = st.status.split(' ').filter((w) => w !== '');
    const state = words[2];
    if (words.length !== 3 || state === undefined || !KNOWN_STATES.has(state)) {
      fail(opts.file, st.line, `package "${st.pkg}" has an invalid Status "${st.status}"`);
    }
    if (!INSTALLED_STATES.has(state)) return emit(key, undefined);
  }
  if (!st.version) fail(opts.file, st.line, `installed package "${st.pkg}" has no "Version" field`);
  emit(key, st.version);
}

/** dpkg's `pnaw_nonambig`: `:arch` for Multi-Arch: same, or when the arch is foreign (not native, all or none). */
export function binaryPackage(pkg: string, arch: string | undefined, multiArch: string | undefined, nativeArch: string): string {
  const name = hasUpper(pkg) ? pkg.toLowerCase() : pkg;
  if (!arch) return name;
  if (multiArch !== undefined && multiArch.toLowerCase() === 'same') return `${name}:${arch}`;
  if (arch === nativeArch || arch === 'all') return name;
  return `${name}:${arch}`;
}

/** Parses `dpkg-query -W -f='${binary:Package}\t${Version}\t${db:Status-Abbrev}\n'`, keeping installed packages. */
export function parseDpkgQuery(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const [name, version, abbrev] = line.split('\t');
    if (!name || version === undefined || abbrev === undefined) {
      throw new GitfleetError('E_PARSE', `unexpected dpkg-query line "${line.slice(0, 80)}" (want name<TAB>version<TAB>status)`);
    }
    // Second letter of db:Status-Abbrev is the state: i installed, W/t triggers awaited/pending.
    const state = abbrev.charAt(1);
    if ((state === 'i' || state === 'W' || state === 't') && version !== '') out[name] = version;
  }
  return out;
}

/**
 * Parses `apt-cache madison NAME`: `name | version | source` rows, newest first, deduplicated.
 * `Sources` rows are skipped: a source version is not a binary version (binNMUs add `+bN`).
 */
export function parseMadison(stdout: string, name?: string): AvailableVersion[] {
  const seen = new Set<string>();
  const out: AvailableVersion[] = [];
  for (const line of stdout.split('\n')) {
    const parts = line.split('|').map((p) => p.trim());
    if (parts.length < 3) continue;
    const [pkg, version, source] = parts as [string, string, string];
    if (name !== undefined && pkg !== name) continue;
    if (!version || source.endsWith(' Sources')) continue;
    if (seen.has(version)) continue;
    seen.add(version);
    out.push({ version });
  }
  return out;
}

/** Version from the first line of `apt-get --version` (`apt 2.6.1 (amd64)`) or `dpkg --version`. */
export function parseToolVersion(stdout: string): string | undefined {
  const first = stdout.split('\n', 1)[0] ?? '';
  const m = /\bversion (\S+)/.exec(first) ?? /^apt (\S+)/.exec(first);
  return m?.[1]?.replace(/\.$/, '');
}

function value(text: string, colon: number, end: number): string {
  let a = colon + 1;
  let b = end;
  while (a < b && (text.charCodeAt(a) === 32 || text.charCodeAt(a) === 9)) a++;
  while (b > a && (text.charCodeAt(b - 1) === 32 || text.charCodeAt(b - 1) === 9 || text.charCodeAt(b - 1) === 13)) b--;
  return text.slice(a, b);
}

// dpkg writes names in lower case; checking first avoids a toLowerCase copy per package.
function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function fail(file: string, line: number, what: string): never {
  throw new GitfleetError('E_PARSE', `${file}:${line}: ${what} (dpkg keeps its previous copy in ${file}-old)`);
}
