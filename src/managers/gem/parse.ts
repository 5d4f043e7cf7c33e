import { GitfleetError } from '../../util/errors.js';
import type { AvailableVersion } from '../types.js';
import { rubygems } from './versions.js';

// Gem names: letters, digits, `_`, `-`, `.` (rubygems.org's rule); case matters (`RedCloth`).
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;
// A version as it appears in a file name or a list: Gem::Version's canonical dotted form (1.0.0.rc1).
const FILE_VERSION = /^[0-9]+(?:\.[0-9A-Za-z]+)*$/;
// First word of a platform suffix (`x86_64-linux`, `arm64-darwin-23`, `x64-mingw-ucrt`, `java`, `universal-darwin`).
const PLATFORM_HEAD = /^(?:x86_64|x86|x64|i[3-6]86|amd64|arm64|aarch64|arm|armv\d\w*|universal|powerpc\w*|ppc\w*|s390x?|sparc\w*|riscv64|loongarch64|java|jruby|dalvik\d*|mswin\w*|mingw\w*|darwin\w*|linux\w*|cygwin|freebsd\w*|openbsd\w*|netbsd\w*|solaris\w*|wasm\w*)$/;

/** True when `name` is a valid gem name. */
export function validGemName(name: string): boolean {
  return NAME.test(name) && !/^\.|\.$/.test(name);
}

/** Gem names are case-sensitive; rubygems.org forbids names that differ only in case, so keep them as written. */
export function normalizeGemName(name: string): string {
  return name;
}

/** `gem --version` prints `3.5.9`. */
export function parseGemVersionOutput(stdout: string): string {
  const m = /^(\d+(?:\.[0-9A-Za-z]+)+)\s*$/m.exec(stdout);
  if (!m?.[1]) throw parseError('gem --version', stdout, 'expected a version such as 3.5.9');
  return m[1];
}

/**
 * `nokogiri-1.16.5-x86_64-linux.gemspec` → {name, version, platform}. Names may contain dashes and
 * platforms end in numbers (`universal-darwin-20`), so the version is the first dash-separated part,
 * after at least one name part, that reads as a version and is followed by nothing or by a platform.
 * Returns undefined for a file name that is not `name-version[-platform].gemspec`.
 */
export function parseGemspecFileName(file: string): { name: string; version: string; platform?: string } | undefined {
  const m = /^(.+)\.gemspec$/.exec(file);
  if (!m?.[1]) return undefined;
  const parts = m[1].split('-');
  for (let i = 1; i < parts.length; i++) {
    const v = parts[i] ?? '';
    const rest = parts.slice(i + 1);
    if (!FILE_VERSION.test(v) || (rest.length > 0 && !PLATFORM_HEAD.test(rest[0] ?? ''))) continue;
    const name = parts.slice(0, i).join('-');
    if (!validGemName(name)) return undefined;
    return rest.length > 0 ? { name, version: v, platform: rest.join('-') } : { name, version: v };
  }
  return undefined;
}

/**
 * The `s.name = "x"` and `s.version = "1.2.3"` lines of an installed (RubyGems-written) gemspec: the
 * fallback for a file name `parseGemspecFileName` cannot split, such as one with an unknown platform.
 */
export function parseGemspecContent(text: string, file = 'gemspec'): { name: string; version: string } {
  const name = /^\s*s\.name\s*=\s*"([^"]+)"/m.exec(text)?.[1];
  const version = /^\s*s\.version\s*=\s*"([^"]+)"/m.exec(text)?.[1];
  if (!name || !validGemName(name) || !version || !FILE_VERSION.test(version)) {
    throw parseError(file, text, 'neither the file name (name-version[-platform].gemspec) nor s.name/s.version give the gem');
  }
  return { name, version };
}

/** The highest of several versions by RubyGems rules (what `require` loads without a Gemfile). */
export function highestGemVersion(versions: string[]): string | undefined {
  return [...versions].sort((a, b) => rubygems.compare(a, b)).at(-1);
}

/**
 * `gem list` lines → name → versions. A line is `name (v1, default: v2, v3 platform ...)`; the
 * `*** LOCAL GEMS ***` / `*** REMOTE GEMS ***` header (printed by older RubyGems or on a TTY) and blank
 * lines are skipped; anything else is an E_PARSE error rather than a silently shorter list.
 */
export function parseGemListLines(stdout: string, what: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || /^\*\*\* (LOCAL|REMOTE) GEMS \*\*\*$/.test(line)) continue;
    const m = /^(\S+) \((.*)\)$/.exec(line);
    if (!m?.[1] || m[2] === undefined || !validGemName(m[1])) throw parseError(what, stdout, `unexpected line ${JSON.stringify(line)}`);
    const versions: string[] = [];
    for (const entry of m[2].split(',')) {
      // `default: 2.5.1`, `1.16.5 x86_64-linux`, `1.16.5 ruby java`: the version is the first word after any `default:`.
      const v = entry.trim().replace(/^default:\s*/, '').split(/\s+/)[0] ?? '';
      if (!FILE_VERSION.test(v)) throw parseError(what, stdout, `unexpected version ${JSON.stringify(entry.trim())} for ${m[1]}`);
      versions.push(v);
    }
    out.set(m[1], [...(out.get(m[1]) ?? []), ...versions]);
  }
  return out;
}

/** `gem list --local` → name → the highest installed version. */
export function parseGemListLocal(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, versions] of parseGemListLines(stdout, 'gem list --local')) {
    const v = highestGemVersion(versions);
    if (v !== undefined) out[normalizeGemName(name)] = v;
  }
  return out;
}

/** `gem list --remote --exact --all NAME` → its versions, newest first as listed, each once (platforms merged). */
export function parseGemListRemote(stdout: string, name: string): AvailableVersion[] {
  const lists = parseGemListLines(stdout, `gem list --remote --exact --all ${name}`);
  const versions = lists.get(name) ?? [];
  if (versions.length === 0 && lists.size > 0) throw parseError(`gem list --remote --exact --all ${name}`, stdout, `no line for ${name}`);
  return [...new Set(versions)].map((version) => ({ version }));
}

function parseError(what: string, text: string, why: string): GitfleetError {
  const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  return new GitfleetError('E_PARSE', `cannot read ${what}: ${why} (got ${JSON.stringify(shown)})`);
}
