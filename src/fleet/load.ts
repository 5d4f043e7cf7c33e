/*
 * Loading a fleet: which files are documents, and the YAML rules (also in docs/fleet-format.md, "YAML rules").
 *
 * - Documents: `fleet.yaml` at the root and `*.yaml`/`*.yml` directly in hosts/, baselines/, sandboxes/,
 *   policies/, secrets/. A deeper file or a non-YAML file there is `load.unexpected-file` (`.gitkeep` and
 *   `.keep` excepted). Every other file is auxiliary, read on demand through `readText`.
 * - YAML 1.2, core schema (the `yaml` package): `yes`/`no`/`on` stay strings, `010` is 10. Tags outside the
 *   core schema (`!!binary`, `!!set`, `!custom`) are `yaml.unknown-tag`; map keys are strings and a key that
 *   is a map or list is `yaml.complex-key`.
 * - Duplicate keys: `yaml.duplicate-key` at the second key; the hint names the first key's line.
 * - Tabs in indentation: `yaml.tab-indent`. Other syntax errors: `yaml.syntax` with the library's position.
 * - Anchors and aliases are allowed, but expansion is bounded (MAX_ALIAS_COUNT = 100 in load-yaml.ts):
 *   a "billion laughs" file stops early with `yaml.alias-limit`. An alias with no anchor before it is
 *   `yaml.unknown-anchor`. Aliased values are shared objects in `data`: treat `data` as read-only.
 * - Merge keys (`<<`, plain) are `yaml.merge-key`: YAML 1.2 has none, and a key literally named "<<"
 *   would silently mean something else than the author thought.
 * - One document per file: a second `---` document is `yaml.multi-document`. An empty file (or only comments
 *   or a bare `---`) is `load.empty`.
 * - Bytes: a NUL byte or invalid UTF-8 is `load.binary` (at the first bad byte). A leading BOM is dropped.
 *   CRLF line ends work; positions count lines by `\n`, columns in UTF-16 units from 1.
 * - Size: more than maxFileBytes (default 1 MiB) is `load.too-large`, decided from the listed size before
 *   reading, so a huge file is never read into memory.
 * - Symlinks: one inside the repository is read as its target; one that leaves it is `load.symlink-outside`,
 *   a dangling one `load.missing`, a cycle `load.symlink-loop`.
 * - Every diagnostic carries file, 1-based line and column, a message (what is wrong), a hint (what would be
 *   right) and a stable code. A file with a problem is left out of `documents`.
 * - Speed: files are read 64 at a time; a file is parsed once, only its text and plain value are kept, and
 *   `at()` re-parses that one file on first use (then caches it), so 10,000 documents stay cheap. Plain
 *   files (block maps/lists, one-line scalars and flow collections) take a fast path (load-fast.ts) that
 *   gives the same values as the library (checked by a property test); anything else, and every error,
 *   goes through the library.
 */
import { GitfleetError, errorMessage, type Diagnostic } from '../util/errors.js';
import { mapLimit } from './load-limit.js';
import { classifyPath, comparePaths, normalizeUserPath } from './load-paths.js';
import { decodeText } from './load-text.js';
import { indexPositions, parseYaml, positionAt, type PositionIndex } from './load-yaml.js';
import type { FleetSource, SourceEntry } from './source.js';

export interface Position { line: number; column: number } // 1-based

export interface LoadedDocument {
  file: string;                 // repo-relative POSIX path, e.g. 'hosts/demo.yaml'
  kind: string | undefined;     // data.kind when a string
  name: string | undefined;     // data.name when a string
  data: unknown;                // plain JS value (YAML 1.2 core schema)
  /** Position of the node at `path` (keys / indexes); falls back to the nearest existing ancestor; `which: 'key'` gives the property name's position. */
  at(path: readonly (string | number)[], which?: 'key' | 'value'): Position;
}

export interface LoadedFleet {
  describe: string;
  revision?: string;
  documents: LoadedDocument[];          // sorted by file
  /** Problems found while loading (syntax, duplicate keys, tabs, binary, too large, symlink escaping, alias bomb, multi-document file, empty file). Files with such problems are NOT in `documents`. */
  diagnostics: Diagnostic[];
  /** Reads another (non-document) text file of the fleet, e.g. an import `requirements/ml.txt`: the text, or a Diagnostic (missing, binary, too large, symlink outside, not UTF-8). */
  readText(path: string): Promise<{ text: string } | { error: Diagnostic }>;
  /** All file paths in the fleet (for reference checks). */
  paths: ReadonlySet<string>;
}

export interface LoadOptions {
  /** Files larger than this are `load.too-large` (default 1 MiB). */
  maxFileBytes?: number;
}

const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
const PARALLEL_READS = 64;
const MAX_LINK_HOPS = 40;

