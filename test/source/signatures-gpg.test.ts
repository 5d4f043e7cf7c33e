// OpenPGP signatures checked with real gpg: keys in throwaway GnuPG homes, commits signed by git, verified against the
// agent's own keyring (--gpg-home) and nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execRunner, runChecked, type Runner } from '../../src/util/exec.js';
import { gitCommand } from '../../src/source/git.js';
import { verifyCommitSignature, type SignerTrust } from '../../src/source/signatures.js';
import { git } from '../helpers/git.js';
import { gpgHome, importKey, importRevocation, makeKey, removeGpgHomes, signedCommit } from './gpg-keys.js';

let tmp: string;
let work: string;
let trusted: string; // the agent's --gpg-home
let allowedSigners: string;
let userGnupg: string; // a user's ~/.gnupg that holds a key of its own
const sha: Record<string, string> = {};

/** Writes a commit object made from `from`'s text changed by `edit` (no re-signing); returns its SHA. */
async function rewritten(from: string, edit: (text: string) => string): Promise<string> {
  const text = (await runChecked(execRunner, gitCommand(['cat-file', 'commit', from], { cwd: work }))).stdout;
  const out = await runChecked(execRunner, gitCommand(['hash-object', '-t', 'commit', '-w', '--stdin'], { cwd: work, input: edit(text) }));
  return out.stdout.trim();
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitfleet-sig-'));
  work = join(tmp, 'work');
  await git(tmp, ['init', '-q', '-b', 'main', work]);
  trusted = await gpgHome();

  const ops = await gpgHome();
  const opsKey = await makeKey(ops, 'Ops <ops@example.invalid>');
  await importKey(ops, opsKey, trusted); // no ownertrust: git's %G? is U, the usual case
  const stranger = await gpgHome();
  const strangerKey = await makeKey(stranger, 'Stranger <stranger@example.invalid>');
  const old = await gpgHome();
  const oldKey = await makeKey(old, 'Old <old@example.invalid>', { expiredDaysAgo: 1 });
  await importKey(old, oldKey, trusted);
  const gone = await gpgHome();
  const goneKey = await makeKey(gone, 'Gone <gone@example.invalid>');
  await importKey(gone, goneKey, trusted);
  await importRevocation(gone, goneKey, trusted);
  userGnupg = await gpgHome('.gnupg');
  const userKey = await makeKey(userGnupg, 'User <user@example.invalid>');

  sha.ops = await signedCommit(work, ops, opsKey, 'signed by ops');
  await git(work, ['commit', '-q', '--allow-empty', '-m', 'unsigned']);
  sha.unsigned = await git(work, ['rev-parse', 'HEAD']);
  sha.stranger = await signedCommit(work, stranger, strangerKey, 'signed by a stranger');
  sha.expired = await signedCommit(work, old, oldKey, 'signed by an expired key');
  sha.revoked = await signedCommit(work, gone, goneKey, 'signed by a revoked key');
  sha.user = await signedCommit(work, userGnupg, userKey, "signed by the user's own key");
  sha.altered = await rewritten(sha.ops, (t) => t.replace('signed by ops', 'altered after signing'));
  sha.x509 = await rewritten(sha.ops, (t) => t.replace(/PGP SIGNATURE-----/g, 'SIGNED MESSAGE-----'));

  const sshKey = join(tmp, 'ssh-signer');
  await runChecked(execRunner, { file: 'ssh-keygen', args: ['-q', '-t', 'ed25519', '-N', '', '-C', 'ops@example.invalid', '-f', sshKey] });
  allowedSigners = join(tmp, 'allowed_signers');
  await writeFile(allowedSigners, `ops@example.invalid ${(await readFile(`${sshKey}.pub`, 'utf8')).trim()}\n`);
  await git(work, ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${sshKey}`, 'commit', '-q', '--allow-empty', '-S', '-m', 'ssh-signed']);
  sha.ssh = await git(work, ['rev-parse', 'HEAD']);
});

afterAll(async () => {
  await removeGpgHomes(); // kills each home's gpg-agent, and fails if one is still running
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('verifyCommitSignature with a GnuPG home', () => {
  const gpgOnly = (): SignerTrust => ({ gpgHome: trusted });
  const sshOnly = (): SignerTrust => ({ allowedSigners });
  const both = (): SignerTrust => ({ allowedSigners, gpgHome: trusted });
  const cases: { name: string; commit: string; trust: () => SignerTrust; ok: boolean; detail: RegExp }[] = [
    { name: 'a key in the trusted keyring (no ownertrust) is followed', commit: 'ops', trust: gpgOnly, ok: true, detail: /Good signature from "Ops <ops@example\.invalid>"/ },
    { name: 'an unsigned commit is refused', commit: 'unsigned', trust: gpgOnly, ok: false, detail: /^no signature$/ },
    { name: 'a key not in the trusted keyring is refused', commit: 'stranger', trust: gpgOnly, ok: false, detail: /No public key/ },
    { name: 'an expired key is refused', commit: 'expired', trust: gpgOnly, ok: false, detail: /key has expired/ },
    { name: 'a revoked key is refused', commit: 'revoked', trust: gpgOnly, ok: false, detail: /key has been revoked/ },
    { name: 'a commit altered after signing is refused', commit: 'altered', trust: gpgOnly, ok: false, detail: /BAD signature/ },
    { name: 'an X.509 signature is refused without running gpgsm', commit: 'x509', trust: gpgOnly, ok: false, detail: /X.509 \(gpgsm\) signature, which is never accepted/ },
    { name: 'an SSH signature is refused when only a GnuPG home is trusted', commit: 'ssh', trust: gpgOnly, ok: false, detail: /No principal matched/ },
    { name: 'an OpenPGP signature is refused when only SSH keys are trusted', commit: 'ops', trust: sshOnly, ok: false, detail: /No public key/ },
    { name: 'with both trusts, an OpenPGP signature is followed', commit: 'ops', trust: both, ok: true, detail: /Good signature/ },
    { name: 'with both trusts, an SSH signature is followed', commit: 'ssh', trust: both, ok: true, detail: /Good "git" signature for ops@example\.invalid/ },
    { name: 'with both trusts, an unknown OpenPGP key is still refused', commit: 'stranger', trust: both, ok: false, detail: /No public key/ },
  ];
  it.each(cases)('$name', async ({ commit, trust, ok, detail }) => {
    const v = await verifyCommitSignature(execRunner, work, sha[commit]!, trust());
    expect(v).toMatchObject({ ok });
    expect(v.detail).toMatch(detail);
  });

  it('git itself reports the trusted-keyring case as U (good, validity unknown), which the agent accepts', async () => {
    const out = await runChecked(execRunner, gitCommand(['log', '-1', '--format=%G?', sha.ops!], { cwd: work, env: { GNUPGHOME: trusted } }));
    expect(out.stdout.trim()).toBe('U');
  });

  it("keeps that policy whatever the checkout's own config says (gpg.minTrustLevel)", async () => {
    await git(work, ['config', 'gpg.minTrustLevel', 'fully']);
    try {
      expect(await verifyCommitSignature(execRunner, work, sha.ops!, { gpgHome: trusted })).toMatchObject({ ok: true });
    } finally {
      await git(work, ['config', '--unset', 'gpg.minTrustLevel']);
    }
  });
});

describe("the trust keyring is the agent's own", () => {
  // A runner whose processes inherit exactly `inherited` (plus PATH), as the agent's would inherit its environment.
  const inheriting = (inherited: Record<string, string>): Runner => ({
    run: (cmd) => execRunner.run({ ...cmd, env: { ...inherited, ...cmd.env }, cleanEnv: true }),
  });
  const plainVerify = async (runner: Runner, commit: string) => (await runner.run(gitCommand(['verify-commit', commit], { cwd: work }))).exitCode;

  it("never the signer's keyring, even when it is the inherited GNUPGHOME", async () => {
    const runner = inheriting({ GNUPGHOME: userGnupg });
    expect(await plainVerify(runner, sha.user!)).toBe(0); // the inherited home alone would accept it
    expect(await verifyCommitSignature(runner, work, sha.user!, { gpgHome: trusted })).toMatchObject({ ok: false, detail: expect.stringMatching(/No public key/) });
    expect(await verifyCommitSignature(runner, work, sha.user!, { allowedSigners })).toMatchObject({ ok: false });
  });

  it("never the user's ~/.gnupg, when only SSH keys are trusted", async () => {
    const runner = inheriting({ HOME: join(userGnupg, '..') });
    expect(await plainVerify(runner, sha.user!)).toBe(0); // ~/.gnupg alone would accept it
    expect(await verifyCommitSignature(runner, work, sha.user!, { allowedSigners })).toMatchObject({ ok: false, detail: expect.stringMatching(/No public key/) });
    expect(await verifyCommitSignature(runner, work, sha.user!, { gpgHome: trusted })).toMatchObject({ ok: false });
    expect(await verifyCommitSignature(runner, work, sha.ops!, { gpgHome: trusted })).toMatchObject({ ok: true });
  });
});
