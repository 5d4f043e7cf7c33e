import { describe, expect, it } from 'vitest';
import { bech32Decode, bech32Encode, isAgeX25519Recipient } from '../../src/secrets/bech32.js';
import { newIdentity } from '../../src/secrets/age.js';
import { ageCli } from './helpers.js';
import { execRunner, runChecked } from '../../src/util/exec.js';
import { loadFleet } from '../../src/fleet/load.js';
import { dirSource } from '../../src/fleet/source.js';
import { validateFleet } from '../../src/fleet/validate.js';

describe('age recipients', () => {
  it('accepts recipients made by age-encryption and by age-keygen', async () => {
    const ours = (await newIdentity()).recipient;
    const keygen = (await runChecked(execRunner, { file: 'age-keygen', args: [] })).stdout;
    const theirs = /public key: (age1\S+)/.exec(keygen)![1]!;
    expect(isAgeX25519Recipient(ours)).toBe(true);
    expect(isAgeX25519Recipient(theirs)).toBe(true);
    // age itself agrees that the recipient is usable
    expect((await ageCli(['-r', ours, '-a'], 'x')).startsWith('-----BEGIN AGE')).toBe(true);
  });

  it.each([
    ['one character changed', (r: string) => r.slice(0, 10) + (r[10] === 'q' ? 'p' : 'q') + r.slice(11)],
    ['upper case', (r: string) => r.toUpperCase()],
    ['too short', (r: string) => r.slice(0, -1)],
    ['wrong prefix', (r: string) => bech32Encode('agx', bech32Decode(r)!.bytes)],
    ['31 bytes', (r: string) => bech32Encode('age', bech32Decode(r)!.bytes.slice(0, 31))],
    ['a random look-alike', () => 'age1' + 'qpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9x8gf2tvdw0s3jn54khce'],
  ])('refuses %s', async (_name, mangle) => {
    const r = (await newIdentity()).recipient;
    expect(isAgeX25519Recipient(mangle(r))).toBe(false);
  });

  it('round-trips bytes', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    const s = bech32Encode('age', bytes);
    expect(bech32Decode(s)).toEqual({ prefix: 'age', bytes });
    expect(isAgeX25519Recipient(s)).toBe(true);
  });

  it('the benchmark generator emits valid recipients', async () => {
    const { mkdtemp, readdir, readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    // @ts-expect-error: a plain JS module of the benchmarks
    const { generateFleet } = await import('../../bench/gen-fleet.js');
    const dir = await mkdtemp(join(tmpdir(), 'gitfleet-genfleet-'));
    await generateFleet(dir, { hosts: 30 });
    const found: string[] = [];
    for (const f of await readdir(join(dir, 'hosts'))) {
      const m = /recipient: (\S+)/.exec(await readFile(join(dir, 'hosts', f), 'utf8'));
      if (m) found.push(m[1]!);
    }
    expect(found.length).toBeGreaterThan(5);
    expect(found.filter((r) => !isAgeX25519Recipient(r))).toEqual([]);
    const v = await validateFleet(await loadFleet(dirSource(dir)));
    expect(v.diagnostics.filter((d) => d.code === 'recipient.invalid')).toEqual([]);
  });
});
