import { GitfleetError } from '../../util/errors.js';
import type { ManagerId, ParsedVersion, UpdateType, VersionScheme } from '../types.js';
import { debian } from './debian.js';
import { loose } from './loose.js';
import { nuget } from './nuget.js';
import { pep440 } from './pep440.js';
import { rpm } from './rpm.js';
import { rubygems } from './rubygems.js';
import { semver } from './semver.js';

export { normalizePep440 } from './pep440.js';
export type { EpochParsedVersion } from './common.js';

/** Every version scheme, by id. */
export const SCHEMES: Readonly<Record<VersionScheme['id'], VersionScheme>> = {
  pep440, semver, debian, rpm, rubygems, nuget, loose,
};

const BY_MANAGER: Readonly<Record<ManagerId, VersionScheme>> = {
  pip: pep440,
  // conda's own VersionOrder accepts versions PEP 440 rejects (openssl 1.1.1w, tzdata 2024a); loose reads them all.
  conda: loose,
  npm: semver,
  apt: debian,
  dnf: rpm,
  gem: rubygems,
  choco: nuget,
  winget: loose,
  brew: loose,
};

/** The version scheme a package manager's ecosystem uses. */
export function schemeFor(manager: ManagerId): VersionScheme {
  const scheme = BY_MANAGER[manager] as VersionScheme | undefined;
  // Callers may pass ids read from YAML; fail with a code rather than return undefined.
  if (!scheme) throw new GitfleetError('E_NOT_FOUND', `no version scheme for package manager "${String(manager)}"`);
  return scheme;
}

// Schemes with epochs (PEP 440, Debian, RPM) return them beside the release numbers.
function epochOf(p: ParsedVersion): number {
  return 'epoch' in p && typeof p.epoch === 'number' ? p.epoch : 0;
}

/**
 * What kind of update going from `from` to `to` is: 'none' when `to` is not newer, 'prerelease'
 * when `to` is a pre-release, else the first of major/minor/patch whose release number changed
 * (an epoch change is major; a change past the minor number, or in a post/revision part, is patch).
 * Throws E_PARSE when either version is invalid.
 */
export function classifyUpdate(scheme: VersionScheme, from: string, to: string): UpdateType {
  if (scheme.compare(from, to) >= 0) return 'none';
  const a = scheme.parse(from);
  const b = scheme.parse(to);
  if (b.prerelease) return 'prerelease';
  if (epochOf(a) !== epochOf(b)) return 'major';
  if ((a.release[0] ?? 0) !== (b.release[0] ?? 0)) return 'major';
  if ((a.release[1] ?? 0) !== (b.release[1] ?? 0)) return 'minor';
  return 'patch';
}
