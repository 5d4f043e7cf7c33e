// Real GnuPG for signed-commit tests: throwaway homes under /tmp (gpg-agent's socket paths must stay under ~107
// bytes, so not under a long TMPDIR), keys made non-interactively, commits signed by git through gpg.
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execRunner, runChecked } from '../../src/util/exec.js';
import { gitCommand } from '../../src/source/git.js';

const made: { root: string; home: string }[] = [];

/** Runs gpg in `home` (batch, no passphrase) and returns stdout. */
export async function gpg(home: string, args: string[], input?: string): Promise<string> {
  const res = await runChecked(execRunner, { file: 'gpg', args: ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], env: { GNUPGHOME: home }, input, timeoutMs: 60_000 });
  return res.stdout;
}

/** A new, empty GnuPG home (mode 0700, as gpg wants), `sub` of a new temp dir if given; removed by `removeGpgHomes`. */
export async function gpgHome(sub?: string): Promise<string> {
  const root = await mkdtemp('/tmp/gfg-');
  const home = sub ? join(root, sub) : root;
  await mkdir(home, { recursive: true });
  await chmod(home, 0o700);
  made.push({ root, home });
  return home;
}

/** gpg's `--faked-system-time` form of a date (UTC, `YYYYMMDDTHHMMSS`). */
function gpgTime(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '');
}

/**
 * Makes an ed25519 signing key in `home` and returns its fingerprint. With `expiredDaysAgo`, the key is made and used
 * at a faked time two days before it expires, so that it has expired by now while its signatures are otherwise good.
 */
export async function makeKey(home: string, uid: string, opts: { expiredDaysAgo?: number } = {}): Promise<string> {
  const faked = opts.expiredDaysAgo === undefined ? [] : ['--faked-system-time', gpgTime(new Date(Date.now() - (opts.expiredDaysAgo + 2) * 86_400_000))];
  await gpg(home, [...faked, '--quick-gen-key', uid, 'ed25519', 'sign', opts.expiredDaysAgo === undefined ? 'never' : '1d']);
  // git runs plain `gpg`: the faked time for its signatures comes from the home's own configuration.
  if (faked.length) await writeFile(join(home, 'gpg.conf'), `faked-system-time ${faked[1]}\n`);
  const fpr = (await gpg(home, ['--with-colons', '--list-keys', uid])).split('\n').find((l) => l.startsWith('fpr:'))?.split(':')[9];
  if (!fpr) throw new Error(`no fingerprint for ${uid}`);
  return fpr;
}

/** Copies the public key `fpr` from one home into another (as an operator would with `gpg --import`). */
export async function importKey(from: string, fpr: string, into: string): Promise<void> {
  await gpg(into, ['--import'], await gpg(from, ['--armor', '--export', fpr]));
}

/** Imports the revocation certificate gpg made with the key into `into`: the key is revoked there. */
export async function importRevocation(from: string, fpr: string, into: string): Promise<void> {
  // gpg stores it with a leading ':' on the armor line so that it cannot be imported by accident.
  const cert = (await readFile(join(from, 'openpgp-revocs.d', `${fpr}.rev`), 'utf8')).replace(/^:-----BEGIN/m, '-----BEGIN');
  await gpg(into, ['--import'], cert);
}

/** Commits in `work` signed by `fpr` from `home` (git → gpg, with GNUPGHOME set); returns the SHA. */
export async function signedCommit(work: string, home: string, fpr: string, message: string): Promise<string> {
  const ident = ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'gpg.program=gpg', '-c', `user.signingkey=${fpr}`];
  await runChecked(execRunner, gitCommand([...ident, 'commit', '-q', '--allow-empty', '-S', '-m', message], { cwd: work, env: { GNUPGHOME: home } }));
  return (await runChecked(execRunner, gitCommand(['rev-parse', 'HEAD'], { cwd: work }))).stdout.trim();
}

/** Stops the gpg-agent of every home made here and removes the homes; throws if a process of one outlives that. */
export async function removeGpgHomes(): Promise<void> {
  const all = made.splice(0);
  for (const { home } of all) await runChecked(execRunner, { file: 'gpgconf', args: ['--kill', 'all'], env: { GNUPGHOME: home } });
  for (let waited = 0; ; waited += 50) {
    const left = await processesUsing(all.map((m) => m.home));
    if (!left.length) break;
    if (waited > 5000) throw new Error(`still running after gpgconf --kill all: ${left.join('; ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const { root } of all) await rm(root, { recursive: true, force: true });
}

/** Command lines of live processes that name one of `homes` (gpg-agent runs as `gpg-agent --homedir HOME ...`). */
async function processesUsing(homes: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const words = cmdline.split('\0');
    if (homes.some((h) => words.includes(h))) out.push(`${pid}: ${words.join(' ').trim()}`);
  }
  return out;
}
