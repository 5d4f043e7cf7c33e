import { resolve } from 'node:path';
import type { CliCommand, CliContext } from './types.js';
import { parseFlags } from './args.js';
import { execRunner } from '../util/exec.js';
import { GitfleetError } from '../util/errors.js';
import { withoutCredentials } from '../util/url-credentials.js';
import { stateDir as defaultStateDir } from '../util/state-dir.js';
import { checkHostName, checkSecretKey } from '../secrets/names.js';
import { diskReader, hostSecretsContext, listSecrets, setSecret } from '../secrets/store.js';
import { generateValue, readValue, type Charset, type Input } from '../secrets/input.js';
import { readIdentity } from '../secrets/identity.js';
import { proposeRekey, proposeRotation, type SecretProposal } from '../secrets/propose.js';
import { actor, adminReporting, gitProposalSetup, providerKind, type ProposalSetup } from '../secrets/provider-setup.js';
import { githubProposalSetup } from '../secrets/github-setup.js';
import type { SecretProposedPayload } from '../events/types.js';

const HELP = `Usage: gitfleet secret <set|list|rotate|rekey> --host NAME [flags]

Per-host secrets live in secrets/<NAME>.yaml, each value encrypted with age to the host's
recipient (hosts/<NAME>.yaml) and the fleet's admin recipients (fleet.yaml \`recipients\`).
Values are read from stdin, or from a prompt with echo off on a terminal — never from an argument —
and are never printed.

  set KEY      encrypt a value into the work tree's secrets/<NAME>.yaml (commit it yourself)
  list         keys with created/rotated/by; never values
  rotate KEY   open a pull request "rotate secret KEY on NAME" with a new value (or update the open one;
               one that someone else committed to is left alone: nothing is proposed and the exit code is 1)
  rekey        open a pull request re-encrypting every secret of NAME to --recipient
               (decrypting them with an admin identity, --identity FILE); as with rotate, one that someone
               else committed to is left alone: nothing is proposed and the exit code is 1

Flags:
  --host NAME           the host (required)
  --repo DIR            the fleet work tree (default: the current directory)
  --json                list: print JSON
  --generate LEN        rotate/set: generate a random value of LEN characters instead of reading one
  --charset C           alnum (default), hex or base64url for --generate
  --provider P          rotate/rekey: git or github (default: the fleet's \`provider\`, else git); github
                        opens a pull request on fleet.yaml's \`provider.github\` {owner, repo, baseUrl}
  --github-token-file F rotate/rekey with github: read the token from F (default: $GITHUB_TOKEN)
  --remote URL          rotate/rekey: the repository to push to (default: the work tree's origin)
  --branch B            rotate/rekey: the base branch (default: fleet.yaml \`branch\`, else main)
  --recipient AGE1...   rekey: the host's new recipient
  --identity FILE       rekey: an admin age identity file
  --state-dir DIR       also append an audit line and the event (infrastructure.secret.proposed: the new
                        value is not in effect until the host materializes it) to DIR's audit.jsonl and
                        events.ndjson; rotate/rekey keep their clone there (default: in .git/gitfleet)

Examples:
  printf %s "$DB_PASSWORD" | gitfleet secret set --host gpu-trainer-01 DB_PASSWORD
  gitfleet secret list --host gpu-trainer-01 --json
  gitfleet secret rotate --host gpu-trainer-01 API_TOKEN --generate 40
  GITHUB_TOKEN=... gitfleet secret rotate --host gpu-trainer-01 API_TOKEN --provider github < new-token.txt
  gitfleet secret rekey --host gpu-trainer-01 --recipient age1... --identity ~/.config/age/admin.txt`;

