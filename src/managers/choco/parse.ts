import { GitfleetError } from '../../util/errors.js';
import type { AvailableVersion } from '../types.js';

// NuGet package ids: letters, digits, `.`, `_`, `-`; chocolatey adds nothing (`git.install`, `7zip`, `vcredist140`).
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

/** True when `name` is a valid Chocolatey (NuGet) package id. */
export function validChocoName(name: string): boolean {
  return NAME.test(name) && !name.endsWith('.');
}

/** Chocolatey ids are case-insensitive; the lib folder keeps whatever case the package used. */
export function normalizeChocoName(name: string): string {
  return name.toLowerCase();
}

/** `choco --version` prints the bare version (`2.2.2`), after an optional banner line. */
export function parseChocoVersionOutput(stdout: string): string {
  const m = /^(\d+(?:\.\d+)+(?:-[0-9A-Za-z.-]+)?)\s*$/m.exec(stdout);
  if (!m?.[1]) throw parseError('choco --version', stdout, 'expected a version line such as 2.2.2');
  return m[1];
}

/**
 * A `.nuspec` manifest → its `<metadata>` id and version. A regular-expression read is enough because
 * only two leaf elements of a NuGet-written file are needed; comments and CDATA are removed first so
 * that nothing inside them is mistaken for an element.
 */
export function parseNuspec(xml: string, file = 'nuspec'): { id: string; version: string } {
  const text = xml.replace(/^\uFEFF/, '').replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  const metadata = /<metadata(?:\s[^>]*)?>([\s\S]*?)<\/metadata>/.exec(text)?.[1];
  if (metadata === undefined) throw parseError(file, xml, 'no <metadata> element');
  const id = leaf(metadata, 'id');
  const version = leaf(metadata, 'version');
  if (!id || !validChocoName(id)) throw parseError(file, xml, 'no valid <id> in <metadata>');
  if (!version) throw parseError(file, xml, 'no <version> in <metadata>');
  return { id, version };
}

function leaf(xml: string, tag: string): string | undefined {
  const raw = new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`).exec(xml)?.[1];
  return raw === undefined ? undefined : decodeXml(raw.trim());
}

function decodeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e] ?? '');
}

/**
 * `--limit-output` lines (`id|version[|...]`) → pairs, in output order. Lines without a `|` are prose
 * choco may still print (a non-elevated shell warning) and are skipped; but output with such lines and
 * no pair at all is an E_PARSE error, as is a malformed pair, so a changed format is never read as "none".
 */
export function parseLimitOutput(stdout: string, what: string): Array<{ id: string; version: string }> {
  const out: Array<{ id: string; version: string }> = [];
  let prose = false;
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.includes('|')) {
      prose = true;
      continue;
    }
    const m = /^([^|\s]+)\|([^|\s]+)(?:\|.*)?$/.exec(line);
    if (!m?.[1] || !m[2] || !validChocoName(m[1])) throw parseError(what, stdout, `unexpected line ${JSON.stringify(line)}; expected "id|version"`);
    out.push({ id: m[1], version: m[2] });
  }
  if (prose && out.length === 0) throw parseError(what, stdout, 'no "id|version" line');
  return out;
}

/** `choco list -r` → normalized id → version. */
export function parseChocoList(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { id, version } of parseLimitOutput(stdout, 'choco list -r')) out[normalizeChocoName(id)] = version;
  return out;
}

/** `choco search NAME --exact --all-versions -r` → the versions of exactly `name`, as listed. */
export function parseChocoSearch(stdout: string, name: string): AvailableVersion[] {
  const want = normalizeChocoName(name);
  const seen = new Set<string>();
  const out: AvailableVersion[] = [];
  for (const { id, version } of parseLimitOutput(stdout, `choco search ${name} --exact --all-versions -r`)) {
    if (normalizeChocoName(id) !== want || seen.has(version)) continue;
    seen.add(version);
    out.push({ version });
  }
  return out;
}

function parseError(what: string, text: string, why: string): GitfleetError {
  const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  return new GitfleetError('E_PARSE', `cannot read ${what}: ${why} (got ${JSON.stringify(shown)})`);
}
