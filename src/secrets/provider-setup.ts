// The pieces `secret rotate|rekey` needs around a provider: where the clone lives, who is acting, events.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { Logger } from 'pino';
import type { Runner } from '../util/exec.js';
import { GitfleetError } from '../util/errors.js';
import { git } from '../source/git.js';
import { statePaths } from '../util/state-dir.js';
import { EventBus } from '../events/bus.js';
import { AuditLog } from '../events/audit.js';
import { logSink } from '../events/sinks/log.js';
import { ndjsonSink } from '../events/sinks/ndjson.js';
import type { PullRequests } from '../propose/provider.js';
import { gitReader } from './propose.js';
import { diskReader, type ReadRepoFile } from './store.js';

/** A provider ready for one proposal, and a reader of the base branch it builds on. */
export interface ProposalSetup {
  provider: PullRequests;
  read: ReadRepoFile;
  base: string;
}

/** Which provider the fleet names (`provider: {git: {}}` or `{github: ...}`), unless a flag overrides it. */
export async function providerKind(repoDir: string, flag: string | undefined): Promise<'git' | 'github'> {
  if (flag !== undefined) {
    if (flag !== 'git' && flag !== 'github') throw new GitfleetError('E_USAGE', `--provider takes git or github, not "${flag}"`);
    return flag;
  }
  const text = await diskReader(repoDir)('fleet.yaml');
  const p = text === undefined ? undefined : (parse(text) as { provider?: Record<string, unknown> } | null)?.provider;
  return p && 'github' in p ? 'github' : 'git';
}

/**
 * The git provider over a clone kept in `<state>/proposals-workspace` (with --state-dir) or else in the
 * work tree's git folder (`.git/gitfleet/`), pushing to `remote` (default: the work tree's origin).
 */
export async function gitProposalSetup(a: { runner: Runner; repoDir: string; stateDir?: string; remote?: string; base?: string }): Promise<ProposalSetup> {
  const repoDir = resolve(a.repoDir);
  const remote = a.remote ?? await git(a.runner, ['-C', repoDir, 'remote', 'get-url', 'origin']);
  const fleet = await diskReader(repoDir)('fleet.yaml');
  const base = a.base ?? (((fleet === undefined ? undefined : (parse(fleet) as { branch?: string } | null)?.branch)) ?? 'main');
  const home = a.stateDir ?? join(await git(a.runner, ['-C', repoDir, 'rev-parse', '--absolute-git-dir']), 'gitfleet');
  // Loaded when used: the provider module pulls in the fleet loader and validator.
  const { openWorkspace } = await import('../propose/workspace.js');
  const { ProposalStore } = await import('../propose/state.js');
  const { gitProvider } = await import('../propose/providers/git.js');
  const ws = await openWorkspace(a.runner, remote, join(home, a.stateDir ? 'proposals-workspace' : 'workspace'), base);
  const store = await ProposalStore.open(home);
  return { provider: gitProvider({ runner: a.runner, ws, store }), read: gitReader(a.runner, ws.dir, base), base };
}

/** Who is acting: `git config user.email` of the work tree, else $USER. */
export async function actor(runner: Runner, repoDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  // Read with the user's own git config (that is where user.email lives), so not through the config-free helper.
  const r = await runner.run({ file: 'git', args: ['-C', repoDir, 'config', '--get', 'user.email'], timeoutMs: 10_000 }).catch(() => undefined);
  const email = r?.exitCode === 0 ? r.stdout.trim() : '';
  return email || env.USER || env.USERNAME || 'unknown';
}

/** Events and audit for admin commands: the log always; with a state dir also its events.ndjson and audit log. */
export async function adminReporting(host: string, log: Logger, stateDir: string | undefined): Promise<{ bus: EventBus; audit?: AuditLog; close(): Promise<void> }> {
  const paths = stateDir ? statePaths(stateDir) : undefined;
  // `secret set --state-dir DIR` on an admin machine: DIR is often new; without it the audit open fails after the change was made.
  if (stateDir) await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const bus = new EventBus({ host, log, sinks: [logSink(log), ...(paths ? [ndjsonSink({ path: paths.events, log })] : [])] });
  const audit = paths ? await AuditLog.open(paths.audit) : undefined;
  return { bus, audit, async close() { await bus.close(); await audit?.close(); } };
}
