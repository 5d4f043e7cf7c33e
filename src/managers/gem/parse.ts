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

/** One version of a `gem list` line; `isDefault` for a `default: X` entry (a default gem of the Ruby). */
export interface GemListEntry { version: string; isDefault: boolean }

/**
 * `gem list` lines → name → versions. A line is `name (v1, default: v2, v3 platform ...)`; the
 * `*** LOCAL GEMS ***` / `*** REMOTE GEMS ***` header (printed on a TTY or with both --local and --remote) and
 * blank lines are skipped; anything else is an E_PARSE error rather than a silently shorter list.
 */
export function parseGemListLines(stdout: string, what: string): Map<string, GemListEntry[]> {
  const out = new Map<string, GemListEntry[]>();
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || /^\*\*\* (LOCAL|REMOTE) GEMS \*\*\*$/.test(line)) continue;
    const m = /^(\S+) \((.*)\)$/.exec(line);
    if (!m?.[1] || m[2] === undefined || !validGemName(m[1])) throw parseError(what, stdout, `unexpected line ${JSON.stringify(line)}`);
    const entries: GemListEntry[] = [];
    for (const entry of m[2].split(',')) {
      // `default: 2.5.1`, `1.16.5 x86_64-linux`, `1.16.5 ruby java`: the version is the first word after any `default:`.
      const isDefault = /^default:/.test(entry.trim());
      const v = entry.trim().replace(/^default:\s*/, '').split(/\s+/)[0] ?? '';
      if (!FILE_VERSION.test(v)) throw parseError(what, stdout, `unexpected version ${JSON.stringify(entry.trim())} for ${m[1]}`);
      entries.push({ version: v, isDefault });
    }
    out.set(m[1], [...(out.get(m[1]) ?? []), ...entries]);
  }
  return out;
}

/**
 * `gem list --local` → name → the highest installed version, default gems left out: they belong to the Ruby
 * (`gem uninstall` refuses them, only a new Ruby changes them), so a target's gems are the ones installed into it,
 * as its `specifications/*.gemspec` say. `debug (1.5.0, default: 0.2.1)` is debug 1.5.0; `abbrev (default: 0.1.0)` is absent.
 */
export function parseGemListLocal(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, entries] of parseGemListLines(stdout, 'gem list --local')) {
    const v = highestGemVersion(entries.filter((e) => !e.isDefault).map((e) => e.version));
    if (v !== undefined) out[normalizeGemName(name)] = v;
  }
  return out;
}

/**
 * `gem list --remote --exact --all --prerelease NAME` → its versions, each once (platforms merged), oldest first
 * like the other adapters'. Empty output means no line for NAME, which `gem list` also prints when a source failed.
 */
export function parseGemListRemote(stdout: string, name: string): AvailableVersion[] {
  const lists = parseGemListLines(stdout, `gem list --remote --exact --all --prerelease ${name}`);
  const versions = (lists.get(name) ?? []).map((e) => e.version);
  if (versions.length === 0 && lists.size > 0) throw parseError(`gem list --remote --exact --all --prerelease ${name}`, stdout, `no line for ${name}`);
  return [...new Set(versions)].sort((a, b) => rubygems.compare(a, b)).map((version) => ({ version }));
}

/**
 * What the probe `gem install NAME --explain` says when `gem list --remote` listed nothing (`gem list` drops the
 * errors of its sources): `found` (listed nothing yet installable: something is off), `absent` (every source answered,
 * none has it), or `failed` with gem's reason (a source did not answer: unreachable, 404, refused credentials).
 */
export function classifyGemExplain(exitCode: number, stderr: string): { kind: 'found' } | { kind: 'absent' } | { kind: 'failed'; reason: string } {
  if (exitCode === 0) return { kind: 'found' };
  const text = stderr.trim();
  // "Could not find a valid gem 'x' (>= 0) in any repository" (maybe followed by "Possible alternatives: ...") is the
  // message for "every source answered"; with a failed source it reads "..., here is why:" and gem's reason for each.
  if (/^ERROR: +Could not find a valid gem '[^']+' \([^)]*\) in any repository$/m.test(text) && !/here is why/.test(text)) return { kind: 'absent' };
  return { kind: 'failed', reason: text || `exit ${exitCode}` };
}

function parseError(what: string, text: string, why: string): GitfleetError {
  const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  return new GitfleetError('E_PARSE', `cannot read ${what}: ${why} (got ${JSON.stringify(shown)})`);
}
