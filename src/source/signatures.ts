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

// A GnuPG home that can never exist (nothing can be created under /dev/null), for when only SSH keys are trusted: an
// OpenPGP signature then finds no key. A fixed path such as /nonexistent-… could be created by someone and trusted.
const NO_GNUPG_HOME = '/dev/null/gitfleet-no-gnupg';
// X.509 (gpgsm) would decide trust from the GnuPG home's trustlist.txt and system CAs, start gpg-agent and dirmngr
// (CRL fetches) per check: not what --gpg-home promises. git cannot run this program (nothing can exist under /dev/null,
// where a bare name would be looked up on PATH), so such signatures fail.
const NO_X509_PROGRAM = '/dev/null/gitfleet-no-x509';

/**
 * Verifies `sha`'s signature with git itself (`git verify-commit`); unsigned, bad or unknown-key signatures fail.
 *
 * The verdict is git's exit status, which in git's `%G?` terms is:
 * - G (good, key valid in the web of trust) and U (good, validity unknown) pass. For OpenPGP, U is the normal case: a
 *   key imported into the agent's GnuPG home without ownertrust. That home is the agent's own trust list, like an
 *   allowed-signers file, so being in its keyring is the trust decision; requiring ownertrust would refuse every head
 *   of the usual `gpg --import` setup. (A key whose validity is "never" makes gpg itself fail, so it does not pass.)
 *   For SSH, git's U means no principal of the allowed-signers file matched, and verify-commit fails it.
 * - X (expired signature), Y (expired key), R (revoked key), B (bad signature), E (cannot check: key not in the
 *   keyring) and N (no signature) fail.
 * `gpg.minTrustLevel` is pinned to that policy, so no configuration can raise or lower it.
 */
export async function verifyCommitSignature(runner: Runner, dir: string, sha: string, trust: SignerTrust): Promise<SignatureVerdict> {
  if (!/^[0-9a-f]{40}$/.test(sha)) throw new GitfleetError('E_GIT', `not a commit SHA: ${sha}`);
  if (!trust.allowedSigners && !trust.gpgHome) throw new GitfleetError('E_USAGE', 'signature verification needs an allowed-signers file (or a GnuPG home)');
  for (const p of [trust.allowedSigners, trust.gpgHome]) {
    if (p !== undefined && !isAbsolute(p)) throw new GitfleetError('E_USAGE', `${p} must be an absolute path`);
  }
  const config = [
    // An empty allowed-signers file when only GnuPG is trusted: an SSH signature then matches no one.
    '-c', `gpg.ssh.allowedSignersFile=${trust.allowedSigners ?? '/dev/null'}`,
    '-c', 'gpg.minTrustLevel=undefined',
    '-c', `gpg.x509.program=${NO_X509_PROGRAM}`,
  ];
  // GNUPGHOME always set: gpg must never fall back to the inherited GNUPGHOME or to ~/.gnupg (the user's or a signer's).
  const env: Record<string, string> = { GNUPGHOME: trust.gpgHome ?? NO_GNUPG_HOME };
  const res = await runner.run(gitCommand([...config, '-C', dir, 'verify-commit', sha], { env, timeoutMs: 30_000 }));
  const said = summary(res.stderr || res.stdout);
  const detail = said.includes(NO_X509_PROGRAM)
    ? 'an X.509 (gpgsm) signature, which is never accepted: only OpenPGP keys of --gpg-home and SSH keys of --allowed-signers are'
    : said || (res.exitCode === 0 ? 'good signature' : 'no signature');
  return res.exitCode === 0 ? { ok: true, detail } : { ok: false, detail };
}

// gpg's lines that say nothing about the verdict (and the warning about ownertrust, which the policy above ignores).
const NOISE = /^(gpg: +)?(Signature made|checking the trustdb|marginals needed|depth: |keyblock resource|WARNING: This key is not certified|There is no indication|Primary key fingerprint)/;

/** What gpg or ssh-keygen said about the signature, on one line. */
function summary(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l && !NOISE.test(l));
  return lines.slice(-4).join(' ');
}
