import { GitfleetError } from '../../util/errors.js';
import type { ParsedVersion, VersionScheme } from '../types.js';

/** A parsed version that also carries an epoch (PEP 440, Debian, RPM). */
export interface EpochParsedVersion extends ParsedVersion {
  epoch: number;
}

/** The E_PARSE error every scheme throws for input it does not accept. */
export function invalidVersion(scheme: VersionScheme['id'], v: string, hint: string): GitfleetError {
  return new GitfleetError('E_PARSE', `${JSON.stringify(v)} is not a valid ${scheme} version: ${hint}`);
}

/** Compares two digit strings as unbounded non-negative integers (no precision loss, leading zeros ignored). */
export function compareDigits(a: string, b: string): number {
  const x = stripZeros(a);
  const y = stripZeros(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `007` → `7`, `000` → `0`. */
export function stripZeros(digits: string): string {
  const s = digits.replace(/^0+/, '');
  return s === '' ? '0' : s;
}

/** Plain ordinal string comparison (code units), as C `strcmp` and Ruby `<=>` do for ASCII. */
export function compareOrdinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** -1, 0 or 1 from any number. */
export function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** The leading dot-separated digit runs of a version text: `2.30.2a~rc1` → [2, 30, 2]. */
export function leadingNumbers(text: string): number[] {
  const m = /^\d+(?:\.\d+)*/.exec(text);
  return m ? m[0].split('.').map(Number) : [];
}

/** True for an ASCII digit (version rules are ASCII-only, so no Unicode classes). */
export const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** True for an ASCII letter. */
export const isAlpha = (c: string): boolean => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
