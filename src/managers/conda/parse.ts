import { GitfleetError } from '../../util/errors.js';
import type { AvailableVersion } from '../types.js';

// CEP 26: package names are lower-case letters, digits, `_`, `-`, `.`; conda lower-cases what users type.
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
// A conda version (VersionOrder): no `-` and no blanks; `!` epochs, `+` local parts and letters (1.1.1w, 2024a).
const VERSION = /^[0-9A-Za-z][0-9A-Za-z_.+!]{0,63}$/;

/** True when `name` is a valid conda package name. */
export function validCondaName(name: string): boolean {
  return NAME.test(name);
}

/** conda names are lower case. */
export function normalizeCondaName(name: string): string {
  return name.toLowerCase();
}

/** True when `v` is a conda version string that can be put in a match spec (`name==v`). */
export function validCondaVersion(v: string): boolean {
  return VERSION.test(v);
}

/** `conda --version` prints `conda 24.1.2`. */
export function parseCondaVersionOutput(stdout: string): string {
  const m = /^conda (\d[^\s]*)/m.exec(stdout);
  if (!m?.[1]) throw parseError('conda --version', stdout, 'expected "conda X.Y.Z"');
  return m[1];
}

/** One `<env>/conda-meta/<name>-<version>-<build>.json` record → name, version, build. */
export function parseCondaMetaRecord(json: string, file = 'conda-meta record'): { name: string; version: string; build: string } {
  const o = parseJson(json, file);
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw parseError(file, json, 'expected a JSON object');
  const r = o as Record<string, unknown>;
  if (typeof r.name !== 'string' || !validCondaName(r.name)) throw parseError(file, json, 'no valid "name"');
  if (typeof r.version !== 'string' || r.version === '') throw parseError(file, json, 'no "version"');
  return { name: r.name, version: r.version, build: typeof r.build === 'string' ? r.build : '' };
}

/** `conda list --json` → normalized name → version (pip-installed entries included, as conda lists them). */
export function parseCondaList(stdout: string): Record<string, string> {
  const data = parseJson(stdout, 'conda list --json');
  if (!Array.isArray(data)) throw parseError('conda list --json', stdout, 'expected a JSON array of packages');
  const out: Record<string, string> = {};
  for (const p of data as Array<Record<string, unknown> | null>) {
    if (typeof p?.name !== 'string' || typeof p.version !== 'string') throw parseError('conda list --json', stdout, 'an entry without "name" and "version"');
    out[normalizeCondaName(p.name)] = p.version;
  }
  return out;
}

/** True when `conda search --json` answered "no such package" (it exits 1 with this JSON on stdout). */
export function isCondaNotFound(stdout: string): boolean {
  try {
    const o = JSON.parse(stdout) as { exception_name?: unknown };
    return o.exception_name === 'PackagesNotFoundError';
  } catch {
    return false;
  }
}

/**
 * `conda search NAME --json` → one entry per version (a version has a build per platform and Python),
 * in conda's order, dated by its earliest build. `timestamp` is in milliseconds; old packages give
 * seconds, which conda itself tells apart by size.
 */
export function parseCondaSearch(stdout: string, name: string): AvailableVersion[] {
  const what = `conda search ${name} --json`;
  const data = parseJson(stdout, what);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw parseError(what, stdout, 'expected a JSON object keyed by package name');
  const o = data as Record<string, unknown>;
  if (o.error !== undefined) throw parseError(what, stdout, `conda reported ${String(o.exception_name ?? 'an error')}`);
  const key = normalizeCondaName(name);
  if (!(key in o) && Object.keys(o).length > 0) throw parseError(what, stdout, `no entry for "${key}"`);
  const records = o[key] ?? [];
  if (!Array.isArray(records)) throw parseError(what, stdout, `"${name}" is not a list of builds`);
  const earliest = new Map<string, number | undefined>();
  for (const r of records as Array<Record<string, unknown> | null>) {
    if (typeof r?.version !== 'string' || r.version === '') throw parseError(what, stdout, 'a build without "version"');
    const ts = typeof r.timestamp === 'number' && r.timestamp > 0 ? toMs(r.timestamp) : undefined;
    const prev = earliest.get(r.version);
    if (!earliest.has(r.version) || (ts !== undefined && (prev === undefined || ts < prev))) earliest.set(r.version, ts);
  }
  return [...earliest].map(([version, ts]) => (ts === undefined ? { version } : { version, releasedAt: new Date(ts).toISOString() }));
}

// conda's own rule (conda.models.records): a timestamp above year 9999 in seconds is in milliseconds.
function toMs(ts: number): number {
  return ts > 253402300799 ? ts : ts * 1000;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GitfleetError('E_PARSE', `cannot read ${what}: not JSON (${(err as Error).message})`, { cause: err });
  }
}

function parseError(what: string, text: string, why: string): GitfleetError {
  const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  return new GitfleetError('E_PARSE', `cannot read ${what}: ${why} (got ${JSON.stringify(shown)})`);
}
