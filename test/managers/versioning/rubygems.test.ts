import { describe, expect, it } from 'vitest';
import { rubygems } from '../../../src/managers/versioning/rubygems.js';
import { expectAscending, opSign } from './helpers.js';

// RubyGems' test_gem_version.rb: test_spaceship, test_eql_eh/test_equals2, test_semver.
const COMPARE: [string, '<' | '=' | '>', string][] = [
  ['1.0', '=', '1.0.0'],
  ['1.0', '>', '1.0.a'],
  ['1.8.2', '>', '0.0.0'],
  ['1.8.2', '>', '1.8.2.a'],
  ['1.8.2.b', '>', '1.8.2.a'],
  ['1.8.2.a', '<', '1.8.2'],
  ['1.8.2.a10', '>', '1.8.2.a9'],
  ['0.beta.1', '=', '0.0.beta.1'],
  ['0.0.beta', '<', '0.0.beta.1'],
  ['0.0.beta', '<', '0.beta.1'],
  ['5.a', '<', '5.0.0.rc2'],
  ['5.x', '>', '5.0.0.rc2'],
  ['1.2', '=', '1.2'],
  ['1.2', '<', '1.3'],
  ['1.2.b1', '=', '1.2.b.1'],
  ['1.0.0-alpha', '<', '1.0.0-alpha.1'],
  ['1.0.0-alpha.1', '<', '1.0.0-beta.2'],
  ['1.0.0-beta.2', '<', '1.0.0-beta.11'],
  ['1.0.0-beta.11', '<', '1.0.0-rc.1'],
  ['1.0.0-rc1', '<', '1.0.0'],
  ['1.0.0-1', '<', '1'],
  // Canonical segments: 1.0.0 is [1], 1.0.0.a.1.0 is [1, "a", 1], 1.2.3-1 is [1, 2, 3, "pre", 1].
  ['1.0.0', '=', '1'],
  ['1.0.0.a.1.0', '=', '1.a.1'],
  ['1.2.3-1', '=', '1.2.3.pre.1'],
  // Strings compare as Ruby strings do (byte order, so upper case first); numbers as numbers.
  ['1.A', '<', '1.a'],
  ['1.10', '>', '1.9'],
  ['1.0.0.rc1', '<', '1.0.0.rc1.1'],
  ['99999999999999999999.0', '>', '99999999999999999998.9'],
];

// A typical gem's release history, oldest first.
const CHAIN = ['7.0.0.alpha1', '7.0.0.alpha2', '7.0.0.beta1', '7.0.0.rc1', '7.0.0.rc2', '7.0.0', '7.0.1', '7.0.10', '7.1.0.beta1', '7.1', '7.1.0.1'];

const PRERELEASE: [string, boolean][] = [
  ['1.2.0.a', true], ['2.9.b', true], ['22.1.50.0.d', true], ['1.2.d.42', true], ['1.A', true], ['1-1', true], ['1-a', true],
  ['1.2.0', false], ['2.9', false], ['22.1.50.0', false],
];

const VALID = ['0', '1', '1.0', '1.0.a', '1.2.3-1', '1-a', '1.0--', '2.0.0.rc1', '1.0.0-beta.11'];
const INVALID = [
  'junk', '1.0\n2.0', '1..2', '1.2 3.4', '2.3422222.222.222222222.22222.ads0as.dasd0.ddd2222.2.qd3e.', '', ' 1.0', '1.0 ',
  '1.0-', '-1', '1.0_1', 'v1.0', '.1', '1.', 'a.1', '1.0;x',
];

describe('rubygems', () => {
  it.each(COMPARE)('%s %s %s', (a, op, b) => {
    expect(rubygems.compare(a, b)).toBe(opSign(op));
    expect(rubygems.compare(b, a)).toBe(-opSign(op) || 0);
  });

  it('orders a release history', () => expectAscending(rubygems, CHAIN));

  it.each(PRERELEASE)('%s is a prerelease: %s', (v, want) => expect(rubygems.parse(v).prerelease).toBe(want));

  it.each(VALID)('accepts %j', (v) => expect(rubygems.valid(v)).toBe(true));
  it.each(INVALID)('rejects %j', (v) => {
    expect(rubygems.valid(v)).toBe(false);
    expect(() => rubygems.compare(v, '1')).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });

  it('parses the numbers before the first string segment as the release', () => {
    expect(rubygems.parse('7.1.3')).toEqual({ raw: '7.1.3', release: [7, 1, 3], prerelease: false });
    expect(rubygems.parse('7.1.0.rc2').release).toEqual([7, 1, 0]);
    expect(rubygems.parse('1.2.3-1').release).toEqual([1, 2, 3]);
  });
});
