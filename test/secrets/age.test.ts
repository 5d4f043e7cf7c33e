// Interop with the reference implementation (Debian's age CLI) both ways, and how failures are classified.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encryptValue, newIdentity, ValueDecrypter } from '../../src/secrets/age.js';
import { createIdentity } from '../../src/secrets/identity.js';
import { execRunner } from '../../src/util/exec.js';
import { ageCli, tamperPayload, tempDir } from './helpers.js';

const VALUES = ['hunter2', "it's a \"quoted\" $VALUE with spaces\nand a second line", 'ünïcödé ✓ 🔑', 'x'.repeat(70_000)];

describe('age interop with Debian age 1.1', () => {
  it.each(VALUES.map((v) => [v.slice(0, 20), v]))('gitfleet encrypts %j, `age -d -i` decrypts it', async (_n, value) => {
    const dir = await tempDir();
    const made = await createIdentity({ path: join(dir, 'identity.age'), runner: execRunner });
    const admin = await newIdentity();
    const armored = await encryptValue(value, [made.recipient, admin.recipient]);
    expect(armored.startsWith('-----BEGIN AGE ENCRYPTED FILE-----\n')).toBe(true);
    expect(await ageCli(['-d', '-i', join(dir, 'identity.age')], armored)).toBe(value);
    // the admin recipient can read it as well
    await writeFile(join(dir, 'admin.txt'), `${admin.identity}\n`, { mode: 0o600 });
    expect(await ageCli(['-d', '-i', join(dir, 'admin.txt')], armored)).toBe(value);
  });

  it.each(VALUES.map((v) => [v.slice(0, 20), v]))('`age -r -a` encrypts %j, gitfleet decrypts it', async (_n, value) => {
    const { identity, recipient } = await newIdentity();
    const armored = await ageCli(['-r', recipient, '-a'], value);
    expect(await new ValueDecrypter(identity).decrypt(armored)).toEqual({ ok: true, value });
  });
});

describe('ValueDecrypter failures', () => {
  it('tells a wrong key, a tampered payload, a damaged header and clear text apart', async () => {
    const mine = await newIdentity();
    const other = await newIdentity();
    const dec = new ValueDecrypter(mine.identity);
    const forOther = await encryptValue('s3cret-value', [other.recipient]);
    const forMe = await encryptValue('s3cret-value', [mine.recipient]);
    const header = forMe.split('\n');
    header[1] = `${header[1]!.slice(0, 4)}${header[1]![4] === 'Z' ? 'Y' : 'Z'}${header[1]!.slice(5)}`;
    const cases: [string, string][] = [
      [forOther, 'secret.wrong-key'],
      [tamperPayload(forMe), 'secret.tampered'],
      [header.join('\n'), 'secret.corrupt'],
      ['s3cret-value', 'secret.corrupt'],
    ];
    for (const [text, code] of cases) {
      const r = await dec.decrypt(text);
      expect(r).toMatchObject({ ok: false, code });
      expect(JSON.stringify(r)).not.toContain('s3cret-value');
    }
    // and the decrypter still works after failures
    expect(await dec.decrypt(forMe)).toEqual({ ok: true, value: 's3cret-value' });
  });

  it('a value tampered by `age`-produced ciphertext edits is refused, never returned', async () => {
    const { identity, recipient } = await newIdentity();
    const armored = await ageCli(['-r', recipient, '-a'], 'payload');
    expect((await new ValueDecrypter(identity).decrypt(tamperPayload(armored))).ok).toBe(false);
  });
});
