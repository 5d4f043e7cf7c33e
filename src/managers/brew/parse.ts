import { GitfleetError } from '../../util/errors.js';
import type { AvailableVersion } from '../types.js';
import { loose } from './versions.js';

// Formula names are lower case (`wget`, `openssl@3`, `python@3.12`, `c++utils`); taps add `user/repo/`.
const NAME = /^(?:[a-z0-9][a-z0-9_-]*\/[a-z0-9][a-z0-9_.-]*\/)?[a-z0-9][a-z0-9_.+@-]*$/;

/** True when `name` is a formula or cask name brew accepts (optionally tap-qualified). */
export function validBrewName(name: string): boolean {
  return name.length <= 200 && NAME.test(name);
}

/** Brew matches names case-insensitively and stores them lower case. */
export function normalizeBrewName(name: string): string {
  return name.toLowerCase();
}

/**
 * `1.2.3_1` → `1.2.3`. The `_N` suffix is Homebrew's rebuild revision of the same upstream version;
 * `versions.stable` (what listAvailable reports) never carries it, so installed versions drop it too.
 */
export function stripRevision(version: string): string {
  return version.replace(/_\d+$/, '');
}

/** `Homebrew 4.2.0\n...` → `4.2.0`. */
export function parseBrewVersionOutput(stdout: string): string {
  const m = /^Homebrew (\d[^\s]*)/m.exec(stdout);
  if (!m?.[1]) throw parseError('brew --version', stdout, 'expected a line "Homebrew X.Y.Z"');
  return m[1];
}

/**
 * The version folder brew uses: the one `opt/<formula>` links to when it names an existing folder,
 * otherwise the newest (brew keeps old kegs until `brew cleanup`). Undefined when there is none.
 */
export function pickKeg(versions: string[], linked?: string): string | undefined {
  const kegs = versions.filter((v) => v !== '' && !v.startsWith('.'));
  if (linked !== undefined && kegs.includes(linked)) return linked;
  return [...kegs].sort(compareKegs).at(-1);
}

/** Orders keg folder names by the loose scheme; names it cannot read (HEAD-abc1234) sort first. */
function compareKegs(a: string, b: string): number {
  const va = loose.valid(stripRevision(a));
  const vb = loose.valid(stripRevision(b));
  if (va && vb) {
    const c = loose.compare(stripRevision(a), stripRevision(b));
    if (c !== 0) return c;
    return revision(a) - revision(b);
  }
  if (va !== vb) return va ? 1 : -1;
  return a.localeCompare(b, 'en', { numeric: true });
}

function revision(v: string): number {
  const m = /_(\d+)$/.exec(v);
  return m?.[1] ? Number(m[1]) : 0;
}

interface BrewFormulaJson {
  name?: unknown;
  versions?: { stable?: unknown };
  installed?: Array<{ version?: unknown }>;
  linked_keg?: unknown;
}

interface BrewCaskJson {
  token?: unknown;
  version?: unknown;
  installed?: unknown;
}

interface BrewInfoJson {
  formulae: BrewFormulaJson[];
  casks: BrewCaskJson[];
}

/** `brew info --json=v2 --installed` → name → installed version (formulae and casks; a formula wins a clash). */
export function parseBrewInfoInstalled(stdout: string): Record<string, string> {
  const info = parseInfo(stdout, 'brew info --json=v2 --installed');
  const out: Record<string, string> = {};
  for (const c of info.casks) {
    if (typeof c.token === 'string' && typeof c.installed === 'string' && c.installed !== '') {
      out[normalizeBrewName(c.token)] = c.installed;
    }
  }
  for (const f of info.formulae) {
    if (typeof f.name !== 'string') throw parseError('brew info --json=v2 --installed', stdout, 'a formula without "name"');
    const kegs = (f.installed ?? []).map((i) => i.version).filter((v): v is string => typeof v === 'string');
    const keg = pickKeg(kegs, typeof f.linked_keg === 'string' ? f.linked_keg : undefined);
    if (keg !== undefined) out[normalizeBrewName(f.name)] = stripRevision(keg);
  }
  return out;
}

/** `brew info --json=v2 NAME` → the one version brew can install: the formula's stable (or the cask's) version. */
export function parseBrewInfoAvailable(stdout: string, name: string): AvailableVersion[] {
  const info = parseInfo(stdout, `brew info --json=v2 ${name}`);
  const short = normalizeBrewName(name).split('/').at(-1);
  const formula = info.formulae.find((f) => typeof f.name === 'string' && normalizeBrewName(f.name) === short) ?? info.formulae[0];
  const stable = formula?.versions?.stable;
  if (typeof stable === 'string' && stable !== '') return [{ version: stable }];
  const cask = info.casks.find((c) => typeof c.token === 'string' && normalizeBrewName(c.token) === short) ?? info.casks[0];
  if (typeof cask?.version === 'string' && cask.version !== '' && cask.version !== 'latest') return [{ version: cask.version }];
  if (formula === undefined && cask === undefined) return [];
  throw parseError(`brew info --json=v2 ${name}`, stdout, 'no "versions.stable" (formula) or "version" (cask)');
}

/** brew's message for a name it does not know (stderr, exit 1). */
export function isBrewNotFound(stderr: string): boolean {
  return /No available (formula|cask)|No formulae or casks found|No cask with this name/i.test(stderr);
}

function parseInfo(stdout: string, what: string): BrewInfoJson {
  let data: unknown;
  try {
    data = JSON.parse(stdout);
  } catch (err) {
    throw parseError(what, stdout, 'output is not JSON', err);
  }
  // v2 is {formulae, casks}; v1 (old brew, or --json) is a bare array of formulae.
  if (Array.isArray(data)) return { formulae: data as BrewFormulaJson[], casks: [] };
  if (typeof data !== 'object' || data === null) throw parseError(what, stdout, 'expected a JSON object');
  const o = data as Record<string, unknown>;
  const formulae = o.formulae ?? [];
  const casks = o.casks ?? [];
  if (!Array.isArray(formulae) || !Array.isArray(casks) || (o.formulae === undefined && o.casks === undefined)) {
    throw parseError(what, stdout, 'expected {"formulae": [...], "casks": [...]}');
  }
  return { formulae: formulae as BrewFormulaJson[], casks: casks as BrewCaskJson[] };
}

function parseError(what: string, text: string, why: string, cause?: unknown): GitfleetError {
  const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  return new GitfleetError('E_PARSE', `cannot read the output of ${what}: ${why} (got ${JSON.stringify(shown)})`, { cause });
}
