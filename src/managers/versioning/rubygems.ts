import type { ParsedVersion, VersionScheme } from '../types.js';
import { compareDigits, compareOrdinal, invalidVersion, stripZeros } from './common.js';

// Gem::Version::VERSION_PATTERN, anchored; the empty string and surrounding blanks, which
// RubyGems tolerates, are rejected here.
const PATTERN = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** A segment: a digit string (normalized) or a letter string. */
type Segment = { num: string } | { str: string };

const isZero = (s: Segment): boolean => 'num' in s && s.num === '0';

// Gem::Version#segments: a `-` means `.pre.`; runs of digits and runs of letters are segments.
function segments(v: string): Segment[] {
  const text = v.replaceAll('-', '.pre.');
  return (text.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^\d/.test(s) ? { num: stripZeros(s) } : { str: s }));
}

function dropTrailingZeros(s: Segment[]): Segment[] {
  let n = s.length;
  while (n > 0 && isZero(s[n - 1] as Segment)) n--;
  return s.slice(0, n);
}

// Gem::Version#canonical_segments: trailing zeros go from the numeric part before the first
// string segment and from the end, so 1.0 == 1 and 1.0.a == 1.a.
function canonical(v: string): Segment[] {
  const all = segments(v);
  const firstString = all.findIndex((s) => 'str' in s);
  if (firstString < 0) return dropTrailingZeros(all);
  return [...dropTrailingZeros(all.slice(0, firstString)), ...dropTrailingZeros(all.slice(firstString))];
}

function mustBeValid(v: string): string {
  if (!PATTERN.test(v)) throw invalidVersion('rubygems', v, 'expected digits and dot-separated segments, e.g. 7.1.3, 2.0.0.rc1 or 1.2-beta');
  return v;
}

const ZERO: Segment = { num: '0' };

// Gem::Version#<=>: missing segments count as 0; a string segment sorts before a number.
function compareSegments(a: Segment[], b: Segment[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? ZERO;
    const y = b[i] ?? ZERO;
    if ('num' in x && 'num' in y) {
      const c = compareDigits(x.num, y.num);
      if (c !== 0) return c;
    } else if ('str' in x && 'str' in y) {
      const c = compareOrdinal(x.str, y.str);
      if (c !== 0) return c;
    } else {
      return 'str' in x ? -1 : 1;
    }
  }
  return 0;
}

/** Ruby gems: Gem::Version ordering. */
export const rubygems: VersionScheme = {
  id: 'rubygems',
  valid: (v) => PATTERN.test(v),
  compare: (a, b) => compareSegments(canonical(mustBeValid(a)), canonical(mustBeValid(b))),
  parse(v): ParsedVersion {
    const all = segments(mustBeValid(v));
    const firstString = all.findIndex((s) => 'str' in s);
    const numeric = firstString < 0 ? all : all.slice(0, firstString);
    return { raw: v, release: numeric.map((s) => Number('num' in s ? s.num : 0)), prerelease: firstString >= 0 };
  },
};
