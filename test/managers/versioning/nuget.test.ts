import { describe, expect, it } from 'vitest';
import { nuget } from '../../../src/managers/versioning/nuget.js';
import { expectAscending, opSign } from './helpers.js';

// NuGet's documented pre-release order ("Package versioning"), oldest first: labels compare
// alphabetically (alpha10 < alpha2), dotted numbers numerically (rc.2 < rc.10).
const DOCS_CHAIN = [
  '1.0.1-aaa', '1.0.1-alpha10', '1.0.1-alpha2', '1.0.1-beta', '1.0.1-open', '1.0.1-rc.2', '1.0.1-rc.10', '1.0.1-zzz', '1.0.1',
];

const COMPARE: [string, '<' | '=' | '>', string][] = [
  ['1.0', '=', '1.0.0'],
  ['1.0.0', '=', '1.0.0.0'],
  ['1', '=', '1.0.0.0'],
  ['01.0', '=', '1.0'],
  ['1.0.0.1', '>', '1.0.0'],
  ['1.0.0.10', '>', '1.0.0.9'],
  ['2.0', '>', '1.999.999.999'],
  ['1.0.0-BETA', '=', '1.0.0-beta'],
  ['1.0.0-a', '<', '1.0.0-B'],
  ['1.0.0+meta', '=', '1.0.0+other'],
  ['1.0.0-beta+x', '=', '1.0.0-beta'],
  ['1.0.0-1', '<', '1.0.0-a'],
  ['1.0.0-2', '<', '1.0.0-10'],
  ['1.0.0-rc.1', '<', '1.0.0-rc.1.1'],
  ['1.0.0-rc.1', '<', '1.0.0'],
  ['1.0-rc.1', '=', '1.0.0.0-RC.1'],
  // A label too large for an int is compared as text, as int.TryParse fails on it.
  ['1.0.0-9999999999', '<', '1.0.0-a'],
  ['1.0.0-1', '<', '1.0.0-9999999999'],
];

const VALID = ['1', '1.0', '1.0.0', '1.0.0.0', '1.2.3.4-beta.1+meta', '01.002', '2147483647.0', '1.0.0-0', '1.0.0-0a', '1.0.0-a-b', '1.0.0+01', '1.0-beta'];
const INVALID = [
  '', '1.0.0.0.0', '1.', '.1', '1..0', 'a', 'v1.0', '1.0.0-', '1.0.0-01', '1.0.0-a..b', '1.0.0-a_b', '1.0.0+', '1.0.0+a+b',
  '2147483648.0', ' 1.0', '1.0 ', '-1.0', '1.0.0-beta;x',
];

describe('nuget', () => {
  it('orders the documented pre-release chain', () => expectAscending(nuget, DOCS_CHAIN));

  it.each(COMPARE)('%s %s %s', (a, op, b) => {
    expect(nuget.compare(a, b)).toBe(opSign(op));
    expect(nuget.compare(b, a)).toBe(-opSign(op) || 0);
  });

  it.each(VALID)('accepts %j', (v) => expect(nuget.valid(v)).toBe(true));
  it.each(INVALID)('rejects %j', (v) => {
    expect(nuget.valid(v)).toBe(false);
    expect(() => nuget.compare(v, '1.0')).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });

  it('parses three or four release numbers', () => {
    expect(nuget.parse('1.2')).toEqual({ raw: '1.2', release: [1, 2, 0], prerelease: false });
    expect(nuget.parse('1.2.3.4-rc.1+m')).toEqual({ raw: '1.2.3.4-rc.1+m', release: [1, 2, 3, 4], prerelease: true });
  });
});
