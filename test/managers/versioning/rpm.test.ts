import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rpm, rpmvercmp } from '../../../src/managers/versioning/rpm.js';
import { execRunner, runChecked } from '../../../src/util/exec.js';
import { expectAscending, opSign, pairsFrom, seeded } from './helpers.js';

// rpm's own tests/rpmvercmp.at: [a, b, rpm.vercmp(a, b)] (the reversed pairs are checked below).
const RPMVERCMP_AT: [string, string, number][] = [
  ['1.0', '1.0', 0], ['1.0', '2.0', -1], ['2.0.1', '2.0.1', 0], ['2.0', '2.0.1', -1],
  ['2.0.1a', '2.0.1a', 0], ['2.0.1a', '2.0.1', 1], ['5.5p1', '5.5p1', 0], ['5.5p1', '5.5p2', -1],
  ['5.5p10', '5.5p10', 0], ['5.5p1', '5.5p10', -1], ['10xyz', '10.1xyz', -1], ['xyz10', 'xyz10', 0],
  ['xyz10', 'xyz10.1', -1], ['xyz.4', 'xyz.4', 0], ['xyz.4', '8', -1], ['xyz.4', '2', -1], ['5.5p2', '5.6p1', -1],
  ['5.6p1', '6.5p1', -1], ['6.0.rc1', '6.0', 1], ['10b2', '10a1', 1], ['10a2', '10b2', -1], ['1.0aa', '1.0aa', 0],
  ['1.0a', '1.0aa', -1], ['10.0001', '10.0001', 0], ['10.0001', '10.1', 0], ['10.0001', '10.0039', -1],
  ['4.999.9', '5.0', -1], ['20101121', '20101121', 0], ['20101121', '20101122', -1], ['2_0', '2_0', 0], ['2.0', '2_0', 0],
  // RhBug:178798: separators only separate.
  ['a', 'a', 0], ['a+', 'a+', 0], ['a+', 'a_', 0], ['+a', '+a', 0], ['+a', '_a', 0], ['+_', '+_', 0], ['_+', '+_', 0],
  ['_+', '_+', 0], ['+', '_', 0],
  // Tilde sorting.
  ['1.0~rc1', '1.0~rc1', 0], ['1.0~rc1', '1.0', -1], ['1.0~rc1', '1.0~rc2', -1], ['1.0~rc1~git123', '1.0~rc1~git123', 0],
  ['1.0~rc1~git123', '1.0~rc1', -1],
  // Caret sorting.
  ['1.0^', '1.0^', 0], ['1.0^', '1.0', 1], ['1.0^git1', '1.0^git1', 0], ['1.0^git1', '1.0', 1], ['1.0^git1', '1.0^git2', -1],
  ['1.0^git1', '1.01', -1], ['1.0^20160101', '1.0^20160101', 0], ['1.0^20160101', '1.0.1', -1],
  ['1.0^20160101^git1', '1.0^20160101^git1', 0], ['1.0^20160102', '1.0^20160101^git1', 1],
  // Tilde and caret together.
  ['1.0~rc1^git1', '1.0~rc1^git1', 0], ['1.0~rc1^git1', '1.0~rc1', 1], ['1.0^git1~pre', '1.0^git1~pre', 0],
  ['1.0^git1', '1.0^git1~pre', 1],
];

// Whole EVRs: epoch first, a missing epoch is 0, a missing release sorts before any release.
const EVR: [string, '<' | '=' | '>', string][] = [
  ['1:1.0-1', '>', '2.0-2'],
  ['0:1.0-1', '=', '1.0-1'],
  ['00:1.0', '=', '1.0'],
  ['2:0.1', '>', '1:9'],
  ['1.0', '<', '1.0-0'],
  ['1.0-1', '<', '1.0-2'],
  ['1.0-1', '<', '1.0-1.el9'],
  ['1.0-1.el9', '<', '1.0-1.el10'],
  ['1.0-1.fc39', '=', '1.0-1_fc39'],
  ['1.0-0.1~beta', '<', '1.0-0.1'],
  ['1.0~rc1-5', '<', '1.0-1'],
  ['1.99999999999999999999999', '<', '2'],
];

