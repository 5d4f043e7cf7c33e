import { join, resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { CliContext } from './types.js';
import { parseFlags } from './args.js';
import { stateDir, statePaths } from '../util/state-dir.js';
import { execRunner } from '../util/exec.js';
import { writeFileAtomic } from '../util/atomic.js';
import { GitfleetError } from '../util/errors.js';
import { createIdentity } from '../secrets/identity.js';
import { checkHostName } from '../secrets/names.js';
import { withRecipient } from '../secrets/secrets-doc.js';

export const HOST_KEYGEN_HELP = `Usage: gitfleet host keygen [--state-dir DIR] [--force] [--repo DIR --host NAME] [--json]

Creates this host's age X25519 identity in the state directory (identity.age, mode 0600; on
Windows the ACL is limited to SYSTEM and Administrators with icacls) and prints its public
recipient. The private key never leaves the host. With --repo, also writes \`recipient:\` into
hosts/<NAME>.yaml of that fleet work tree, keeping the file's comments and layout.

Flags:
  --state-dir DIR  where gitfleet keeps its state (default /var/lib/gitfleet, or $GITFLEET_STATE_DIR)
  --force          replace an existing identity (every secret encrypted to the old one becomes
                   unreadable here: rekey them with 'gitfleet secret rekey')
  --repo DIR       a work tree of the fleet: write the recipient into hosts/<NAME>.yaml
  --host NAME      the host's name in the fleet (required with --repo)
  --json           print {path, recipient} as JSON

Example:
  gitfleet host keygen --state-dir /var/lib/gitfleet --repo ~/fleet --host gpu-trainer-01`;

/** `gitfleet host keygen`. */
export async function hostKeygen(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    'state-dir': { type: 'string' }, force: { type: 'boolean' }, repo: { type: 'string' }, host: { type: 'string' }, json: { type: 'boolean' },
  });
  if (positionals.length) throw new GitfleetError('E_USAGE', `unexpected argument "${positionals[0]}"`);
  if (values.repo !== undefined && !values.host) throw new GitfleetError('E_USAGE', '--repo needs --host NAME: the host document to write the recipient into');
  const host = values.host === undefined ? undefined : checkHostName(values.host);
  const dir = stateDir(values['state-dir'] === undefined ? undefined : resolve(ctx.cwd, values['state-dir']), ctx.env);
  const made = await createIdentity({ path: statePaths(dir).identity, force: Boolean(values.force), runner: execRunner });
  let hostFile: string | undefined;
  if (values.repo !== undefined && host) {
    hostFile = join(resolve(ctx.cwd, values.repo), 'hosts', `${host}.yaml`);
    const text = await readFile(hostFile, 'utf8').catch(() => { throw new GitfleetError('E_NOT_FOUND', `${hostFile} does not exist: register the host first (gitfleet host register)`); });
    await writeFileAtomic(hostFile, withRecipient(text, host, made.recipient, `hosts/${host}.yaml`));
  }
  ctx.log.info({ path: made.path, recipient: made.recipient }, 'created the host identity');
  if (values.json) {
    ctx.stdout.write(`${JSON.stringify({ path: made.path, recipient: made.recipient, hostFile: hostFile ?? null, note: made.aclNote ?? null })}\n`);
    return 0;
  }
  ctx.stdout.write(`${made.recipient}\n`);
  ctx.stderr.write(`identity written to ${made.path} (mode 0600)${hostFile ? `; recipient set in ${hostFile}` : ''}\n`);
  if (made.aclNote) ctx.stderr.write(`${made.aclNote}\n`);
  return 0;
}