/** Lists, reads and parses every document of a fleet source; problems become diagnostics, never exceptions. */
export async function loadFleet(source: FleetSource, opts: LoadOptions = {}): Promise<LoadedFleet> {
  const maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const entries = await source.list();
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const diagnostics: Diagnostic[] = [];
  const documentPaths: string[] = [];
  for (const e of entries) {
    const role = classifyPath(e.path);
    if (role.role === 'document') documentPaths.push(e.path);
    else if (role.role === 'unexpected') diagnostics.push({ code: 'load.unexpected-file', file: e.path, line: 1, column: 1, message: role.message, hint: role.hint });
  }
  const readText = (path: string) => readFleetText(source, byPath, path, maxFileBytes);
  const loaded = await mapLimit(documentPaths, PARALLEL_READS, async (file) => {
    const read = await readText(file);
    if ('error' in read) return { diagnostics: [read.error] };
    const parsed = parseYaml(file, read.text);
    return 'data' in parsed ? { document: makeDocument(file, read.text, parsed.data) } : parsed;
  });
  const documents: LoadedDocument[] = [];
  for (const r of loaded) {
    if ('document' in r) documents.push(r.document);
    else diagnostics.push(...r.diagnostics);
  }
  diagnostics.sort((a, b) => comparePaths(a.file, b.file) || a.line - b.line || a.column - b.column);
  return {
    describe: source.describe,
    ...(source.revision === undefined ? {} : { revision: source.revision }),
    documents,
    diagnostics,
    async readText(path) {
      const normal = normalizeUserPath(path);
      if (normal === null) {
        return { error: problem('load.invalid-path', path, `"${path}" is not a path inside the repository`,
          'write a path relative to the repository root with "/" separators, e.g. requirements/ml.txt') };
      }
      return readText(normal);
    },
    paths: new Set(byPath.keys()),
  };
}

function makeDocument(file: string, text: string, data: unknown): LoadedDocument {
  const record = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  let index: PositionIndex | undefined;
  return {
    file,
    kind: typeof record.kind === 'string' ? record.kind : undefined,
    name: typeof record.name === 'string' ? record.name : undefined,
    data,
    at(path, which = 'value') {
      index ??= indexPositions(text);
      return positionAt(index, path, which);
    },
  };
}

/** Follows symlinks through the listing, checks size, reads, and decodes strictly. */
async function readFleetText(source: FleetSource, byPath: ReadonlyMap<string, SourceEntry>, path: string, max: number): Promise<{ text: string } | { error: Diagnostic }> {
  let entry = byPath.get(path);
  const missing = (what: string) => ({ error: problem('load.missing', path, `${what} does not exist in the repository`,
    'add the file, or fix the path (relative to the repository root, case-sensitive)') });
  if (!entry) return missing(path);
  for (let hops = 0; entry.kind === 'symlink'; hops++) {
    if (entry.target === null || entry.target === undefined) {
      return { error: problem('load.symlink-outside', path, `${path} is a symlink to a file outside the repository`,
        'copy the file into the repository, or point the symlink at a file inside it') };
    }
    const next = byPath.get(entry.target);
    if (!next) return missing(`${path} is a symlink to ${entry.target}, which`);
    if (hops >= MAX_LINK_HOPS) {
      return { error: problem('load.symlink-loop', path, `${path} is part of a symlink cycle`, 'point the symlink at a regular file') };
    }
    entry = next;
  }
  if (entry.size > max) return { error: tooLarge(path, entry.size, max) };
  let bytes: Uint8Array;
  try {
    bytes = await source.read(path);
  } catch (err) {
    return { error: readProblem(path, err) };
  }
  if (bytes.byteLength > max) return { error: tooLarge(path, bytes.byteLength, max) };
  const decoded = decodeText(bytes);
  if ('text' in decoded) return decoded;
  const what = decoded.problem === 'nul' ? 'contains a NUL byte' : 'is not valid UTF-8';
  return { error: { code: 'load.binary', file: path, ...decoded.at, message: `${path} ${what} (byte ${decoded.offset}): it is not a text file`,
    hint: 'save the file as UTF-8 text, or keep binary files out of the fleet repository' } };
}

function readProblem(path: string, err: unknown): Diagnostic {
  const code = err instanceof GitfleetError ? err.code : undefined;
  if (code === 'E_NOT_FOUND') return problem('load.missing', path, errorMessage(err), 'add the file, or fix the path');
  if (code === 'E_PARSE') return problem('load.binary', path, `${path} is not valid UTF-8: it is not a text file`, 'save the file as UTF-8 text');
  return problem('load.io', path, `cannot read ${path}: ${errorMessage(err)}`, 'check the file and try again');
}

function tooLarge(path: string, size: number, max: number): Diagnostic {
  return problem('load.too-large', path, `${path} has ${size} bytes, more than the limit of ${max}`,
    'split it into smaller files, or keep large data out of the fleet repository');
}

function problem(code: string, file: string, message: string, hint: string): Diagnostic {
  return { code, file, line: 1, column: 1, message, hint };
}
