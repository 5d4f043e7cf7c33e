import { describe, expect, it } from 'vitest';
import { normalizePep440, pep440 } from '../../../src/managers/versioning/pep440.js';
import { GitfleetError } from '../../../src/util/errors.js';
import { execRunner, runChecked } from '../../../src/util/exec.js';
import { expectAscending, opSign, pairsFrom, seeded } from './helpers.js';

// The ordering example of PEP 440 ("Summary of permitted suffixes and relative ordering").
const PEP_CHAIN = [
  '1.dev0', '1.0.dev456', '1.0a1', '1.0a2.dev456', '1.0a12.dev456', '1.0a12', '1.0b1.dev456', '1.0b2',
  '1.0b2.post345.dev456', '1.0b2.post345', '1.0rc1.dev456', '1.0rc1', '1.0', '1.0+abc.5', '1.0+abc.7', '1.0+5',
  '1.0.post456.dev34', '1.0.post456', '1.0.15', '1.1.dev1',
];

// The sorted VERSIONS list of the `packaging` library's tests, without and with an epoch.
const PACKAGING_BASE = [
  '1.0.dev456', '1.0a1', '1.0a2.dev456', '1.0a12.dev456', '1.0a12', '1.0b1.dev456', '1.0b2', '1.0b2.post345.dev456',
  '1.0b2.post345', '1.0b2-346', '1.0c1.dev456', '1.0c1', '1.0rc2', '1.0c3', '1.0', '1.0.post456.dev34', '1.0.post456',
  '1.1.dev1', '1.2+123abc', '1.2+123abc456', '1.2+abc', '1.2+abc123', '1.2+abc123def', '1.2+1234.abc', '1.2+123456',
  '1.2.r32+123456', '1.2.rev33+123456',
];
const PACKAGING_CHAIN = [...PACKAGING_BASE, ...PACKAGING_BASE.map((v) => `1!${v}`)];

const COMPARE: [string, '<' | '=' | '>', string][] = [
  ['1.0', '=', '1.0.0'],
  ['1.0', '=', '1.0.0.0.0'],
  ['1.0', '=', 'v1.0'],
  ['1.0', '=', 'V1.0'],
  ['1.0', '=', '0!1.0'],
  ['1.0RC1', '=', '1.0rc1'],
  ['1.0c1', '=', '1.0rc1'],
  ['1.0pre1', '=', '1.0rc1'],
  ['1.0preview1', '=', '1.0rc1'],
  ['1.0alpha1', '=', '1.0a1'],
  ['1.0-beta.2', '=', '1.0b2'],
  ['1.0a', '=', '1.0a0'],
  ['1.0-1', '=', '1.0.post1'],
  ['1.0-r1', '=', '1.0.post1'],
  ['1.0rev1', '=', '1.0.post1'],
  ['1.0.post', '=', '1.0.post0'],
  ['1.0dev', '=', '1.0.dev0'],
  ['1.0+ubuntu-1', '=', '1.0+ubuntu.1'],
  ['1.0+ubuntu_1', '=', '1.0+UBUNTU.1'],
  ['1.0+01', '=', '1.0+1'],
  ['01.02.003', '=', '1.2.3'],
  ['1.10', '>', '1.9'],
  ['2!0.1', '>', '1!99'],
  ['1!0.1', '>', '2024.1'],
  ['1.0.post1', '>', '1.0+local'],
  ['1.0+local', '>', '1.0'],
  ['1.0+1', '>', '1.0+a'],
  ['1.0+a.1', '>', '1.0+a'],
  ['1.0a1', '<', '1.0'],
  ['1.0.dev1', '<', '1.0a1'],
  ['1.0.dev1', '<', '1.0a1.dev1'],
  ['1.0rc1.post1', '>', '1.0rc1'],
  ['1.0rc1.post1', '<', '1.0'],
  ['99999999999999999999999', '<', '99999999999999999999999.1'],
  ['99999999999999999999998', '<', '99999999999999999999999'],
];

