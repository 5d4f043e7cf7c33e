// gitfleet validate on secrets: clear text, a bad recipient, secrets for an unknown host — located, value never echoed.
import { describe, expect, it } from 'vitest';
import { smallFleet, validateMemory } from '../helpers/fleet.js';
import { encryptValue, newIdentity } from '../../src/secrets/age.js';

const CLEAR = 'correct-horse-battery-staple';

async function fleet(over: { recipient?: string; secrets?: string; secretsHost?: string; admins?: string[] }) {
  const base = smallFleet();
  const files: Record<string, string> = { ...base };
  if (over.admins) files['fleet.yaml'] = `${base['fleet.yaml']}recipients:\n${over.admins.map((a) => `  - ${a}\n`).join('')}`;
  if (over.recipient) files['hosts/h1.yaml'] = `${base['hosts/h1.yaml']}recipient: ${over.recipient}\n`;
  if (over.secrets) files[`secrets/${over.secretsHost ?? 'h1'}.yaml`] = over.secrets;
  return validateMemory(files);
}

const doc = (host: string, value: string) => `apiVersion: gitfleet/v1\nkind: Secrets\nname: ${host}\nsecrets:\n  DB_PASSWORD:\n    value: |\n${value.trimEnd().split('\n').map((l) => `      ${l}`).join('\n')}\n`;

describe('validation of secrets', () => {
  it('accepts real ciphertext to a real recipient', async () => {
    const { recipient } = await newIdentity();
    const v = await fleet({ recipient, secrets: doc('h1', await encryptValue(CLEAR, [recipient])) });
    expect(v.diagnostics).toEqual([]);
  });

  it.each([
    ['a clear-text value', async () => CLEAR, 'schema.pattern', /not age-encrypted/],
    ['clear text inside armor lines', async () => `-----BEGIN AGE ENCRYPTED FILE-----\n${Buffer.from(CLEAR).toString('base64')}\n-----END AGE ENCRYPTED FILE-----\n`, 'secrets.not-encrypted', /is not encrypted/],
  ])('%s: located at the value, with a hint, never echoing it', async (_n, value, code, message) => {
    const { recipient } = await newIdentity();
    const v = await fleet({ recipient, secrets: doc('h1', await value()) });
    const d = v.diagnostics.find((x) => x.code === code);
    expect(d).toMatchObject({ file: 'secrets/h1.yaml', line: 6 });
    expect(d!.message).toMatch(message);
    expect(d!.hint).toMatch(/rotate/);
    expect(JSON.stringify(v.diagnostics)).not.toContain(CLEAR);
    expect(JSON.stringify(v.diagnostics)).not.toContain(Buffer.from(CLEAR).toString('base64'));
  });

  it('a recipient with a broken checksum is recipient.invalid at the host and in fleet.yaml', async () => {
    const good = (await newIdentity()).recipient;
    const bad = good.slice(0, -1) + (good.endsWith('q') ? 'p' : 'q');
    const v = await fleet({ recipient: bad, admins: [good, bad] });
    const got = v.diagnostics.filter((d) => d.code === 'recipient.invalid').map((d) => [d.file, d.line]);
    expect(got).toEqual(expect.arrayContaining([['hosts/h1.yaml', 8], ['fleet.yaml', 7]]));
    expect(got).toHaveLength(2);
  });

  it('secrets for an unknown host are located at their name', async () => {
    const { recipient } = await newIdentity();
    const v = await fleet({ recipient, secretsHost: 'h9', secrets: doc('h9', await encryptValue(CLEAR, [recipient])) });
    expect(v.diagnostics.find((d) => d.code === 'ref.secrets-host')).toMatchObject({ file: 'secrets/h9.yaml', line: 3 });
  });
});
