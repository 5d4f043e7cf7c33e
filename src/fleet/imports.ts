import type { Diagnostic } from '../util/errors.js';

/** Pins read from an imported file, each with the line it came from. */
export interface ImportedPins {
  manager: 'pip' | 'npm';
  file: string;
  pins: { name: string; version: string; line: number }[];
}

const REQ_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** Parses a requirements.txt that may hold only exact `name==version` pins; anything else is a diagnostic with its line. */
export function parseRequirements(file: string, text: string): { pins: ImportedPins; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const pins: ImportedPins = { manager: 'pip', file, pins: [] };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const body = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!body) return;
    const at = (column: number, code: string, message: string, hint: string) => diagnostics.push({ code, file, line, column, message, hint });
    const col = raw.indexOf(body[0]!) + 1;
    if (body.startsWith('-')) return at(col, 'import.option', `"${body}" is an option; imports take only pins`, 'write one `name==version` per line; put index settings in the baseline\'s `sources.pip`');
    if (/^[a-z+]+:\/\//i.test(body) || body.includes(' @ ') || /\.(whl|tar\.gz|zip)$/.test(body)) {
      return at(col, 'import.url', `"${body}" installs from a URL or file; imports take only pins from an index`, 'write `name==version` and configure the source in `sources.pip`');
    }
    if (body.includes(';')) return at(col + body.indexOf(';'), 'import.marker', `"${body}" has an environment marker`, 'use the baseline\'s `appliesTo` to select hosts instead of markers');
    const m = /^([^=<>!~\s[]+)(\[[^\]]*\])?\s*(===?|>=|<=|~=|!=|>|<)?\s*(.*)$/.exec(body);
    const name = m?.[1] ?? body;
    const op = m?.[3];
    const version = (m?.[4] ?? '').trim();
    if (!REQ_NAME.test(name)) return at(col, 'import.name', `"${name}" is not a valid Python package name`, 'names are letters, digits, `.`, `_` and `-`');
    if (m?.[2]) return at(col + name.length, 'import.extras', `"${body}" asks for extras`, `pin the extra packages themselves: \`${name}==<version>\``);
    if (op !== '==' || !version || /[,*\s]/.test(version)) {
      return at(col + name.length, 'import.not-pinned', `"${body}" is not an exact pin`, `write \`${name}==<version>\`: gitfleet applies exact versions and proposes updates as PRs`);
    }
    pins.pins.push({ name, version, line });
  });
  return { pins, diagnostics };
}

const EXACT_SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Reads the exact versions of a package.json's `dependencies`; a range or a non-registry spec is a diagnostic at its line. */
export function parsePackageJson(file: string, text: string): { pins: ImportedPins; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const pins: ImportedPins = { manager: 'npm', file, pins: [] };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const pos = /position (\d+)/.exec((err as Error).message);
    const { line, column } = lineCol(text, pos ? Number(pos[1]) : 0);
    diagnostics.push({ code: 'import.json', file, line, column, message: `not valid JSON: ${(err as Error).message}`, hint: 'fix the JSON syntax' });
    return { pins, diagnostics };
  }
  const deps = (data as { dependencies?: unknown })?.dependencies;
  if (deps === undefined) return { pins, diagnostics };
  if (deps === null || typeof deps !== 'object' || Array.isArray(deps)) {
    diagnostics.push({ code: 'import.json', file, ...lineCol(text, text.indexOf('"dependencies"')), message: '"dependencies" is not an object', hint: 'map package names to exact versions' });
    return { pins, diagnostics };
  }
  // Search names after the "dependencies" key: the same name may appear earlier (devDependencies, "name").
  const depsAt = Math.max(0, text.search(/"dependencies"\s*:/));
  for (const [name, spec] of Object.entries(deps as Record<string, unknown>)) {
    const keyAt = text.indexOf(JSON.stringify(name), depsAt);
    const { line, column } = lineCol(text, keyAt < 0 ? depsAt : keyAt);
    if (typeof spec !== 'string' || !EXACT_SEMVER.test(spec)) {
      // the value is what is wrong: point at it when it can be found in the text
      const specAt = typeof spec === 'string' && keyAt >= 0 ? text.indexOf(JSON.stringify(spec), keyAt + JSON.stringify(name).length) : -1;
      diagnostics.push({ code: 'import.not-pinned', file, ...(specAt < 0 ? { line, column } : lineCol(text, specAt)), message: `dependency "${name}": ${JSON.stringify(spec)} is not an exact version`, hint: 'write an exact version such as "1.2.3": gitfleet applies exact versions and proposes updates as PRs' });
      continue;
    }
    pins.pins.push({ name, version: spec, line });
  }
  return { pins, diagnostics };
}

function lineCol(text: string, offset: number): { line: number; column: number } {
  const o = Math.max(0, offset);
  let line = 1;
  let last = -1;
  for (let i = 0; i < o && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; last = i; }
  return { line, column: o - last };
}