const VALID = ['1', '1.0', '1:1.0', '0:1.0-1', '1.0-1.el9', '1.0~rc1^git2', 'a', '+', '_a', '2.4.6-3.el9_2', '1.0-1+b'];
const INVALID = ['', '1.0-', '-1', '1:', ':1.0', 'a:1.0', '1.0-1-2', '1.0 ', '1.0/1', '1.0-a:b', '1:2:3', '1.0%{x}', '1.0;x', '1.0é'];

describe('rpm', () => {
  it.each(RPMVERCMP_AT)('rpmvercmp(%j, %j) = %d', (a, b, want) => {
    expect(rpmvercmp(a, b)).toBe(want);
    expect(rpmvercmp(b, a)).toBe(-want || 0);
    expect(rpm.compare(a, b)).toBe(want);
  });

  it('orders a tilde/caret chain', () => {
    expectAscending(rpm, ['1.0~rc1', '1.0~rc1^git1', '1.0', '1.0^git1', '1.0^git2', '1.0.1', '1.0.1-1', '1.0.1-2', '1:0.1']);
  });

  it.each(EVR)('%s %s %s', (a, op, b) => {
    expect(rpm.compare(a, b)).toBe(opSign(op));
    expect(rpm.compare(b, a)).toBe(-opSign(op) || 0);
  });

  it.each(VALID)('accepts %j', (v) => expect(rpm.valid(v)).toBe(true));
  it.each(INVALID)('rejects %j', (v) => {
    expect(rpm.valid(v)).toBe(false);
    expect(() => rpm.compare('1.0', v)).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });

  it('parses epoch, version numbers and tilde pre-releases', () => {
    expect(rpm.parse('2:4.18.0-1.el9')).toEqual({ raw: '2:4.18.0-1.el9', epoch: 2, release: [4, 18, 0], prerelease: false });
    expect(rpm.parse('1.0~rc1-1').prerelease).toBe(true);
    expect(rpm.parse('1.0^git1-1').prerelease).toBe(false);
  });
});

function generated(seed: number, count: number): string[] {
  const r = seeded(seed);
  const ver = ['0', '1', '2', '10', '01', '.', '_', '+', 'a', 'b', 'Z', '~', '^', 'rc1', '~rc', '^git1', '.fc39', '.0'];
  const rel = ['1', '2', '0', '1.el9', '1.el10', '1.fc39', '0.1~beta', '2^x', 'a', '1_1'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let v = r.chance(0.2) ? r.pick(['0:', '1:', '2:', '01:']) : '';
    v += r.chance(0.9) ? r.pick(['0', '1', '2', '10']) : r.pick(['a', 'xyz']);
    const n = Math.floor(r.next() * 4);
    for (let k = 0; k < n; k++) v += r.pick(ver);
    if (r.chance(0.7)) v += `-${r.pick(rel)}`;
    out.push(v);
  }
  return out;
}

const RPM = '/usr/bin/rpm';

describe('rpm against rpm.vercmp', () => {
  it.skipIf(!existsSync(RPM))('agrees on generated pairs (rpm installed: apt-get install -y rpm)', async () => {
    const base = generated(4150, 70);
    // Spellings of the same EVR: an explicit zero epoch, '_' for '.'.
    const same = base.slice(0, 20).map((v) => (v.includes(':') ? v.replaceAll('.', '_') : `0:${v}`));
    const pool = [...base, ...same];
    expect(pool.every((v) => rpm.valid(v))).toBe(true);
    const pairs = pairsFrom(pool, 400, 41501).concat(same.map((v, i): [string, string] => [base[i] as string, v]));
    // One rpm process evaluates every pair; the versions hold no quote, backslash, '%' or brace.
    const table = pairs.map(([a, b]) => `{"${a}","${b}"}`).join(',');
    const lua = `%{lua: for _, p in ipairs({${table}}) do print(rpm.vercmp(p[1], p[2]) .. "\\n") end}`;
    const res = await runChecked(execRunner, { file: RPM, args: ['--eval', lua], timeoutMs: 30_000 });
    const ref = res.stdout.split(/\s+/).filter(Boolean).map(Number);
    expect(ref).toHaveLength(pairs.length);
    const diffs = pairs.flatMap(([a, b], i) => (rpm.compare(a, b) === ref[i] ? [] : [`${a} vs ${b}: rpm says ${ref[i]}`]));
    expect(diffs).toEqual([]);
    expect(new Set(ref).size).toBe(3);
    expect(pairs.some(([a, b], i) => a !== b && ref[i] === 0)).toBe(true);
  });
});
