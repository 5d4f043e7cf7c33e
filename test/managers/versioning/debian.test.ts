import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { debian, verrevcmp } from '../../../src/managers/versioning/debian.js';
import { execRunner } from '../../../src/util/exec.js';
import { expectAscending, mapPool, opSign, pairsFrom, seeded } from './helpers.js';

// Debian policy §5.6.12: "~~" < "~~a" < "~" < "" < "a", and letters sort before non-letters.
const POLICY_CHAIN = ['1.0~~', '1.0~~a', '1.0~', '1.0', '1.0a', '1.0a+', '1.0+', '1.0.'];
const TILDE_CHAIN = ['1.0~alpha1', '1.0~beta1', '1.0~rc1', '1.0', '1.0+dfsg', '1.0.1~rc1', '1.0.1', '1:0.1'];

const COMPARE: [string, '<' | '=' | '>', string][] = [
  ['1.0', '=', '0:1.0'],
  ['1.0', '=', '1.0-0'],
  ['0.0009', '=', '0.9'],
  ['1:1.0', '=', '01:1.0'],
  ['1:0.1', '>', '2.0'],
  ['2:0.1', '>', '1:9.9'],
  ['1.0.0', '>', '1.0'],
  ['1.10', '>', '1.9'],
  ['1.0a', '<', '1.0+b'],
  ['1.0Z', '<', '1.0a'],
  ['1.0-1', '<', '1.0-2'],
  ['1.0-10', '>', '1.0-9'],
  ['1.0-1ubuntu1', '<', '1.0-1ubuntu2'],
  ['2.30.2-1+deb12u1', '>', '2.30.2-1'],
  ['1.0-1~bpo12+1', '<', '1.0-1'],
  ['1.2~rc1-1', '<', '1.2-1'],
  ['1.2-3-1', '>', '1.2-2-1'],
  ['1.2-3-1', '>', '1.2-3'],
  ['2.0', '>', '1.99999999999999999999999'],
  ['1.99999999999999999999999', '>', '1.99999999999999999999998'],
];

// verrevcmp alone, on the fragments dpkg's own unit tests use.
const FRAGMENTS: [string, '<' | '=' | '>', string][] = [
  ['', '=', ''], ['', '<', 'a'], ['~', '<', ''], ['~~', '<', '~'], ['a', '<', '.'], ['0', '=', ''], ['00', '=', '0'],
  ['1', '<', '2'], ['a1', '<', 'a2'], ['1a', '>', '1'], ['1~', '<', '1'],
];

const VALID = ['0', '1.0', '1:1.0', '0:1.0-1', '1.0-1', '2.30.2-1+deb12u1', '1.2~rc1', '1.2-3-4', '1.0+dfsg-1~bpo1', '20240101', '1A'];
const INVALID = [
  '', 'a1.0', '~1.0', '1.0-', '1.0--', ':1.0', 'a:1.0', '1:', '-1:1.0', '1.0_1', '1.0 1', ' 1.0', '1.0-a:b', '-1', '1:2:3',
  '99999999999:1.0', '1.0-1_2', '1.0;x', 'é1',
];

describe('debian', () => {
  it('orders the policy chain', () => expectAscending(debian, POLICY_CHAIN));
  it('orders tildes, pluses and epochs', () => expectAscending(debian, TILDE_CHAIN));

  it.each(COMPARE)('%s %s %s', (a, op, b) => {
    expect(debian.compare(a, b)).toBe(opSign(op));
    expect(debian.compare(b, a)).toBe(-opSign(op) || 0);
  });

  it.each(FRAGMENTS)('verrevcmp(%j) %s %j', (a, op, b) => {
    expect(verrevcmp(a, b)).toBe(opSign(op));
    expect(verrevcmp(b, a)).toBe(-opSign(op) || 0);
  });

  it.each(VALID)('accepts %j', (v) => expect(debian.valid(v)).toBe(true));
  it.each(INVALID)('rejects %j', (v) => {
    expect(debian.valid(v)).toBe(false);
    expect(() => debian.compare(v, '1.0')).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });

  it('parses epoch, upstream release numbers and tilde pre-releases', () => {
    expect(debian.parse('1:2.30.2-1+deb12u1')).toEqual({ raw: '1:2.30.2-1+deb12u1', epoch: 1, release: [2, 30, 2], prerelease: false });
    expect(debian.parse('1.2~rc1-1').prerelease).toBe(true);
    expect(debian.parse('1.2-1~bpo1').prerelease).toBe(false);
    expect(debian.parse('20240101+git3').release).toEqual([20240101]);
  });
});

// Versions from a small alphabet so that pairs often share prefixes or are equal.
function generated(seed: number, count: number): string[] {
  const r = seeded(seed);
  const up = ['0', '1', '2', '10', '01', '.', '.1', 'a', 'b', 'z', 'A', '~', '~~', '+', 'rc1', '~rc', 'beta', '+dfsg'];
  const rev = ['1', '2', '0', '10', '1ubuntu1', '1+deb12u1', '1~bpo1', '2.1', 'a', '~', '1~'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let v = r.chance(0.2) ? r.pick(['0:', '1:', '2:', '01:']) : '';
    v += r.pick(['0', '1', '2', '10']);
    const n = Math.floor(r.next() * 4);
    for (let k = 0; k < n; k++) v += r.pick(up);
    if (r.chance(0.6)) v += `${r.chance(0.1) ? `-${r.pick(['1', 'a'])}` : ''}-${r.pick(rev)}`;
    out.push(v);
  }
  return out;
}

const dpkg = '/usr/bin/dpkg';

async function dpkgSays(a: string, op: 'lt' | 'eq', b: string): Promise<boolean> {
  const res = await execRunner.run({ file: dpkg, args: ['--compare-versions', a, op, b], timeoutMs: 10_000 });
  if (res.exitCode > 1) throw new Error(`dpkg --compare-versions ${a} ${op} ${b}: ${res.stderr}`);
  return res.exitCode === 0;
}

describe('debian against dpkg --compare-versions', () => {
  it.skipIf(!existsSync(dpkg))('agrees on generated pairs', async () => {
    const base = generated(1977, 60);
    // Spellings of the same version: an explicit zero epoch, a zero revision.
    const same = base.slice(0, 15).map((v) => (v.includes(':') ? v : `0:${v}`)).map((v) => (v.includes('-') ? v : `${v}-0`));
    const pool = [...base, ...same];
    expect(pool.every((v) => debian.valid(v))).toBe(true);
    const pairs = pairsFrom(pool, 230, 19771).concat(same.map((v, i): [string, string] => [base[i] as string, v]));
    const ref = await mapPool(pairs, 8, async ([a, b]) => ((await dpkgSays(a, 'lt', b)) ? -1 : (await dpkgSays(a, 'eq', b)) ? 0 : 1));
    const diffs = pairs.filter(([a, b], i) => debian.compare(a, b) !== ref[i]).map(([a, b]) => `${a} vs ${b}`);
    expect(diffs).toEqual([]);
    expect(new Set(ref).size).toBe(3);
    // Equal pairs that are not the same text (1.0 vs 1.0-0, 0:1 vs 1) occur too.
    expect(pairs.some(([a, b], i) => a !== b && ref[i] === 0)).toBe(true);
  });
});
