import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { webhookSink } from '../events/sinks/webhook.js';
import type { EventSink } from '../events/types.js';
import type { CliContext } from './types.js';
import { GitfleetError } from '../util/errors.js';
import { stateDir } from '../util/state-dir.js';
import { execRunner } from '../util/exec.js';
import type { HostRunOptions } from '../apply/run.js';

/** Flags shared by plan and apply. */
export const HOST_FLAGS = {
  host: { type: 'string' },
  repo: { type: 'string' },
  rev: { type: 'string' },
  branch: { type: 'string' },
  'state-dir': { type: 'string' },
  'system-root': { type: 'string' },
  'batch-timeout': { type: 'string' },
  'event-webhook': { type: 'string' },
  'event-webhook-secret-file': { type: 'string' },
} as const;

export const HOST_FLAGS_HELP = `  --host NAME          the host to act for (required)
  --repo DIR|URL       the fleet: a folder as it is on disk, or a git repository (path or URL); default: the current directory
  --rev REV            a revision of a git repository instead of the branch head
  --branch B           the branch to follow in a git repository (default main)
  --state-dir DIR      where gitfleet keeps its state (default /var/lib/gitfleet, or $GITFLEET_STATE_DIR)
  --system-root DIR    act on apt/dnf in DIR instead of / (dpkg --root): for tests and chroots
  --batch-timeout SEC  how long one manager command may take (default 900)
  --event-webhook URL  also POST every event to URL, signed with HMAC-SHA256 (X-Gitfleet-Signature)
  --event-webhook-secret-file F   the shared secret for --event-webhook (never on the command line)`;

/** The one-host run options from parsed flags. */
export function hostRunOptions(ctx: CliContext, values: Record<string, unknown>): HostRunOptions {
  const host = values.host as string | undefined;
  if (!host) throw new GitfleetError('E_USAGE', '--host NAME is required');
  const timeout = values['batch-timeout'] === undefined ? undefined : Number(values['batch-timeout']);
  if (timeout !== undefined && !(timeout > 0)) throw new GitfleetError('E_USAGE', '--batch-timeout takes a number of seconds');
  return {
    host,
    repo: resolveRepo(ctx.cwd, (values.repo as string | undefined) ?? '.'),
    rev: values.rev as string | undefined,
    branch: values.branch as string | undefined,
    stateDir: stateDir(values['state-dir'] === undefined ? undefined : resolve(ctx.cwd, values['state-dir'] as string), ctx.env),
    systemRoot: values['system-root'] === undefined ? undefined : resolve(ctx.cwd, values['system-root'] as string),
    batchTimeoutMs: timeout === undefined ? undefined : timeout * 1000,
    runner: execRunner,
    log: ctx.log,
    env: managerEnv(ctx.env),
    extraSinks: webhookSinks(ctx, values),
  };
}

/** The signed webhook event sink when asked for; the secret comes from a file, never from an argument. */
function webhookSinks(ctx: CliContext, values: Record<string, unknown>): EventSink[] {
  const url = values['event-webhook'] as string | undefined;
  if (!url) return [];
  const file = values['event-webhook-secret-file'] as string | undefined;
  if (!file) throw new GitfleetError('E_USAGE', '--event-webhook needs --event-webhook-secret-file with the shared secret');
  const secret = readFileSync(resolve(ctx.cwd, file), 'utf8').trim();
  return [webhookSink({ url, secret, log: ctx.log })];
}

function resolveRepo(cwd: string, repo: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\\]+@[^:]+:/.test(repo) ? repo : resolve(cwd, repo);
}

/** Settings passed to package managers: a user's pip config must not change what gitfleet installs. */
function managerEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return {
    PIP_CONFIG_FILE: env.GITFLEET_PIP_CONFIG_FILE ?? '/dev/null',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_FIND_LINKS: '',
    PIP_NO_INPUT: '1',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}