/** `gitfleet secret set|list|rotate|rekey`. */
export const secretCommand: CliCommand = {
  name: 'secret',
  summary: "per-host secrets encrypted with age: set, list, rotate (PR), rekey (PR)",
  help: HELP,
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.argv, {
      host: { type: 'string' }, repo: { type: 'string' }, json: { type: 'boolean' }, generate: { type: 'string' },
      charset: { type: 'string' }, provider: { type: 'string' }, remote: { type: 'string' }, branch: { type: 'string' },
      recipient: { type: 'string' }, identity: { type: 'string' }, 'state-dir': { type: 'string' }, 'github-token-file': { type: 'string' },
    });
    const [sub, ...args] = positionals;
    if (!values.host) throw new GitfleetError('E_USAGE', '--host NAME is required');
    const host = checkHostName(values.host);
    const repoDir = resolve(ctx.cwd, values.repo ?? '.');
    const stateDir = values['state-dir'] !== undefined || ctx.env.GITFLEET_STATE_DIR ? defaultStateDir(values['state-dir'] === undefined ? undefined : resolve(ctx.cwd, values['state-dir']), ctx.env) : undefined;
    const want = (n: number, usage: string) => { if (args.length !== n) throw new GitfleetError('E_USAGE', `usage: gitfleet secret ${usage}${args.length > n ? ` (a value is never an argument: pipe it on stdin)` : ''}`); };
    switch (sub) {
      case 'list': {
        want(0, 'list --host NAME');
        const list = await listSecrets(diskReader(repoDir), host);
        if (values.json) ctx.stdout.write(`${JSON.stringify({ host, secrets: list }, null, 2)}\n`);
        else if (!list.length) ctx.stdout.write(`host ${host} has no secrets\n`);
        else for (const s of list) ctx.stdout.write(`${s.key}\tcreated ${s.created ?? '-'}\trotated ${s.rotated ?? '-'}\tby ${s.by ?? '-'}\n`);
        return 0;
      }
      case 'set': {
        want(1, 'set --host NAME KEY');
        const key = checkSecretKey(args[0]!);
        const secretCtx = await hostSecretsContext(diskReader(repoDir), host);
        const value = await valueFrom(ctx, values, key);
        const by = await actor(execRunner, repoDir, ctx.env);
        const r = await setSecret(repoDir, secretCtx, key, value, { now: new Date().toISOString(), by });
        // Only written into the work tree: not in effect anywhere yet, so a proposal, not a rotation.
        await report(ctx, host, stateDir, r.created ? 'secret.set' : 'secret.changed', { key, change: r.created ? 'create' : 'rotate' }, by);
        ctx.stdout.write(`${r.created ? 'added' : 'changed'} ${key} in ${r.file} (encrypted to ${secretCtx.recipients.length} recipient(s)); commit it to apply\n`);
        return 0;
      }
      case 'rotate': {
        want(1, 'rotate --host NAME KEY');
        const key = checkSecretKey(args[0]!);
        const setup = await proposalSetup(ctx, values, repoDir, stateDir);
        const value = await valueFrom(ctx, values, key);
        const by = await actor(execRunner, repoDir, ctx.env);
        const r = await proposeRotation({ ...setup, host, key, value, by, now: new Date(), log: ctx.log });
        // A new value is encrypted afresh (age is randomized), so a rotation that pushed nothing proposed nothing.
        if (r.modified || !(r.created || r.updated)) return notProposed(ctx, 'rotate', host, stateDir, r, by);
        // The host reports `infrastructure.secret.rotated` itself once the merged value is materialized.
        await report(ctx, host, stateDir, 'secret.rotation-proposed', { key, change: 'rotate', branch: r.pr.branch, ...(r.pr.url ? { url: withoutCredentials(r.pr.url) } : {}) }, by);
        printProposal(ctx, r);
        return 0;
      }
      case 'rekey': {
        want(0, 'rekey --host NAME --recipient AGE1... --identity FILE');
        if (!values.recipient || !values.identity) throw new GitfleetError('E_USAGE', 'rekey needs --recipient (the host\'s new recipient) and --identity (an admin identity file)');
        const identity = await readIdentity(resolve(ctx.cwd, values.identity));
        const setup = await proposalSetup(ctx, values, repoDir, stateDir);
        const by = await actor(execRunner, repoDir, ctx.env);
        const r = await proposeRekey({ ...setup, host, adminIdentity: identity, recipient: values.recipient, by, log: ctx.log });
        // Re-encryption is randomized too: a rekey that pushed nothing proposed nothing.
        if (r.modified || !(r.created || r.updated)) return notProposed(ctx, 'rekey', host, stateDir, r, by);
        const rep = await adminReporting(host, ctx.log, stateDir);
        try { await rep.audit?.append('secret.rekey-proposed', { host, keys: r.keys, branch: r.pr.branch, by }); } finally { await rep.close(); }
        printProposal(ctx, r);
        return 0;
      }
      default:
        throw new GitfleetError('E_USAGE', sub === undefined ? 'missing subcommand: set, list, rotate or rekey' : `unknown subcommand "${sub}": set, list, rotate or rekey`);
    }
  },
};

async function valueFrom(ctx: CliContext, values: { generate?: string; charset?: string }, key: string): Promise<string> {
  if (values.generate !== undefined) {
    const charset = values.charset ?? 'alnum';
    if (charset !== 'alnum' && charset !== 'hex' && charset !== 'base64url') throw new GitfleetError('E_USAGE', `--charset takes alnum, hex or base64url, not "${charset}"`);
    return generateValue(Number(values.generate), charset satisfies Charset);
  }
  // The CLI context has no stdin of its own; tests pass one beside the other streams.
  const stdin = (ctx as CliContext & { stdin?: Input }).stdin ?? process.stdin;
  return readValue(stdin, ctx.stderr, `value for ${key}`);
}

