import { GitfleetError } from '../../util/errors.js';

/** PEP 503 normalized form: runs of `-`, `_`, `.` become one `-`, lower case. */
export function normalizePipName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

// PEP 508 name: letters/digits at both ends, `.`/`_`/`-` inside; this also rules out a leading `-`.
const PEP508_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** True when `name` is a valid PEP 508 distribution name. */
export function validPipName(name: string): boolean {
  return PEP508_NAME.test(name);
}

/** Name and Version of a METADATA / PKG-INFO file. */
export interface CoreMetadata {
  name: string;
  version: string;
}

const HEADER = /^([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*)$/;

/**
 * Reads the Name and Version headers of a core-metadata file (RFC 822 style headers, then a body).
 * Throws E_PARSE naming `file` when the header block is not headers or a field is missing.
 */
export function parseCoreMetadata(text: string, file: string): CoreMetadata {
  const fields = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') break; // the body (long description) starts after the first blank line
    if (line.includes('\0')) throw new GitfleetError('E_PARSE', `${file}: is corrupt (NUL bytes in line ${i + 1})`);
    if (/^[ \t]/.test(line)) continue; // a folded continuation of the previous header
    const m = HEADER.exec(line);
    if (!m) throw new GitfleetError('E_PARSE', `${file}: line ${i + 1} is not a metadata header: ${JSON.stringify(line.slice(0, 60))}`);
    const key = (m[1] ?? '').toLowerCase();
    if (!fields.has(key)) fields.set(key, (m[2] ?? '').trim());
  }
  const name = fields.get('name');
  const version = fields.get('version');
  if (!name) throw new GitfleetError('E_PARSE', `${file}: has no Name header`);
  if (!version) throw new GitfleetError('E_PARSE', `${file}: has no Version header`);
  if (/\s/.test(version)) throw new GitfleetError('E_PARSE', `${file}: Version ${JSON.stringify(version)} contains whitespace`);
  return { name, version };
}

/** `pip list --format=json` output → normalized name → version. Throws E_PARSE on anything else. */
export function parsePipList(stdout: string): Record<string, string> {
  let data: unknown;
  try {
    data = JSON.parse(stdout);
  } catch (err) {
    throw new GitfleetError('E_PARSE', `pip list output is not JSON: ${JSON.stringify(stdout.slice(0, 80))}`, { cause: err });
  }
  if (!Array.isArray(data)) throw new GitfleetError('E_PARSE', 'pip list output is not a JSON array');
  const out: Record<string, string> = {};
  for (const entry of data as unknown[]) {
    const e = entry as { name?: unknown; version?: unknown } | null;
    if (typeof e?.name !== 'string' || typeof e.version !== 'string') {
      throw new GitfleetError('E_PARSE', `pip list entry without name/version: ${JSON.stringify(entry)}`);
    }
    out[normalizePipName(e.name)] = e.version;
  }
  return out;
}

/** The version out of `pip 23.0.1 from /usr/lib/... (python 3.11)`; undefined when it is not that. */
export function parsePipVersion(stdout: string): string | undefined {
  return /^pip (\S+) from /m.exec(stdout)?.[1];
}

const SDIST_EXT = /\.(tar\.gz|tgz|tar\.bz2|tar\.xz|tar|zip)$/i;

/**
 * The version in a wheel or sdist file name when the file belongs to `name` (any spelling),
 * else undefined. Wheels follow the binary distribution format spec; sdists are `NAME-VERSION.ext`,
 * where a legacy name may itself contain `-`, so the split is found by matching the name.
 */
export function versionFromDistFilename(filename: string, name: string): string | undefined {
  const wanted = normalizePipName(name);
  if (filename.toLowerCase().endsWith('.whl')) {
    const parts = filename.slice(0, -4).split('-');
    if (parts.length !== 5 && parts.length !== 6) return undefined;
    if (normalizePipName(parts[0] ?? '') !== wanted) return undefined;
    // Wheel names escape `-` in the version as `_`.
    return (parts[1] ?? '').replace(/_/g, '-') || undefined;
  }
  const ext = SDIST_EXT.exec(filename);
  if (!ext) return undefined;
  const stem = filename.slice(0, filename.length - ext[0].length);
  for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) {
    if (normalizePipName(stem.slice(0, i)) === wanted) return stem.slice(i + 1) || undefined;
  }
  return undefined;
}

/** One file a simple index lists for a project. */
export interface IndexFile {
  filename: string;
  uploadTime?: string;
  yanked: boolean;
}

/** A PEP 691 JSON project page → its files. Throws E_PARSE on anything else. */
export function parseSimpleJson(body: string, where: string): IndexFile[] {
  let data: { files?: unknown };
  try {
    data = JSON.parse(body) as { files?: unknown };
  } catch (err) {
    throw new GitfleetError('E_PARSE', `${where}: simple API response is not JSON`, { cause: err });
  }
  if (!data || !Array.isArray(data.files)) throw new GitfleetError('E_PARSE', `${where}: simple API response has no "files" array`);
  return (data.files as unknown[]).flatMap((f) => {
    const file = f as { filename?: unknown; 'upload-time'?: unknown; yanked?: unknown } | null;
    if (typeof file?.filename !== 'string') return [];
    const up = file['upload-time'];
    // PEP 592: `yanked` is false or true or a reason string.
    const yanked = file.yanked === true || (typeof file.yanked === 'string');
    return [{ filename: file.filename, yanked, ...(typeof up === 'string' ? { uploadTime: up } : {}) }];
  });
}

/** A PEP 503 HTML project page (or find-links page) → its files (anchor texts; no dates). */
export function parseSimpleHtml(body: string): IndexFile[] {
  const out: IndexFile[] = [];
  for (const m of body.matchAll(/<a\b([^>]*)>([^<]*)<\/a>/gi)) {
    const filename = (m[2] ?? '').trim();
    if (filename) out.push({ filename, yanked: /\bdata-yanked\b/i.test(m[1] ?? '') });
  }
  return out;
}
