import type { ParsedVersion, VersionScheme } from '../types.js';
import { compareOrdinal, invalidVersion } from './common.js';

const INT_MAX = 2 ** 31 - 1; // each numeric part is a .NET int

/** `1.2.3.4-label.x+meta` taken apart; numbers padded to four parts. */
interface NugetParts {
  numbers: [number, number, number, number];
  /** How many numeric parts the text had (1–4). */
  given: number;
  labels: string[];
}

const LABEL = /^[0-9A-Za-z-]+$/;

// NuGetVersion.TryParse: 1–4 numeric parts (leading zeros allowed), SemVer 2 release labels
// (no leading zeros in numeric labels), build metadata. Blanks, which NuGet trims, are rejected.
function parts(v: string): NugetParts | undefined {
  const m = /^([0-9.]+)(?:-([^+]*))?(?:\+(.*))?$/.exec(v);
  if (!m) return undefined;
  const nums = (m[1] as string).split('.');
  if (nums.length > 4 || nums.some((n) => !/^\d+$/.test(n) || Number(n) > INT_MAX)) return undefined;
  const labels = m[2] === undefined ? [] : m[2].split('.');
  if (labels.some((l) => !LABEL.test(l) || /^0\d+$/.test(l))) return undefined;
  if (m[3] !== undefined && m[3].split('.').some((s) => !LABEL.test(s))) return undefined;
  const n = nums.map(Number);
  return { numbers: [n[0] ?? 0, n[1] ?? 0, n[2] ?? 0, n[3] ?? 0], given: nums.length, labels };
}

function mustParse(v: string): NugetParts {
  const p = parts(v);
  if (!p) throw invalidVersion('nuget', v, 'expected 1 to 4 numbers separated by dots, an optional -prerelease and +metadata, e.g. 6.0.1, 1.2.3.4 or 2.0.0-beta.2');
  return p;
}

// A label is numeric when .NET's int.TryParse takes it: an all-digit label that fits an int.
const numericLabel = (l: string): number | undefined => (/^\d+$/.test(l) && Number(l) <= INT_MAX ? Number(l) : undefined);

// NuGet's VersionComparer: numeric labels compare as numbers and sort before the others, which
// compare case-insensitively (ordinal); a longer list wins when the shorter is its prefix.
function compareLabels(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return Math.sign(b.length - a.length);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const xn = numericLabel(x);
    const yn = numericLabel(y);
    let c: number;
    if (xn !== undefined && yn !== undefined) c = Math.sign(xn - yn);
    else if (xn !== undefined || yn !== undefined) c = xn !== undefined ? -1 : 1;
    else c = compareOrdinal(x.toUpperCase(), y.toUpperCase());
    if (c !== 0) return c;
  }
  return Math.sign(a.length - b.length);
}

function compareParts(a: NugetParts, b: NugetParts): number {
  for (let i = 0; i < 4; i++) {
    const x = a.numbers[i] as number;
    const y = b.numbers[i] as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return compareLabels(a.labels, b.labels);
}

/** Chocolatey/NuGet versions: NuGetVersion ordering; metadata is ignored. */
export const nuget: VersionScheme = {
  id: 'nuget',
  valid: (v) => parts(v) !== undefined,
  compare: (a, b) => compareParts(mustParse(a), mustParse(b)),
  parse(v): ParsedVersion {
    const p = mustParse(v);
    return { raw: v, release: p.numbers.slice(0, Math.max(3, p.given)), prerelease: p.labels.length > 0 };
  },
};
