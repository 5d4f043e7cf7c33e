import type { VersionScheme } from '../types.js';
import { compareDigits, invalidVersion, isAlpha, isDigit, leadingNumbers, sign, type EpochParsedVersion } from './common.js';

/** `[epoch:]upstream[-revision]` as dpkg splits it. */
interface DebianParts {
  epoch: number;
  upstream: string;
  revision: string;
}

const EPOCH_MAX = 2 ** 31 - 1; // dpkg stores the epoch in an int

// Debian policy §5.6.12: upstream starts with a digit and holds alphanumerics and . + ~ -
// (a hyphen only when there is a revision); the revision holds alphanumerics and . + ~.
// The first colon ends the epoch and the last hyphen starts the revision, as in dpkg.
function parts(v: string): DebianParts | undefined {
  const colon = v.indexOf(':');
  let epoch = 0;
  if (colon >= 0) {
    const e = v.slice(0, colon);
    if (!/^\d+$/.test(e) || Number(e) > EPOCH_MAX) return undefined;
    epoch = Number(e);
  }
  const rest = v.slice(colon + 1);
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (!/^\d[A-Za-z0-9.+~-]*$/.test(upstream)) return undefined;
  if (hyphen >= 0 && !/^[A-Za-z0-9.+~]+$/.test(revision)) return undefined;
  return { epoch, upstream, revision };
}

function mustParse(v: string): DebianParts {
  const p = parts(v);
  if (!p) throw invalidVersion('debian', v, 'expected [epoch:]upstream[-revision] with upstream starting with a digit, e.g. 1:2.30.2-1+deb12u1');
  return p;
}

// dpkg's order(): `~` before the end of the string, the end before letters, letters before
// everything else. `c` is '' at the end of the string.
function order(c: string): number {
  if (c === '' || isDigit(c)) return 0;
  if (isAlpha(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: alternating non-digit and digit runs, the latter compared as numbers. */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a.charAt(i))) || (j < b.length && !isDigit(b.charAt(j)))) {
      const ac = order(a.charAt(i));
      const bc = order(b.charAt(j));
      if (ac !== bc) return sign(ac - bc);
      i++;
      j++;
    }
    const da = /^\d*/.exec(a.slice(i))?.[0] ?? '';
    const db = /^\d*/.exec(b.slice(j))?.[0] ?? '';
    i += da.length;
    j += db.length;
    const c = compareDigits(da, db);
    if (c !== 0) return c;
  }
  return 0;
}

function compareParts(a: DebianParts, b: DebianParts): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}

/** Debian package versions (apt/dpkg): the dpkg comparison algorithm. */
export const debian: VersionScheme = {
  id: 'debian',
  valid: (v) => parts(v) !== undefined,
  compare: (a, b) => compareParts(mustParse(a), mustParse(b)),
  parse(v): EpochParsedVersion {
    const p = mustParse(v);
    // A tilde in the upstream part marks a pre-release (1.0~rc1 < 1.0); in the revision it
    // marks backports and the like, which are not pre-releases.
    return { raw: v, epoch: p.epoch, release: leadingNumbers(p.upstream), prerelease: p.upstream.includes('~') };
  },
};
