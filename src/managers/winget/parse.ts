import { GitfleetError } from '../../util/errors.js';
import type { AvailableVersion } from '../types.js';

// winget package identifiers: `Publisher.Package[.More]` of letters, digits and `.-_+` (`Microsoft.VCRedist.2015+.x64`).
const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

/** True when `name` is a valid winget package identifier. */
export function validWingetName(name: string): boolean {
  return NAME.test(name) && !name.includes('..');
}

/**
 * winget matches identifiers case-insensitively when listing, so installed names are keyed lower case.
 * Commands keep the spelling of the desired state: with `--exact` winget compares case-sensitively.
 */
export function normalizeWingetName(name: string): string {
  return name.toLowerCase();
}

/** `winget --version` prints `v1.7.10861`. */
export function parseWingetVersionOutput(stdout: string): string {
  const m = /^v?(\d+(?:\.\d+)+(?:-[0-9A-Za-z.-]+)?)\s*$/m.exec(stdout.trim());
  if (!m?.[1]) throw parseError('winget --version', stdout, 'expected a version such as v1.7.10861');
  return m[1];
}

interface WingetExport {
  Sources?: Array<{ Packages?: Array<{ PackageIdentifier?: unknown; Version?: unknown }> }>;
}

/**
 * The JSON file `winget export --include-versions` writes → normalized id → version. A package winget
 * exported without a `Version` (it could not match one in a source) is left out: an unknown version
 * cannot be compared, and gitfleet does not guess one.
 */
export function parseWingetExport(json: string): Record<string, string> {
  let data: WingetExport;
  try {
    data = JSON.parse(json.replace(/^\uFEFF/, '')) as WingetExport;
  } catch (err) {
    throw new GitfleetError('E_PARSE', `cannot read the winget export file: not JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof data !== 'object' || data === null || !Array.isArray(data.Sources)) {
    throw parseError('the winget export file', json, 'expected {"Sources": [{"Packages": [...]}]}');
  }
  const out: Record<string, string> = {};
  for (const source of data.Sources) {
    if (!Array.isArray(source?.Packages)) throw parseError('the winget export file', json, 'a source without "Packages"');
    for (const p of source.Packages) {
      if (typeof p?.PackageIdentifier !== 'string') throw parseError('the winget export file', json, 'a package without "PackageIdentifier"');
      if (typeof p.Version === 'string' && p.Version !== '') out[normalizeWingetName(p.PackageIdentifier)] = p.Version;
    }
  }
  return out;
}

/** winget's answer when no package matches (exit code non-zero, message on stdout). */
export function isWingetNotFound(stdout: string): boolean {
  return /No package found matching input criteria/i.test(stdout);
}

/**
 * `winget show --id ID --versions` → versions, newest first as winget lists them:
 * `Found Name [Id]`, a `Version` header, a rule of dashes, then one version per line.
 * Progress spinners (`\r-\r\|`) before the table are ignored.
 */
export function parseWingetShowVersions(stdout: string): AvailableVersion[] {
  if (isWingetNotFound(stdout)) return [];
  const lines = stdout.split(/\r\n|\n|\r/).map((l) => l.trim());
  const rule = lines.findIndex((l, i) => /^-{3,}$/.test(l) && /^Version$/i.test(lines[i - 1] ?? ''));
  if (rule < 0) throw parseError('winget show --versions', stdout, 'no "Version" table');
  const out: AvailableVersion[] = [];
  for (const line of lines.slice(rule + 1)) {
    if (line === '') continue;
    if (!/^[0-9A-Za-z][0-9A-Za-z._+~-]*$/.test(line)) throw parseError('winget show --versions', stdout, `unexpected line ${JSON.stringify(line)}`);
    out.push({ version: line });
  }
  return out;
}

function parseError(what: string, text: string, why: string): GitfleetError {
  const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  return new GitfleetError('E_PARSE', `cannot read ${what}: ${why} (got ${JSON.stringify(shown)})`);
}
