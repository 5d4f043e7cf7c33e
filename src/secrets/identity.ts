// The host's age identity: a private key file in the state directory, readable only by the agent.
import { link, open, readFile, rename, rm, stat, mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Command, Runner } from '../util/exec.js';
import { GitfleetError, errorMessage } from '../util/errors.js';
import { newIdentity, recipientOf } from './age.js';

/** What `host keygen` made. */
export interface KeygenResult {
  path: string;
  recipient: string;
  /** Set on Windows: what was done about the file's ACL, and its limits. */
  aclNote?: string;
}

export interface KeygenOptions {
  path: string;
  force?: boolean;
  runner: Runner;
  platform?: NodeJS.Platform;
  now?: () => Date;
}

/** Creates an X25519 identity file (mode 0600); refuses to replace one unless `force`. The file reads like age-keygen's. */
export async function createIdentity(o: KeygenOptions): Promise<KeygenResult> {
  const platform = o.platform ?? process.platform;
  if (!o.force && (await exists(o.path))) {
    throw new GitfleetError('E_USAGE', `an identity already exists at ${o.path}; replacing it makes every secret encrypted to it unreadable here — pass --force to replace it anyway`);
  }
  const { identity, recipient } = await newIdentity();
  const text = `# created: ${(o.now ?? (() => new Date()))().toISOString()}\n# public key: ${recipient}\n${identity}\n`;
  await writePrivate(o.path, text, Boolean(o.force));
  const out: KeygenResult = { path: o.path, recipient };
  if (platform === 'win32') out.aclNote = await restrictWindowsAcl(o.runner, o.path);
  return out;
}

/** Reads the `AGE-SECRET-KEY-1...` line of an identity file (age-keygen's format: `#` comments allowed). */
export async function readIdentity(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new GitfleetError(missing ? 'E_NOT_FOUND' : 'E_IO', missing ? `no age identity at ${path}: run \`gitfleet host keygen\` on this host` : `cannot read the age identity ${path}: ${errorMessage(err)}`, { cause: err });
  }
  const keys = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const key = keys.find((l) => l.startsWith('AGE-SECRET-KEY-1'));
  if (!key) throw new GitfleetError('E_PARSE', `${path} holds no age X25519 identity (a line AGE-SECRET-KEY-1...)`);
  return key;
}

/** The public recipient of the identity in a file. */
export async function identityFileRecipient(path: string): Promise<string> {
  return recipientOf(await readIdentity(path));
}

/**
 * The icacls call that limits a file to SYSTEM and Administrators (by SID, so it works in every locale)
 * and drops inherited entries.
 */
export function icaclsCommand(path: string): Command {
  return { file: 'icacls', args: [path, '/inheritance:r', '/grant:r', '*S-1-5-18:F', '*S-1-5-32-544:F'], timeoutMs: 30_000 };
}

async function restrictWindowsAcl(runner: Runner, path: string): Promise<string> {
  // Node's mode bits mean nothing to NTFS: the file first inherits the folder's ACL, so there is a short
  // window until icacls narrows it. Keep the state folder itself limited to SYSTEM and Administrators.
  const r = await runner.run(icaclsCommand(path)).catch((err: unknown) => ({ exitCode: -1, stderr: errorMessage(err) }));
  if (r.exitCode === 0) return 'Windows: mode 0600 does not apply to NTFS; the file ACL was limited to SYSTEM and Administrators with icacls';
  return `Windows: mode 0600 does not apply to NTFS and icacls failed (${r.stderr.trim().slice(0, 200)}); limit the file's ACL to SYSTEM and Administrators yourself`;
}

// Write beside, fsync, then link (fails if the file appeared meanwhile) or rename (with --force).
async function writePrivate(path: string, text: string, replace: boolean): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.chmod(0o600);
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    if (replace) {
      await rename(tmp, path);
      return;
    }
    await link(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new GitfleetError('E_USAGE', `an identity already exists at ${path}; pass --force to replace it`, { cause: err });
    throw new GitfleetError('E_IO', `cannot write the identity ${path}: ${errorMessage(err)}`, { cause: err });
  } finally {
    await rm(tmp, { force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
