import type { ParsedVersion, VersionScheme } from '../types.js';
import { compareDigits, compareOrdinal, invalidVersion, stripZeros } from './common.js';

// Anything a package manager might print as a version, minus blanks, shell and cmd.exe
// metacharacters and a leading '-' (which a command would read as an option).
const PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+~:,@-]{0,127}$/;

// Words that mark a pre-release: they sort before the release they precede (1.0-beta < 1.0),
// while other words sort after it (openssl-style 1.1.1a > 1.1.1).
const PRE_WORDS = new Set(['alpha', 'beta', 'rc', 'pre', 'preview', 'dev', 'snapshot', 'nightly', 'canary']);

type Token = { num: string } | { str: string };

// Separators (. - _ + ~ : , @) only split; digit runs and letter runs are tokens of their own.
// A leading `v` before a number (v1.2.3) is not part of the version.
function tokens(v: string): Token[] {
  const text = /^v\d/i.test(v) ? v.slice(1) : v;
  return (text.match(/[0-9]+|[A-Za-z]+/g) ?? []).map((s) => (/^\d/.test(s) ? { num: stripZeros(s) } : { str: s.toLowerCase() }));
}

const isZero = (t: Token | undefined): boolean => t !== undefined && 'num' in t && t.num === '0';

// Zeros that end the version or stand right before a word do not count: 1.0 == 1.0.0 and
// 1.0.0-beta == 1-beta. Comparing these canonical lists keeps the order a total one.
function canonical(v: string): Token[] {
  const out: Token[] = [];
  for (const t of tokens(v)) {
    if ('str' in t) while (isZero(out[out.length - 1])) out.pop();
    out.push(t);
  }
  while (isZero(out[out.length - 1])) out.pop();
  return out;
}

// Rank of a token kind at one position; `undefined` is the end of the version.
function rank(t: Token | undefined): number {
  if (t === undefined) return 1;
  if ('num' in t) return 3;
  return PRE_WORDS.has(t.str) ? 0 : 2;
}

function compareTokens(a: Token[], b: Token[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    const rx = rank(x);
    const ry = rank(y);
    if (rx !== ry) return rx < ry ? -1 : 1;
    if (x === undefined || y === undefined) return 0;
    const c = 'num' in x && 'num' in y ? compareDigits(x.num, y.num) : 'str' in x && 'str' in y ? compareOrdinal(x.str, y.str) : 0;
    if (c !== 0) return c;
  }
  return 0;
}

function mustBeValid(v: string): string {
  if (!PATTERN.test(v)) throw invalidVersion('loose', v, 'expected up to 128 letters, digits and . _ + ~ : , @ - starting with a letter or digit, e.g. 1.2.3_1 or 2024.01.05');
  return v;
}

/** Homebrew and winget versions: dot/dash separated, numbers numerically, words lexically. */
export const loose: VersionScheme = {
  id: 'loose',
  valid: (v) => PATTERN.test(v),
  compare: (a, b) => compareTokens(canonical(mustBeValid(a)), canonical(mustBeValid(b))),
  parse(v): ParsedVersion {
    const all = tokens(mustBeValid(v));
    const firstWord = all.findIndex((t) => 'str' in t);
    const numeric = firstWord < 0 ? all : all.slice(0, firstWord);
    return {
      raw: v,
      release: numeric.map((t) => Number('num' in t ? t.num : 0)),
      prerelease: all.some((t) => 'str' in t && PRE_WORDS.has(t.str)),
    };
  },
};
