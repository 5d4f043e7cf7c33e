import type { VersionScheme } from '../types.js';
import { compareDigits, compareOrdinal, invalidVersion, sign, stripZeros, type EpochParsedVersion } from './common.js';

// The grammar of PEP 440 appendix B (as the `packaging` library spells it), case-insensitive.
// Surrounding whitespace, which PEP 440 tolerates, is rejected: versions end up in argument arrays.
const PATTERN = new RegExp(
  '^v?' +
    '(?:(?<epoch>[0-9]+)!)?' +
    '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?<pre>[-_.]?(?<preL>alpha|beta|preview|pre|a|b|c|rc)[-_.]?(?<preN>[0-9]+)?)?' +
    '(?<post>(?:-(?<postN1>[0-9]+))|(?:[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?))?' +
    '(?<dev>[-_.]?(?<devL>dev)[-_.]?(?<devN>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?$',
  'i',
);

/** A PEP 440 version taken apart; numbers stay digit strings so that no size is lost. */
interface Pep440Parts {
  epoch: string;
  release: string[];
  pre?: { label: 'a' | 'b' | 'rc'; n: string };
  post?: string;
  dev?: string;
  local?: string[];
}

function parts(v: string): Pep440Parts | undefined {
  const g = PATTERN.exec(v)?.groups;
  if (!g || g.release === undefined) return undefined;
  const out: Pep440Parts = { epoch: stripZeros(g.epoch ?? '0'), release: g.release.split('.').map(stripZeros) };
  if (g.preL !== undefined) out.pre = { label: preLabel(g.preL), n: stripZeros(g.preN ?? '0') };
  if (g.post !== undefined) out.post = stripZeros(g.postN1 ?? g.postN2 ?? '0');
  if (g.dev !== undefined) out.dev = stripZeros(g.devN ?? '0');
  if (g.local !== undefined) {
    out.local = g.local.toLowerCase().split(/[-_.]/).map((s) => (/^\d+$/.test(s) ? stripZeros(s) : s));
  }
  return out;
}

function preLabel(l: string): 'a' | 'b' | 'rc' {
  const s = l.toLowerCase();
  if (s === 'a' || s === 'alpha') return 'a';
  if (s === 'b' || s === 'beta') return 'b';
  return 'rc';
}

function mustParse(v: string): Pep440Parts {
  const p = parts(v);
  if (!p) throw invalidVersion('pep440', v, 'expected [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], e.g. 1.0.2, 2!1.0rc1.post2.dev3+ubuntu.1');
  return p;
}

/** The canonical PEP 440 form, as `str(packaging.version.Version(v))` gives it. Throws E_PARSE. */
export function normalizePep440(v: string): string {
  const p = mustParse(v);
  let s = p.epoch === '0' ? '' : `${p.epoch}!`;
  s += p.release.join('.');
  if (p.pre) s += `${p.pre.label}${p.pre.n}`;
  if (p.post !== undefined) s += `.post${p.post}`;
  if (p.dev !== undefined) s += `.dev${p.dev}`;
  if (p.local) s += `+${p.local.join('.')}`;
  return s;
}

function compareRelease(a: string[], b: string[]): number {
  // Trailing zeros do not count: 1.0 == 1.0.0.
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareDigits(a[i] ?? '0', b[i] ?? '0');
    if (c !== 0) return c;
  }
  return 0;
}

// The pre-release key of `packaging`: a dev-only release sorts before every pre-release of the
// same release, and a final (no pre) after all of them.
function preRank(p: Pep440Parts): number {
  if (p.pre) return 0;
  return p.post === undefined && p.dev !== undefined ? -1 : 1;
}

function comparePre(a: Pep440Parts, b: Pep440Parts): number {
  const ra = preRank(a);
  const rb = preRank(b);
  if (ra !== rb || ra !== 0) return ra - rb;
  const la = a.pre?.label ?? 'a';
  const lb = b.pre?.label ?? 'a';
  if (la !== lb) return compareOrdinal(la, lb); // 'a' < 'b' < 'rc'
  return compareDigits(a.pre?.n ?? '0', b.pre?.n ?? '0');
}

// Absent sorts first for post and local, last for dev.
function compareOptional(a: string | undefined, b: string | undefined, absentFirst: boolean): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return absentFirst ? -1 : 1;
  if (b === undefined) return absentFirst ? 1 : -1;
  return compareDigits(a, b);
}

// Local segments: numeric ones compare as numbers and sort after alphanumeric ones; a longer
// local version sorts after a shorter one it extends.
function compareLocal(a: string[] | undefined, b: string[] | undefined): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    const c = xn && yn ? compareDigits(x, y) : xn ? 1 : yn ? -1 : compareOrdinal(x, y);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareParts(a: Pep440Parts, b: Pep440Parts): number {
  return (
    compareDigits(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    comparePre(a, b) ||
    compareOptional(a.post, b.post, true) ||
    compareOptional(a.dev, b.dev, false) ||
    compareLocal(a.local, b.local)
  );
}

/** Python versions (pip, conda): PEP 440. */
export const pep440: VersionScheme = {
  id: 'pep440',
  valid: (v) => parts(v) !== undefined,
  compare: (a, b) => sign(compareParts(mustParse(a), mustParse(b))),
  parse(v): EpochParsedVersion {
    const p = mustParse(v);
    return {
      raw: v,
      epoch: Number(p.epoch),
      release: p.release.map(Number),
      prerelease: p.pre !== undefined || p.dev !== undefined,
    };
  },
};