const NORMALIZE: [string, string][] = [
  ['1.0dev', '1.0.dev0'], ['1.0.DEV', '1.0.dev0'], ['1.0-dev1', '1.0.dev1'], ['1.0_dev_1', '1.0.dev1'],
  ['1.0a', '1.0a0'], ['1.0.a1', '1.0a1'], ['1.0-A', '1.0a0'], ['1.0alpha1', '1.0a1'], ['1.0beta', '1.0b0'],
  ['1.0c', '1.0rc0'], ['1.0pre1', '1.0rc1'], ['1.0preview_1', '1.0rc1'], ['1.0RC1', '1.0rc1'],
  ['1.0.post', '1.0.post0'], ['1.0post1', '1.0.post1'], ['1.0-r4', '1.0.post4'], ['1.0rev4', '1.0.post4'], ['1.0-1', '1.0.post1'],
  ['1.0+ubuntu-1', '1.0+ubuntu.1'], ['1.0+Ubuntu_1', '1.0+ubuntu.1'], ['1.0+0001', '1.0+1'],
  ['v1.0', '1.0'], ['1.0.0', '1.0.0'], ['1!1.0', '1!1.0'], ['0!1.0', '1.0'], ['01.02.003', '1.2.3'], ['007!1', '7!1'],
  ['1.0a1.post2.dev3+abc', '1.0a1.post2.dev3+abc'],
];

const VALID = ['0', '1', '1.0', 'v1.0', '1!1.0', '1.0a', '1.0.post', '1.0.dev', '1.0+abc', '1.0+abc.1-2_3', '2024.1.15', '1.0-1'];
const INVALID = [
  '', ' 1.0', '1.0 ', 'french toast', '1.0+', '1.0+_foobar', '1.0+foo&asd', '1.0+1+1', '1.0.', '.1', '1..0', '1.0-',
  'vv1.0', '1.0a1a1', '1!', '!1.0', '1.0.post1.post2', '1.0.dev1.dev2', '1.0-dev-dev', 'x1.0', '1.0;rm',
];

describe('pep440', () => {
  it('orders the PEP 440 example chain', () => expectAscending(pep440, PEP_CHAIN));
  it('orders the packaging test chain', () => expectAscending(pep440, PACKAGING_CHAIN));

  it.each(COMPARE)('%s %s %s', (a, op, b) => {
    expect(pep440.compare(a, b)).toBe(opSign(op));
    expect(pep440.compare(b, a)).toBe(-opSign(op) || 0);
  });

  it.each(NORMALIZE)('normalizes %s to %s', (v, want) => expect(normalizePep440(v)).toBe(want));

  it.each(VALID)('accepts %j', (v) => expect(pep440.valid(v)).toBe(true));
  it.each(INVALID)('rejects %j', (v) => {
    expect(pep440.valid(v)).toBe(false);
    expect(() => pep440.compare(v, '1.0')).toThrow(GitfleetError);
    expect(() => normalizePep440(v)).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });

  it('parses release, epoch and pre-release flags', () => {
    expect(pep440.parse('2!1.4.0rc1+x')).toEqual({ raw: '2!1.4.0rc1+x', epoch: 2, release: [1, 4, 0], prerelease: true });
    expect(pep440.parse('1.4.dev2').prerelease).toBe(true);
    expect(pep440.parse('1.4.post2').prerelease).toBe(false);
    expect(pep440.parse('v01.4')).toEqual({ raw: 'v01.4', epoch: 0, release: [1, 4], prerelease: false });
  });
});

