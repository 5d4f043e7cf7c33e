import type { ParsedVersion, VersionScheme } from '../types.js';
import { compareDigits, compareOrdinal, invalidVersion, sign } from './common.js';

// The regular expression semver.org recommends for SemVer 2.0.0: no `v`, no leading zeros.
const NUM = '0|[1-9]\\d*';
const PRE_ID = `(?:${NUM}|\\d*[a-zA-Z-][0-9a-zA-Z-]*)`;
const PATTERN = new RegExp(
  `^(${NUM})\\.(${NUM})\\.(${NUM})` +
    `(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?` +
    '(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$',
);

interface SemverParts {
  core: [string, string, string];
  pre: string[];
}

function parts(v: string): SemverParts | undefined {
  const m = PATTERN.exec(v);
  if (!m) return undefined;
  return { core: [m[1] as string, m[2] as string, m[3] as string], pre: m[4] === undefined ? [] : m[4].split('.') };
}

function mustParse(v: string): SemverParts {
  const p = parts(v);
  if (!p) throw invalidVersion('semver', v, 'expected MAJOR.MINOR.PATCH[-prerelease][+build] without a leading "v" or leading zeros, e.g. 1.4.2-rc.1');
  return p;
}

const isNumeric = (id: string): boolean => /^\d+$/.test(id);

// SemVer §11: numeric identifiers compare as numbers and sort before alphanumeric ones (ASCII order);
// a longer list wins when the shorter is its prefix; a release sorts after its pre-releases.
function comparePre(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const xn = isNumeric(x);
    const yn = isNumeric(y);
    const c = xn && yn ? compareDigits(x, y) : xn ? -1 : yn ? 1 : compareOrdinal(x, y);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareParts(a: SemverParts, b: SemverParts): number {
  for (let i = 0; i < 3; i++) {
    const c = compareDigits(a.core[i] as string, b.core[i] as string);
    if (c !== 0) return c;
  }
  return comparePre(a.pre, b.pre);
}

/** npm versions: strict SemVer 2.0.0 precedence; build metadata is ignored. */
export const semver: VersionScheme = {
  id: 'semver',
  valid: (v) => parts(v) !== undefined,
  compare: (a, b) => sign(compareParts(mustParse(a), mustParse(b))),
  parse(v): ParsedVersion {
    const p = mustParse(v);
    return { raw: v, release: p.core.map(Number), prerelease: p.pre.length > 0 };
  },
};
