// The only place that calls age-encryption: encrypt a value to recipients, decrypt with the host's identity.
import { Decrypter, Encrypter, armor, generateX25519Identity, identityToRecipient, type Identity } from 'age-encryption';
import { GitfleetError } from '../util/errors.js';
import { isAgeX25519Recipient } from './bech32.js';

/** Why a value could not be decrypted; never carries the value. */
export type DecryptFailureCode = 'secret.corrupt' | 'secret.wrong-key' | 'secret.tampered';

/** The outcome of decrypting one value. */
export type DecryptOutcome = { ok: true; value: string } | { ok: false; code: DecryptFailureCode; message: string };

/** A new X25519 identity (`AGE-SECRET-KEY-1...`) and its public recipient (`age1...`). */
export async function newIdentity(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

/** The public recipient of an identity. */
export async function recipientOf(identity: string): Promise<string> {
  return identityToRecipient(identity);
}

/** Encrypts a UTF-8 value to every recipient and armors it (`-----BEGIN AGE ENCRYPTED FILE-----`). */
export async function encryptValue(value: string, recipients: readonly string[]): Promise<string> {
  if (recipients.length === 0) throw new GitfleetError('E_USAGE', 'no recipients to encrypt to');
  const e = new Encrypter();
  for (const r of new Set(recipients)) {
    if (!isAgeX25519Recipient(r)) throw new GitfleetError('E_VALIDATION', `"${r}" is not an age X25519 recipient`);
    e.addRecipient(r);
  }
  return armor.encode(await e.encrypt(value));
}

/**
 * Decrypts armored values with one identity. age-encryption throws plain Errors, so instead of reading
 * their messages we put probe identities around the real one: the first proves the header parsed, the
 * second is only asked when the real identity found no stanza for itself (the wrong key).
 */
export class ValueDecrypter {
  readonly #d = new Decrypter();
  #state = { parsed: false, unmatched: false };

  constructor(identity: string) {
    if (!identity.startsWith('AGE-SECRET-KEY-1')) throw new GitfleetError('E_PARSE', 'the identity is not an age X25519 identity (AGE-SECRET-KEY-1...)');
    const first: Identity = { unwrapFileKey: () => { this.#state.parsed = true; return null; } };
    const last: Identity = { unwrapFileKey: () => { this.#state.unmatched = true; return null; } };
    this.#d.addIdentity(first);
    this.#d.addIdentity(identity);
    this.#d.addIdentity(last);
  }

  /** Decrypts one armored value. Calls run one at a time (the probes share state). */
  async decrypt(armored: string): Promise<DecryptOutcome> {
    let raw: Uint8Array;
    try {
      raw = armor.decode(armored);
    } catch {
      return { ok: false, code: 'secret.corrupt', message: 'the value is not a well-formed age armored block (damaged or not encrypted)' };
    }
    this.#state = { parsed: false, unmatched: false };
    try {
      return { ok: true, value: await this.#d.decrypt(raw, 'text') };
    } catch {
      const s = this.#state;
      if (!s.parsed) return { ok: false, code: 'secret.corrupt', message: 'the age header is malformed (damaged ciphertext)' };
      if (s.unmatched) return { ok: false, code: 'secret.wrong-key', message: "the value is not encrypted to this host's identity (re-encrypt it with `gitfleet secret rekey` or `secret set`)" };
      return { ok: false, code: 'secret.tampered', message: 'the ciphertext failed authentication: it was modified or truncated after encryption' };
    }
  }
}
