import { isAbsolute } from 'node:path';
import type { Runner } from '../util/exec.js';
import { GitfleetError } from '../util/errors.js';
import { gitCommand } from './git.js';

/** Who the agent trusts to sign the tracked branch: its own configuration, never the repository's. */
export interface SignerTrust {
  /** An ssh allowed-signers file (`principal key` lines) for SSH signatures. */
  allowedSigners?: string;
  /** A GnuPG home whose keyring holds the trusted keys, for OpenPGP signatures. */
  gpgHome?: string;
}

/** The verdict on one commit's signature. */
export type SignatureVerdict = { ok: true; detail: string } | { ok: false; detail: string };

/** Verifies `sha`'s signature with git itself (`git verify-commit`); unsigned, bad or unknown-key signatures fail. */
export async function verifyCommitSignature(runner: Runner, dir: string, sha: string, trust: SignerTrust): Promise<SignatureVerdict> {
  if (!/^[0-9a-f]{40}$/.test(sha)) throw new GitfleetError('E_GIT', `not a commit SHA: ${sha}`);
  if (!trust.allowedSigners && !trust.gpgHome) throw new GitfleetError('E_USAGE', 'signature verification needs an allowed-signers file (or a GnuPG home)');
  for (const p of [trust.allowedSigners, trust.gpgHome]) {
    if (p !== undefined && !isAbsolute(p)) throw new GitfleetError('E_USAGE', `${p} must be an absolute path`);
  }
  // An empty allowed-signers file when only GnuPG is trusted: an SSH signature then matches no one.
  const config = ['-c', `gpg.ssh.allowedSignersFile=${trust.allowedSigners ?? '/dev/null'}`];
  const env: Record<string, string> = trust.gpgHome ? { GNUPGHOME: trust.gpgHome } : { GNUPGHOME: '/nonexistent-gitfleet-gnupg' };
  const res = await runner.run(gitCommand([...config, '-C', dir, 'verify-commit', sha], { env, timeoutMs: 30_000 }));
  const detail = (res.stderr.trim() || res.stdout.trim()).split('\n').slice(-2).join(' ') || (res.exitCode === 0 ? 'good signature' : 'no signature');
  return res.exitCode === 0 ? { ok: true, detail } : { ok: false, detail };
}