// Versions built from PEP 440's spellings so that the pool holds near-misses and equal pairs.
function generated(seed: number, count: number): string[] {
  const r = seeded(seed);
  const sep = ['', '.', '-', '_'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let v = r.chance(0.1) ? r.pick(['v', 'V']) : '';
    if (r.chance(0.2)) v += `${r.pick(['0', '1', '2', '01'])}!`;
    v += Array.from({ length: 1 + Math.floor(r.next() * 3) }, () => r.pick(['0', '1', '2', '10', '01'])).join('.');
    if (r.chance(0.5)) v += r.pick(sep) + r.pick(['a', 'b', 'c', 'rc', 'alpha', 'beta', 'pre', 'preview', 'A', 'RC']) + r.pick(sep) + r.pick(['1', '2', '10', '0']);
    if (r.chance(0.35)) v += r.chance(0.3) ? `-${r.pick(['1', '2', '0'])}` : r.pick(sep) + r.pick(['post', 'rev', 'r', 'POST']) + r.pick(['', '1', '2', '.3']);
    if (r.chance(0.35)) v += r.pick(sep) + r.pick(['dev', 'DEV']) + r.pick(['', '1', '2', '_4']);
    if (r.chance(0.3)) v += `+${Array.from({ length: 1 + Math.floor(r.next() * 3) }, () => r.pick(['abc', '1', '01', 'ubuntu', '2', 'z9'])).join(r.pick(['.', '-', '_']))}`;
    // A few broken ones, so that both sides must also agree on what is invalid.
    if (r.chance(0.08)) v += r.pick(['+', '.', '-x', '!1', '_', '+a+b', '..1']);
    out.push(v);
  }
  return out;
}

const SCRIPT = `
import json, sys
from pip._vendor.packaging.version import Version, InvalidVersion
def parse(s):
    try:
        return Version(s)
    except InvalidVersion:
        return None
d = json.load(sys.stdin)
vs = [parse(v) for v in d["versions"]]
out = {"norm": [None if v is None else str(v) for v in vs], "cmp": []}
for a, b in d["pairs"]:
    x, y = parse(a), parse(b)
    out["cmp"].append(None if x is None or y is None else (x > y) - (x < y))
print(json.dumps(out))
`;

describe('pep440 against the packaging library vendored in pip', () => {
  it('agrees on validity, normal form and order of generated versions', async () => {
    const base = generated(440, 90);
    const spelled = base.slice(0, 30).filter((v) => pep440.valid(v));
    // Siblings that differ only in the local part, where the ordering rules are the most intricate.
    const r = seeded(4402);
    const locals = ['abc', '1', 'abc.1', '1.abc', '2', 'z9', 'abc.abc', '01.2', 'ubuntu-1', '1.1.1'];
    const siblings = spelled.map((v) => `${normalizePep440(v).split('+')[0] as string}+${r.pick(locals)}`);
    const pool = [...base, ...spelled.map(normalizePep440), ...siblings];
    // Random pairs, each spelling against its normal form (equal, though not the same text), and siblings.
    const pairs = pairsFrom(pool, 400, 4401).concat(
      spelled.map((v): [string, string] => [v, normalizePep440(v)]),
      siblings.map((v, i): [string, string] => [v, siblings[(i + 1) % siblings.length] as string]),
      siblings.map((v, i): [string, string] => [v, spelled[i] as string]),
    );
    const res = await runChecked(execRunner, {
      file: '/usr/bin/python3',
      args: ['-c', SCRIPT],
      input: JSON.stringify({ versions: pool, pairs }),
      cleanEnv: true,
      env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONNOUSERSITE: '1' },
      timeoutMs: 30_000,
    });
    const ref = JSON.parse(res.stdout) as { norm: (string | null)[]; cmp: (number | null)[] };
    const mine = pool.map((v) => (pep440.valid(v) ? normalizePep440(v) : null));
    expect(mine).toEqual(ref.norm);
    expect(ref.norm.filter((n) => n !== null).length).toBeGreaterThan(pool.length / 2);
    const got = pairs.map(([a, b]) => (pep440.valid(a) && pep440.valid(b) ? pep440.compare(a, b) : null));
    const diffs = pairs.filter((_, i) => got[i] !== ref.cmp[i]).map(([a, b]) => `${a} vs ${b}`);
    expect(diffs).toEqual([]);
    expect(new Set(got).size).toBe(4); // -1, 0, 1 and null all occur
  });
});
