import { GitfleetError } from '../../util/errors.js';
import type { AvailableVersion } from '../types.js';

/** Orders two EVR strings (the rpm scheme's `compare`). */
export type EvrCompare = (a: string, b: string) => number;

// rpm's public-key pseudo packages: in the rpmdb, never installed or removed by dnf.
const PSEUDO_PACKAGES = new Set(['gpg-pubkey', 'gpg-pubkey-release']);

/** `[epoch:]version-release` as dnf's `%{evr}` prints it: no epoch when it is absent (`(none)`) or 0. */
export function renderEvr(epoch: string, version: string, release: string): string {
  const e = epoch.trim();
  const prefix = e === '' || e === '(none)' || e === '0' ? '' : `${e}:`;
  return release === '' || release === '(none)' ? `${prefix}${version}` : `${prefix}${version}-${release}`;
}

/**
 * Parses `rpm -qa --qf '%{NAME}\t%{EPOCH}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\n'` into name → EVR.
 * A name installed more than once (install-only kernels, multilib pairs) maps to its newest EVR.
 */
export function parseRpmQa(stdout: string, compare: EvrCompare): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const f = line.split('\t');
    if (f.length !== 5 || !f[0] || !f[2]) {
      throw new GitfleetError('E_PARSE', `rpm -qa output line ${i + 1} "${line.slice(0, 80)}" is not NAME<TAB>EPOCH<TAB>VERSION<TAB>RELEASE<TAB>ARCH`);
    }
    const [name, epoch, version, release] = f as [string, string, string, string, string];
    if (PSEUDO_PACKAGES.has(name)) continue;
    const evr = renderEvr(epoch, version, release);
    const prev = out[name];
    if (prev === undefined || newer(compare, evr, prev)) out[name] = evr;
  }
  return out;
}

// An EVR the scheme cannot read must not abort the whole listing: keep the first one seen.
function newer(compare: EvrCompare, a: string, b: string): boolean {
  try {
    return compare(a, b) > 0;
  } catch {
    return false;
  }
}

/**
 * Parses `dnf repoquery --qf '%{evr}\t%{buildtime}\n' NAME`: unique EVRs, newest first, with the
 * build time as release date (dnf4 prints `YYYY-MM-DD HH:MM` in UTC, dnf5 seconds since the epoch).
 */
export function parseRepoquery(stdout: string, compare: EvrCompare): AvailableVersion[] {
  const byEvr = new Map<string, AvailableVersion>();
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const [evr, built] = line.split('\t') as [string, string | undefined];
    // Repository chatter that dnf5 still prints on stdout has no tab and spaces inside.
    if (built === undefined && /\s/.test(evr)) continue;
    const releasedAt = built === undefined ? undefined : parseBuildTime(built);
    const prev = byEvr.get(evr);
    // The same EVR from several arches or repos: keep the earliest build time.
    if (!prev || (releasedAt && (!prev.releasedAt || releasedAt < prev.releasedAt))) {
      byEvr.set(evr, releasedAt ? { version: evr, releasedAt } : { version: evr });
    }
  }
  return [...byEvr.values()].sort((a, b) => (newer(compare, a.version, b.version) ? -1 : newer(compare, b.version, a.version) ? 1 : 0));
}

/** An ISO-8601 UTC timestamp from dnf's build time (`2024-05-01 13:45` or `1714571100`). */
export function parseBuildTime(text: string): string | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    return n > 0 ? new Date(n * 1000).toISOString() : undefined;
  }
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?$/.exec(t);
  if (!m) return undefined;
  const d = new Date(`${m[1]}T${m[2]}${m[3] ?? ':00'}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Version from `dnf --version` (dnf4: `4.14.0`; dnf5: `dnf5 version 5.2.6.2`) or `rpm --version`. */
export function parseDnfVersion(stdout: string): string | undefined {
  const first = (stdout.split('\n', 1)[0] ?? '').trim();
  const m = /(?:^|\bversion )(\d+(?:\.\d+)+)/.exec(first);
  return m?.[1];
}