async function proposalSetup(ctx: CliContext, values: { provider?: string; remote?: string; branch?: string; 'github-token-file'?: string }, repoDir: string, stateDir: string | undefined): Promise<ProposalSetup> {
  const kind = await providerKind(repoDir, values.provider);
  if (kind === 'github') {
    const tokenFile = values['github-token-file'] === undefined ? undefined : resolve(ctx.cwd, values['github-token-file']);
    return githubProposalSetup({ runner: execRunner, repoDir, stateDir, remote: values.remote, base: values.branch, env: ctx.env, tokenFile, log: ctx.log });
  }
  if (values['github-token-file'] !== undefined) throw new GitfleetError('E_USAGE', '--github-token-file is for the github provider (--provider github, or `provider: {github: ...}` in fleet.yaml)');
  return gitProposalSetup({ runner: execRunner, repoDir, stateDir, remote: values.remote, base: values.branch });
}

/** `infrastructure.secret.proposed` (key only) to the log and, with a state dir, events.ndjson; an audit line there too. */
async function report(ctx: CliContext, host: string, stateDir: string | undefined, type: string, proposed: SecretProposedPayload, by: string): Promise<void> {
  const rep = await adminReporting(host, ctx.log, stateDir);
  try {
    rep.bus.emit('infrastructure.secret.proposed', proposed);
    await rep.audit?.append(type, { host, key: proposed.key, by, ...(proposed.branch ? { branch: proposed.branch } : {}) });
  } finally {
    await rep.close();
  }
}

/**
 * Nothing was pushed: the rotation (or rekey) branch holds someone else's commits (`modified`: theirs, never
 * force-pushed over), or on GitHub its pull request was closed without merge (not reopened). No event, and exit
 * 1: unlike an unattended Renovate run, which just skips such a branch and looks again next run, `secret rotate`
 * is one request with one new value that now exists nowhere in the repo, and a script that already set that value
 * on the service side (`… && gitfleet secret rotate`) must not read success (Flux, too, reports a reconcile that
 * could not do what it was asked as Ready=False, not as done); a rekey not proposed leaves the host's new
 * identity unable to read its secrets. The proposal logged the warning; an audit line records the decision.
 */
async function notProposed(ctx: CliContext, op: 'rotate' | 'rekey', host: string, stateDir: string | undefined, r: SecretProposal, by: string): Promise<number> {
  const url = r.pr.url ? withoutCredentials(r.pr.url) : undefined;
  const what = op === 'rotate' ? 'rotation' : 'rekey';
  const [label, reason] = r.modified
    ? ['left alone (modified by someone else)', r.modified]
    : r.pr.state === 'closed'
      ? ['left alone (closed without merge)', `the proposal ${url ?? r.pr.branch} was closed without merge and gitfleet does not reopen it. Delete the branch ${r.pr.branch} to propose this ${what} again`]
      : ['unchanged', `nothing was pushed to ${r.pr.branch}`];
  if (stateDir) {
    const rep = await adminReporting(host, ctx.log, stateDir);
    const data = op === 'rotate' ? { host, key: r.keys.join(','), by, branch: r.pr.branch, reason } : { host, keys: r.keys, by, branch: r.pr.branch, reason };
    try { await rep.audit?.append(`secret.${what}-not-proposed`, data); } finally { await rep.close(); }
  }
  ctx.stdout.write(`${label}: proposal ${r.pr.branch}${url ? ` (${url})` : ''}: ${r.keys.join(', ')} NOT ${op === 'rotate' ? 'rotated' : 'rekeyed'}\n`);
  const after = op === 'rotate' ? 'The new value was not stored anywhere' : `The secrets and the recipient in hosts/${host}.yaml stay as they are on the base branch`;
  ctx.stderr.write(`gitfleet secret ${op}: the ${what} of ${r.keys.join(', ')} on ${host} was NOT proposed: ${reason}. ${after}\n`);
  return 1;
}

function printProposal(ctx: CliContext, r: SecretProposal): void {
  const what = r.created ? 'opened' : r.updated ? 'updated' : 'unchanged';
  ctx.stdout.write(`${what} proposal ${r.pr.branch}${r.pr.url ? ` (${r.pr.url})` : ''}: ${r.keys.join(', ')}\n`);
}
