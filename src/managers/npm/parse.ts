import { GitfleetError } from '../../util/errors.js';
import type { AvailableVersion } from '../types.js';

const BLOCKED = new Set(['node_modules', 'favicon.ico']);
const SCOPED = /^@([^/]+)\/([^/]+)$/;

/**
 * The rules of validate-npm-package-name for names that may exist on a registry (legacy
 * upper-case names such as `JSONStream` included), plus: no leading `-`, since a name
 * becomes a command argument.
 */
export function validNpmName(name: string): boolean {
  if (typeof name !== 'string' || name.length === 0 || name.length > 214) return false;
  if (name.startsWith('.') || name.startsWith('_') || name.startsWith('-')) return false;
  if (name.trim() !== name) return false;
  if (BLOCKED.has(name.toLowerCase())) return false;
  if (encodeURIComponent(name) === name) return true;
  const m = SCOPED.exec(name);
  if (!m) return false;
  const [scope, pkg] = [m[1] ?? '', m[2] ?? ''];
  if (pkg.startsWith('.') || pkg.startsWith('_')) return false;
  return encodeURIComponent(scope) === scope && encodeURIComponent(pkg) === pkg;
}

/** The file name `npm pack` gives: `name-ver.tgz`, scoped `scope-name-ver.tgz`. */
export function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

/** The fields of an installed package.json that listing needs. */
export interface InstalledManifest {
  version: string;
  /** Names this package depends on (any kind), to tell hoisted transitive packages from direct ones. */
  requires: string[];
}

/** Parses an installed package.json; throws E_PARSE naming `file` when it is not JSON or has no version. */
export function parseInstalledManifest(text: string, file: string): InstalledManifest {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new GitfleetError('E_PARSE', `${file}: is not valid JSON`, { cause: err });
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new GitfleetError('E_PARSE', `${file}: is not a JSON object`);
  if (typeof data.version !== 'string' || data.version === '') throw new GitfleetError('E_PARSE', `${file}: has no "version"`);
  return { version: data.version, requires: dependencyNames(data) };
}

/** The names in dependencies, optionalDependencies, peerDependencies and devDependencies of a manifest. */
export function dependencyNames(manifest: Record<string, unknown>, kinds = ['dependencies', 'optionalDependencies', 'peerDependencies']): string[] {
  return kinds.flatMap((k) => {
    const v = manifest[k];
    return v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : [];
  });
}

/** `npm ls --json --depth=0` output → name → version (entries without a version, e.g. missing, are left out). */
export function parseNpmLs(stdout: string): Record<string, string> {
  const data = parseJson(stdout, 'npm ls') as { dependencies?: Record<string, { version?: unknown }> };
  const out: Record<string, string> = {};
  for (const [name, dep] of Object.entries(data.dependencies ?? {})) {
    if (typeof dep?.version === 'string') out[name] = dep.version;
  }
  return out;
}

/**
 * `npm view NAME time versions --json` output → versions with release dates (from `time`), in
 * registry order. An E404 answer gives []; any other error answer throws.
 */
export function parseNpmView(stdout: string): AvailableVersion[] {
  if (stdout.trim() === '') return [];
  const data = parseJson(stdout, 'npm view') as { time?: Record<string, unknown>; versions?: unknown; error?: { code?: unknown; summary?: unknown } };
  if (data.error) {
    if (data.error.code === 'E404') return [];
    throw new GitfleetError('E_COMMAND_FAILED', `npm view failed: ${String(data.error.code)} ${String(data.error.summary ?? '')}`.trim());
  }
  // npm unwraps a one-element array, so one published version arrives as a string.
  const versions = typeof data.versions === 'string' ? [data.versions] : Array.isArray(data.versions) ? data.versions : [];
  const time = data.time ?? {};
  return versions.filter((v): v is string => typeof v === 'string').map((version) => {
    const at = time[version];
    return typeof at === 'string' ? { version, releasedAt: at } : { version };
  });
}

function parseJson(stdout: string, what: string): Record<string, unknown> {
  try {
    const data = JSON.parse(stdout) as unknown;
    if (data && typeof data === 'object' && !Array.isArray(data)) return data as Record<string, unknown>;
  } catch (err) {
    throw new GitfleetError('E_PARSE', `${what} output is not JSON: ${JSON.stringify(stdout.slice(0, 80))}`, { cause: err });
  }
  throw new GitfleetError('E_PARSE', `${what} output is not a JSON object`);
}
