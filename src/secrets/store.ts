// The repository side of secrets: who a host's values are encrypted to, and the edits of `secrets/<host>.yaml`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GitfleetError, errorMessage } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { isAgeX25519Recipient } from './bech32.js';
import { encryptValue, ValueDecrypter } from './age.js';
import { checkHostName, checkSecretKey } from './names.js';
import { putSecret, render, replaceCiphertext, secretEntries, secretsDocument, withRecipient, type SecretMeta } from './secrets-doc.js';

/** A host's secrets file in a fleet work tree and the recipients its values are encrypted to. */
export interface HostSecretsContext {
  host: string;
  /** `secrets/<host>.yaml`, relative to the repository. */
  file: string;
  hostFile: string;
  /** The host's recipient first (it is tried first on decryption), then the fleet's admins. */
  recipients: string[];
  hostRecipient: string;
  admins: string[];
}

/** A key and its metadata as `secret list` shows it: never the value. */
export interface SecretListing extends SecretMeta {
  key: string;
}

/** Reads a file of the fleet repository by its relative path (a work tree on disk, or a git revision); undefined when absent. */
export type ReadRepoFile = (rel: string) => Promise<string | undefined>;

/** Files of a work tree on disk. */
export function diskReader(repoDir: string): ReadRepoFile {
  return (rel) => readOptional(join(repoDir, rel));
}

/** Reads the host's recipient and the fleet's admin recipients from the fleet repository. */
export async function hostSecretsContext(read: ReadRepoFile, host: string): Promise<HostSecretsContext> {
  checkHostName(host);
  const hostFile = `hosts/${host}.yaml`;
  const hostText = await read(hostFile);
  if (hostText === undefined) throw new GitfleetError('E_NOT_FOUND', `host "${host}" is not in the fleet (no ${hostFile})`);
  const hostDoc = asRecord(parse(hostText));
  const fleetText = await read('fleet.yaml');
  const admins = fleetText === undefined ? [] : ((asRecord(parse(fleetText)).recipients ?? []) as unknown[]).map(String);
  const hostRecipient = hostDoc.recipient === undefined ? undefined : String(hostDoc.recipient);
  if (!hostRecipient) throw new GitfleetError('E_NOT_FOUND', `host "${host}" has no \`recipient\` in ${hostFile}: run \`gitfleet host keygen --repo DIR\` on the host first`);
  for (const [r, where] of [[hostRecipient, hostFile], ...admins.map((a) => [a, 'fleet.yaml recipients'])] as [string, string][]) {
    if (!isAgeX25519Recipient(r)) throw new GitfleetError('E_VALIDATION', `${where}: "${r}" is not a valid age X25519 recipient`);
  }
  return { host, file: `secrets/${host}.yaml`, hostFile, recipients: [hostRecipient, ...admins.filter((a) => a !== hostRecipient)], hostRecipient, admins };
}

/** The text of `secrets/<host>.yaml` with `key` set to `value` encrypted to the context's recipients. */
export async function withSecret(ctx: HostSecretsContext, current: string | undefined, key: string, value: string, meta: { now: string; by: string }): Promise<{ text: string; created: boolean }> {
  checkSecretKey(key);
  if (value === '') throw new GitfleetError('E_USAGE', 'the value is empty');
  const doc = secretsDocument(current, ctx.host, ctx.file);
  const { created } = putSecret(doc, key, await encryptValue(value, ctx.recipients), meta);
  return { text: render(doc), created };
}

/** Sets one secret in the work tree's `secrets/<host>.yaml` (atomically). */
export async function setSecret(repoDir: string, ctx: HostSecretsContext, key: string, value: string, meta: { now: string; by: string }): Promise<{ created: boolean; file: string }> {
  const path = join(repoDir, ctx.file);
  const { text, created } = await withSecret(ctx, await readOptional(path), key, value, meta);
  await writeFileAtomic(path, text);
  return { created, file: ctx.file };
}

/** The keys and metadata of a host's secrets (an empty list when it has none). */
export async function listSecrets(read: ReadRepoFile, host: string): Promise<SecretListing[]> {
  checkHostName(host);
  const file = `secrets/${host}.yaml`;
  const text = await read(file);
  if (text === undefined) return [];
  return secretEntries(secretsDocument(text, host, file)).map(({ key, created, rotated, by }) => ({ key, created, rotated, by }));
}

/**
 * Re-encrypts every value of a host to a new host recipient (plus the admins), decrypting the old
 * values with an admin identity. All or nothing: one value that does not decrypt stops the rekey.
 */
export async function rekeyed(ctx: HostSecretsContext, secretsText: string, hostText: string, adminIdentity: string, newRecipient: string): Promise<{ secrets: string; host: string; keys: string[] }> {
  if (!isAgeX25519Recipient(newRecipient)) throw new GitfleetError('E_USAGE', `"${newRecipient}" is not a valid age X25519 recipient`);
  const doc = secretsDocument(secretsText, ctx.host, ctx.file);
  const dec = new ValueDecrypter(adminIdentity);
  const recipients = [newRecipient, ...ctx.admins.filter((a) => a !== newRecipient)];
  const keys: string[] = [];
  for (const e of secretEntries(doc)) {
    const out = await dec.decrypt(e.ciphertext);
    if (!out.ok) throw new GitfleetError('E_PARSE', `secret "${e.key}" of host "${ctx.host}" does not decrypt with the admin identity (${out.code}): ${out.message}; nothing was changed`);
    replaceCiphertext(doc, e.key, await encryptValue(out.value, recipients));
    keys.push(e.key);
  }
  return { secrets: render(doc), host: withRecipient(hostText, ctx.host, newRecipient, ctx.hostFile), keys };
}

/** A file's text, or undefined when it does not exist. */
export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new GitfleetError('E_IO', `cannot read ${path}: ${errorMessage(err)}`, { cause: err });
  }
}

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {};
}
