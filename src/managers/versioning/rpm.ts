import type { VersionScheme } from '../types.js';
import { compareDigits, compareOrdinal, invalidVersion, isAlpha, isDigit, leadingNumbers, type EpochParsedVersion } from './common.js';

/** `[epoch:]version[-release]`; `release` is undefined when absent. */
interface RpmParts {
  epoch: string;
  version: string;
  release: string | undefined;
}

// The characters rpmbuild accepts in Version and Release; '-' only separates the two.
const FIELD = /^[A-Za-z0-9._+~^]+$/;

function parts(v: string): RpmParts | undefined {
  const m = /^(?:(\d+):)?([^:]*)$/.exec(v);
  if (!m) return undefined;
  const evr = m[2] as string;
  const hyphen = evr.lastIndexOf('-');
  const version = hyphen >= 0 ? evr.slice(0, hyphen) : evr;
  const release = hyphen >= 0 ? evr.slice(hyphen + 1) : undefined;
  if (!FIELD.test(version) || (release !== undefined && !FIELD.test(release))) return undefined;
  return { epoch: m[1] ?? '0', version, release };
}

function mustParse(v: string): RpmParts {
  const p = parts(v);
  if (!p) throw invalidVersion('rpm', v, 'expected [epoch:]version[-release] of letters, digits and . _ + ~ ^, e.g. 1:2.4.6-3.el9');
  return p;
}

const isAlnum = (c: string): boolean => isDigit(c) || isAlpha(c);

/**
 * rpm's rpmvercmp (rpm ≥ 4.15): alphabetic and numeric segments, other characters only separate;
 * `~` sorts before everything, even the end; `^` sorts after the end but before anything else.
 */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a.charAt(i)) && a.charAt(i) !== '~' && a.charAt(i) !== '^') i++;
    while (j < b.length && !isAlnum(b.charAt(j)) && b.charAt(j) !== '~' && b.charAt(j) !== '^') j++;
    const ca = a.charAt(i);
    const cb = b.charAt(j);
    if (ca === '~' || cb === '~') {
      if (ca !== '~') return 1;
      if (cb !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === '^' || cb === '^') {
      if (ca === '') return -1;
      if (cb === '') return 1;
      if (ca !== '^') return 1;
      if (cb !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === '' || cb === '') break;
    const numeric = isDigit(ca);
    const take = numeric ? isDigit : isAlpha;
    let ei = i;
    let ej = j;
    while (ei < a.length && take(a.charAt(ei))) ei++;
    while (ej < b.length && take(b.charAt(ej))) ej++;
    const sa = a.slice(i, ei);
    const sb = b.slice(j, ej);
    // A numeric segment is newer than an alphabetic one.
    if (sb === '') return numeric ? 1 : -1;
    const c = numeric ? compareDigits(sa, sb) : compareOrdinal(sa, sb);
    if (c !== 0) return c;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  // Whichever still has characters left wins.
  return i >= a.length ? -1 : 1;
}

// rpm's rpmverCmp: epochs (absent = 0), then versions, then releases; a missing release sorts
// before any release.
function compareParts(a: RpmParts, b: RpmParts): number {
  const c = rpmvercmp(a.epoch, b.epoch) || rpmvercmp(a.version, b.version);
  if (c !== 0) return c;
  if (a.release === undefined || b.release === undefined) {
    return a.release !== undefined ? 1 : b.release !== undefined ? -1 : 0;
  }
  return rpmvercmp(a.release, b.release);
}

/** RPM package versions (dnf): EVR comparison as rpm's rpm.vercmp does it. */
export const rpm: VersionScheme = {
  id: 'rpm',
  valid: (v) => parts(v) !== undefined,
  compare: (a, b) => compareParts(mustParse(a), mustParse(b)),
  parse(v): EpochParsedVersion {
    const p = mustParse(v);
    return { raw: v, epoch: Number(p.epoch), release: leadingNumbers(p.version), prerelease: p.version.includes('~') };
  },
};
