import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loose } from '../../../src/managers/versioning/loose.js';
import { expectAscending, opSign } from './helpers.js';

// Versions as Homebrew formulae and winget manifests spell them.
const COMPARE: [string, '<' | '=' | '>', string][] = [
  ['1.0', '=', '1.0.0'],
  ['v1.2.3', '=', '1.2.3'],
  ['1.0.0-beta', '=', '1-beta'],
  ['1.0-BETA', '=', '1.0-beta'],
  ['1.2.3_1', '>', '1.2.3'],
  ['1.2.3_2', '>', '1.2.3_1'],
  ['1.10', '>', '1.9'],
  ['1.0-beta', '<', '1.0'],
  ['1.0-beta', '<', '1.0-rc1'],
  ['1.0-rc1', '<', '1.0'],
  ['1.1.1a', '>', '1.1.1'],
  ['1.1.1b', '>', '1.1.1a'],
  ['1.1.1w', '<', '1.1.2'],
  ['1.0a', '<', '1.0.1'],
  ['2024.01.05', '<', '2024.1.10'],
  ['10.0.19041.1', '>', '10.0.19041'],
  ['1.2', '<', '1.2.0.1'],
  ['r1234', '<', 'r1235'],
  ['99999999999999999999.1', '>', '99999999999999999998.9'],
];

const CHAIN = ['0.9', '1.0-alpha', '1.0-beta.2', '1.0-rc1', '1.0', '1.0a', '1.0b', '1.0.1', '1.0.1_1', '1.1', '1.1.0.1', '2'];

const VALID = ['1', '1.2.3_1', '2024-01-05', 'r1234', 'latest', '1.0+build', '1:2.3', '1,2', 'v1.2', 'HEAD-abc123', '1.0@2'];
const INVALID = [
  '', ' 1.0', '1.0 1', '-1.0', '.1', '1.0;rm', '$(x)', '1.0|x', '1.0&', "1'0", '"1"', '1.0\n', '1*', '1?', 'a'.repeat(129),
  '~1', '1.0%', '1.0^', '1/0', '1\\0', '1.0=2', '1.0!',
];

describe('loose', () => {
  it.each(COMPARE)('%s %s %s', (a, op, b) => {
    expect(loose.compare(a, b)).toBe(opSign(op));
    expect(loose.compare(b, a)).toBe(-opSign(op) || 0);
  });

  it('orders a release history', () => expectAscending(loose, CHAIN));

  it.each(VALID)('accepts %j', (v) => expect(loose.valid(v)).toBe(true));
  it.each(INVALID)('rejects %j', (v) => {
    expect(loose.valid(v)).toBe(false);
    expect(() => loose.compare(v, '1')).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });

  it('parses leading numbers and pre-release words', () => {
    expect(loose.parse('v1.2.3-beta')).toEqual({ raw: 'v1.2.3-beta', release: [1, 2, 3], prerelease: true });
    expect(loose.parse('1.1.1w')).toEqual({ raw: '1.1.1w', release: [1, 1, 1], prerelease: false });
  });

  it('is a total order: antisymmetric and transitive on generated versions', () => {
    const piece = fc.constantFrom('0', '1', '2', '10', '00', '.', '-', '_', 'a', 'b', 'beta', 'rc', 'x', 'v');
    const version = fc.tuple(fc.constantFrom('0', '1', '2', 'v1', 'a'), fc.array(piece, { maxLength: 6 })).map(([h, t]) => h + t.join(''));
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        expect(loose.compare(a, b)).toBe(-loose.compare(b, a) || 0);
        if (loose.compare(a, b) <= 0 && loose.compare(b, c) <= 0) expect(loose.compare(a, c)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 2000, seed: 20240 },
    );
  });
});
