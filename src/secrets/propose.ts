// Rotation and rekey as pull requests: built on the base branch's files, never carrying a value in text.
import type { Logger } from 'pino';
import type { Runner } from '../util/exec.js';
import { gitCommand } from '../source/git.js';
import { GitfleetError } from '../util/errors.js';
import type { PullRequestRef, PullRequests, PullRequestSpec } from '../propose/provider.js';
import { branchSafe, checkSecretKey } from './names.js';
import { hostSecretsContext, rekeyed, withSecret, type ReadRepoFile } from './store.js';
import { secretEntries, secretsDocument } from './secrets-doc.js';

/** Files of `origin/<base>` in a git clone (`dir`), read with `git cat-file`. */
export function gitReader(runner: Runner, dir: string, base: string): ReadRepoFile {
  return async (rel) => {
    const rev = `refs/remotes/origin/${base}`;
    const ls = await runner.run(gitCommand(['-C', dir, 'ls-tree', '--name-only', rev, '--', rel]));
    if (ls.exitCode !== 0) throw new GitfleetError('E_GIT', `cannot read ${rel} at ${rev}: ${ls.stderr.trim()}`);
    if (ls.stdout.trim() !== rel) return undefined;
    const show = await runner.run(gitCommand(['-C', dir, 'cat-file', 'blob', `${rev}:${rel}`]));
    if (show.exitCode !== 0) throw new GitfleetError('E_GIT', `cannot read ${rel} at ${rev}: ${show.stderr.trim()}`);
    return show.stdout;
  };
}

/** What a rotation or rekey proposal did. */
export interface SecretProposal {
  pr: PullRequestRef;
  created: boolean;
  updated: boolean;
  /**
   * The open proposal's branch holds someone else's commits, so the provider left it alone and nothing was
   * proposed (`created` and `updated` false): what happened and what to do about it.
   */
  modified?: string;
  keys: string[];
}

/** Opens (or updates) the PR "rotate secret KEY on HOST" with the new value encrypted; the PR text names the key only. */
export async function proposeRotation(a: { provider: PullRequests; read: ReadRepoFile; base: string; host: string; key: string; value: string; by: string; now: Date; log?: Logger }): Promise<SecretProposal> {
  checkSecretKey(a.key);
  const ctx = await hostSecretsContext(a.read, a.host);
  const current = await a.read(ctx.file);
  if (current === undefined || !secretEntries(secretsDocument(current, a.host, ctx.file)).some((e) => e.key === a.key)) {
    throw new GitfleetError('E_NOT_FOUND', `host "${a.host}" has no secret "${a.key}" on ${a.base}: use \`gitfleet secret set\` for a new secret`);
  }
  const { text } = await withSecret(ctx, current, a.key, a.value, { now: a.now.toISOString(), by: a.by });
  const spec: PullRequestSpec = {
    branch: `gitfleet/secret-${a.host}-${branchSafe(a.key)}`,
    base: a.base,
    title: `rotate secret ${a.key} on ${a.host}`,
    body: [
      `Rotates secret \`${a.key}\` of host \`${a.host}\` (requested by ${a.by}).`,
      '',
      `The new value is encrypted with age to the host's recipient${ctx.admins.length ? ` and ${ctx.admins.length} admin recipient(s)` : ''}; it appears nowhere in clear, not in this text nor in the commit.`,
      'Merging is the approval: the host materializes the new value at its next apply and the old one is gone.',
    ].join('\n'),
    labels: ['gitfleet', 'secret-rotation'],
    files: { [ctx.file]: text },
    commitMessage: `secrets: rotate ${a.key} on ${a.host}`,
  };
  const r = await a.provider.ensurePullRequest(spec);
  // The new value went nowhere: the branch keeps someone else's commits, or (GitHub) its PR a human closed.
  if (r.modified) a.log?.warn({ host: a.host, key: a.key, branch: spec.branch, reason: r.modified }, 'secret rotation branch was modified by someone else; the rotation was not proposed');
  else if (!r.created && !r.updated) a.log?.warn({ host: a.host, key: a.key, branch: spec.branch, state: r.pr.state }, 'secret rotation not pushed (a proposal closed without merge is not reopened); the rotation was not proposed');
  return { ...r, keys: [a.key] };
}

/** Opens (or updates) the PR that re-encrypts every secret of a host to a new recipient and records that recipient. */
export async function proposeRekey(a: { provider: PullRequests; read: ReadRepoFile; base: string; host: string; adminIdentity: string; recipient: string; by: string; log?: Logger }): Promise<SecretProposal> {
  const ctx = await hostSecretsContext(a.read, a.host);
  const [secrets, hostText] = await Promise.all([a.read(ctx.file), a.read(ctx.hostFile)]);
  if (secrets === undefined) throw new GitfleetError('E_NOT_FOUND', `host "${a.host}" has no ${ctx.file} on ${a.base}: nothing to rekey`);
  const out = await rekeyed(ctx, secrets, hostText!, a.adminIdentity, a.recipient);
  const spec: PullRequestSpec = {
    branch: `gitfleet/secret-rekey-${a.host}`,
    base: a.base,
    title: `rekey secrets of ${a.host}`,
    body: [
      `Re-encrypts the ${out.keys.length} secret(s) of host \`${a.host}\` (${out.keys.map((k) => `\`${k}\``).join(', ')}) to its new recipient \`${a.recipient}\` and records that recipient in \`${ctx.hostFile}\` (requested by ${a.by}).`,
      '',
      'The values are unchanged and appear nowhere in clear. Merge this once the host runs with its new identity.',
    ].join('\n'),
    labels: ['gitfleet', 'secret-rekey'],
    files: { [ctx.file]: out.secrets, [ctx.hostFile]: out.host },
    commitMessage: `secrets: rekey ${a.host} to ${a.recipient}`,
  };
  const r = await a.provider.ensurePullRequest(spec);
  // As for a rotation: the branch keeps someone else's commits, or (GitHub) its PR a human closed.
  if (r.modified) a.log?.warn({ host: a.host, branch: spec.branch, reason: r.modified }, 'secret rekey branch was modified by someone else; the rekey was not proposed');
  else if (!r.created && !r.updated) a.log?.warn({ host: a.host, branch: spec.branch, state: r.pr.state }, 'secret rekey not pushed (a proposal closed without merge is not reopened); the rekey was not proposed');
  return { ...r, keys: out.keys };
}
