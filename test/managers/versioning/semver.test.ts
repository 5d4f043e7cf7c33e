import { describe, expect, it } from 'vitest';
import { semver } from '../../../src/managers/versioning/semver.js';
import { expectAscending, opSign } from './helpers.js';

// SemVer 2.0.0 §11, the precedence example, and §11.2's core example.
const SPEC_CHAIN = [
  '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0',
];
const CORE_CHAIN = ['1.0.0', '2.0.0', '2.1.0', '2.1.1'];

const COMPARE: [string, '<' | '=' | '>', string][] = [
  ['1.0.0+build.1', '=', '1.0.0+build.2'],
  ['1.0.0-rc.1+x', '=', '1.0.0-rc.1'],
  ['1.0.0-alpha', '<', '1.0.0'],
  ['1.2.10', '>', '1.2.9'],
  ['1.10.0', '>', '1.9.9'],
  ['10.0.0', '>', '9.99.99'],
  ['1.0.0-2', '<', '1.0.0-10'],
  ['1.0.0-10', '<', '1.0.0-a'],
  ['1.0.0-A', '<', '1.0.0-a'],
  ['1.0.0-Z', '<', '1.0.0-a'],
  ['1.0.0-a-b', '>', '1.0.0-a'],
  ['1.0.0-0a', '>', '1.0.0-999'],
  ['1.0.0-rc.1', '<', '1.0.0-rc.1.0'],
  ['0.0.0-0', '<', '0.0.0'],
  ['99999999999999999999.0.0', '>', '99999999999999999998.0.0'],
];

// From semver.org's list of valid and invalid examples for its regular expression.
const VALID = [
  '0.0.4', '1.2.3', '10.20.30', '1.1.2-prerelease+meta', '1.1.2+meta', '1.1.2+meta-valid', '1.0.0-alpha', '1.0.0-beta',
  '1.0.0-alpha.beta', '1.0.0-alpha.beta.1', '1.0.0-alpha.1', '1.0.0-alpha0.valid', '1.0.0-alpha.0valid',
  '1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay', '1.0.0-rc.1+build.1', '2.0.0-rc.1+build.123', '1.2.3-beta',
  '10.2.3-DEV-SNAPSHOT', '1.2.3-SNAPSHOT-123', '2.0.0+build.1848', '2.0.1-alpha.1227', '1.0.0-alpha+beta',
  '1.2.3----RC-SNAPSHOT.12.9.1--.12+788', '1.2.3----R-S.12.9.1--.12+meta', '1.2.3----RC-SNAPSHOT.12.9.1--.12',
  '1.0.0+0.build.1-rc.10000aaa-kk-0.1', '1.0.0-0A.is.legal',
];
const INVALID = [
  '', '1', '1.2', '1.2.3-0123', '1.2.3-0123.0123', '1.1.2+.123', '+invalid', '-invalid', '-invalid+invalid',
  '-invalid.01', 'alpha', 'alpha.beta', 'alpha.beta.1', 'alpha.1', 'alpha+beta', 'alpha_beta', 'alpha.', 'alpha..',
  'beta', '1.0.0-alpha_beta', '-alpha.', '1.0.0-alpha..', '1.0.0-alpha..1', '1.0.0-alpha...1', '1.0.0-alpha....1',
  '1.0.0-alpha.....1', '1.0.0-alpha......1', '1.0.0-alpha.......1', '01.1.1', '1.01.1', '1.1.01', '1.2.3.DEV',
  '1.2-SNAPSHOT', '1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788', '1.2-RC-SNAPSHOT', '-1.0.3-gamma+b7718',
  '+justmeta', '9.8.7+meta+meta', '9.8.7-whatever+meta+meta', 'v1.2.3', ' 1.2.3', '1.2.3 ', '1.2.3-',
];

describe('semver', () => {
  it('orders the spec precedence chain', () => expectAscending(semver, SPEC_CHAIN));
  it('orders the spec core chain', () => expectAscending(semver, CORE_CHAIN));

  it.each(COMPARE)('%s %s %s', (a, op, b) => {
    expect(semver.compare(a, b)).toBe(opSign(op));
    expect(semver.compare(b, a)).toBe(-opSign(op) || 0);
  });

  it.each(VALID)('accepts %j', (v) => expect(semver.valid(v)).toBe(true));
  it.each(INVALID)('rejects %j', (v) => {
    expect(semver.valid(v)).toBe(false);
    expect(() => semver.parse(v)).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
    expect(() => semver.compare('1.0.0', v)).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });

  it('parses the release triple and the pre-release flag', () => {
    expect(semver.parse('1.2.3-rc.1+b')).toEqual({ raw: '1.2.3-rc.1+b', release: [1, 2, 3], prerelease: true });
    expect(semver.parse('4.5.6+b.7')).toEqual({ raw: '4.5.6+b.7', release: [4, 5, 6], prerelease: false });
  });
});
