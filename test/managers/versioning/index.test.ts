import { describe, expect, it } from 'vitest';
import type { ManagerId, UpdateType, VersionScheme } from '../../../src/managers/types.js';
import { SCHEMES, classifyUpdate, normalizePep440, schemeFor } from '../../../src/managers/versioning/index.js';

const MAPPING: [ManagerId, VersionScheme['id']][] = [
  ['pip', 'pep440'], ['conda', 'loose'], ['npm', 'semver'], ['apt', 'debian'], ['dnf', 'rpm'], ['gem', 'rubygems'],
  ['choco', 'nuget'], ['winget', 'loose'], ['brew', 'loose'],
];

const CLASSIFY: [VersionScheme['id'], string, string, UpdateType][] = [
  ['semver', '1.2.3', '2.0.0', 'major'],
  ['semver', '1.2.3', '1.3.0', 'minor'],
  ['semver', '1.2.3', '1.2.4', 'patch'],
  ['semver', '1.2.3', '1.3.0-rc.1', 'prerelease'],
  ['semver', '1.3.0-rc.1', '1.3.0', 'patch'],
  ['semver', '1.2.3', '1.2.3+build', 'none'],
  ['semver', '1.2.3', '1.2.2', 'none'],
  ['pep440', '1.0', '1.0.0', 'none'],
  ['pep440', '1.0', '1.0.post1', 'patch'],
  ['pep440', '1.0', '1.1.dev1', 'prerelease'],
  ['pep440', '1.0rc1', '1.0', 'patch'],
  ['pep440', '1.9', '2!0.1', 'major'],
  ['pep440', '2.3.1', '2.4', 'minor'],
  ['debian', '1:2.30.2-1', '1:2.30.2-1+deb12u1', 'patch'],
  ['debian', '2.30.2-1', '1:2.30.2-1', 'major'],
  ['debian', '1.0-1', '1.1~rc1-1', 'prerelease'],
  ['debian', '1.0-1', '1.0~rc1-1', 'none'],
  ['rpm', '4.18.0-1.el9', '4.19.0-1.el9', 'minor'],
  ['rpm', '4.18.0-1.el9', '4.18.0-2.el9', 'patch'],
  ['rubygems', '7.0.8', '7.1.0.rc1', 'prerelease'],
  ['rubygems', '7.0.8', '8', 'major'],
  ['nuget', '1.2', '1.2.0.1', 'patch'],
  ['nuget', '1.2', '1.3.0', 'minor'],
  ['loose', '1.2.3', '1.2.3_1', 'patch'],
  ['loose', '1.2.3', '2.0-beta', 'prerelease'],
  ['loose', 'v1.9', 'v2.0', 'major'],
];

describe('versioning index', () => {
  it.each(MAPPING)('%s uses %s', (manager, id) => expect(schemeFor(manager).id).toBe(id));

  it('throws E_NOT_FOUND for an unknown manager', () => {
    expect(() => schemeFor('cargo' as ManagerId)).toThrow(expect.objectContaining({ code: 'E_NOT_FOUND' }));
  });

  it('lists every scheme under its own id', () => {
    expect(Object.keys(SCHEMES).sort()).toEqual(['debian', 'loose', 'nuget', 'pep440', 'rpm', 'rubygems', 'semver']);
    for (const [id, scheme] of Object.entries(SCHEMES)) expect(scheme.id).toBe(id);
  });

  it.each(CLASSIFY)('%s: %s → %s is %s', (id, from, to, want) => expect(classifyUpdate(SCHEMES[id], from, to)).toBe(want));

  it('throws E_PARSE for an invalid version', () => {
    expect(() => classifyUpdate(SCHEMES.semver, 'v1', '1.0.0')).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });

  it('re-exports normalizePep440', () => expect(normalizePep440('1.0-1')).toBe('1.0.post1'));

  // Every scheme takes a plain dotted triple, equals it to itself and keeps the raw text.
  it.each(Object.values(SCHEMES).map((s) => [s.id, s] as const))('%s: plain versions', (_id, s) => {
    for (const v of ['1.2.3', '10.0.1']) {
      expect(s.valid(v)).toBe(true);
      expect(s.compare(v, v)).toBe(0);
      expect(s.parse(v)).toMatchObject({ raw: v, release: v.split('.').map(Number), prerelease: false });
    }
    expect(s.compare('1.2.3', '10.0.1')).toBe(-1);
  });
});
