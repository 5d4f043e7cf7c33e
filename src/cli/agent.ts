import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliCommand } from './types.js';
import { parseFlags } from './args.js';
import { HOST_FLAGS, hostRunOptions } from './host-flags.js';
import { GitfleetError } from '../util/errors.js';
import { statePaths } from '../util/state-dir.js';
import { EventBus } from '../events/bus.js';
import { logSink } from '../events/sinks/log.js';
import { ndjsonSink } from '../events/sinks/ndjson.js';
import { collectFacts } from '../host/facts.js';
import { deriveCapabilities } from '../host/capabilities.js';
import { durationFlag } from '../agent/schedule.js';
import { parseListen } from '../agent/listen.js';
import { factsSummary } from '../agent/status.js';
import { runOnce, startAgent, type AgentOptions } from '../agent/loop.js';
import type { CycleOutcome } from '../agent/reconcile.js';

const { rev: _rev, ...AGENT_HOST_FLAGS } = HOST_FLAGS;

export const agentCommand: CliCommand = {
  name: 'agent',
  summary: 'the reconciler service: follow the fleet repository, apply, report status',
  help: `Usage: gitfleet agent --repo URL --host NAME [--branch B] [--interval 30s] [--drift-interval 5m]
                      [--state-dir DIR] [--once] [--http 127.0.0.1:9464 | --no-http]
                      [--webhook-listen 127.0.0.1:PORT --webhook-secret-file F]
                      [--require-signed --allowed-signers FILE] [--allow-force-push]
                      [--github-token-file F]

Runs the loop of DESIGN.md §1 on this host: source → validate → resolve → gate (rollout waves,
maintenance windows) → observe/plan → apply → verify health → report. A cycle in which the branch
head has not moved costs one 'git ls-remote'; every --drift-interval a full cycle observes the host
and repairs drift (policy drift: enforce), or reports it (report) or leaves it for a pull request
(propose). An invalid revision is never applied: the host stays on its last good revision and
reports 'degraded'. In drift mode propose, drift becomes a proposal that adopts what the host has
(a branch gitfleet/drift-<host>-<hash>, or a pull request with the github provider of fleet.yaml),
once per distinct drift. With the github provider and a token, the agent sets the commit status
gitfleet/<host> on the revision it handles (pending while a wave or window holds it, success when
applied healthy, failure after a failed apply or rollback). A head that does not descend from the
applied revision (a force-push) is not followed unless --allow-force-push. Intervals have ±10%
jitter; failures back off exponentially (×2, at most 10 minutes). Status goes to STATE/status.json
every cycle and to the ref refs/gitfleet/status/<host> of the fleet repository on change and as a
heartbeat.

Triggers besides polling: a watch on the refs of a remote that is a local path (sub-second), and
GitHub push webhooks (HMAC-SHA256 X-Hub-Signature-256 with the shared secret; anything unsigned,
badly signed, malformed or not a push is refused and triggers nothing).

SIGTERM/SIGINT: stop scheduling, let a cycle in progress finish (at most 60 s), release the lock,
flush event sinks, exit 0.

Flags:
  --repo URL|PATH            the fleet repository: a path, file://, git://, https:// or ssh:// (required)
  --host NAME                the host to act for (required)
  --branch B                 the branch to follow (default main)
  --state-dir DIR            where gitfleet keeps its state (default /var/lib/gitfleet, or $GITFLEET_STATE_DIR)
  --interval D               how often to compare the remote head (500ms, 30s, 5m, 1h; default: the host's
                             agent.interval, else fleet.yaml defaults.interval, else 30s)
  --drift-interval D         how often to observe the host when nothing changed (default: the host's
                             agent.driftInterval, else defaults.driftInterval, else 5m)
  --once                     run one full cycle and exit (see exit codes)
  --json                     with --once: print the status document
  --http HOST:PORT           serve /healthz, /status, /metrics here (default 127.0.0.1:9464; loopback only)
  --no-http                  serve nothing
  --webhook-listen HOST:PORT listen for GitHub push webhooks here (loopback; put a proxy in front)
  --webhook-secret-file F    the webhook's shared secret (required with --webhook-listen)
  --require-signed           follow only heads whose commit signature verifies (git verify-commit; the
                             head only, as Flux's verify.mode HEAD: the commits under it are trusted through it)
  --allowed-signers FILE     SSH allowed-signers file of trusted keys (the agent's own, never the repo's)
  --gpg-home DIR             a GnuPG home whose keyring holds trusted OpenPGP keys
  --allow-force-push         follow a head that rewrote history behind the applied revision
  --github-token-file F      a GitHub token for proposals and commit statuses (read at each use; default $GITHUB_TOKEN)
  --system-root DIR          act on apt/dnf in DIR instead of / (tests and chroots)
  --batch-timeout SEC        how long one manager command may take (default 900)
  --event-webhook URL        also POST every event to URL, signed with HMAC-SHA256 (X-Gitfleet-Signature)
  --event-webhook-secret-file F   the shared secret for --event-webhook (never on the command line)

Exit codes (--once): 0 healthy or nothing to do, 1 error, invalid revision or failed apply,
3 gated (waiting for an earlier rollout wave or a maintenance window). Without --once: 0 after a
clean shutdown.

Examples:
  gitfleet agent --repo https://git.example.com/fleet.git --host gpu-trainer-01
  gitfleet agent --once --repo .gitfleet-state/fleet.git --host demo --state-dir .gitfleet-state --no-http`,
  async run(ctx) {
    const { values } = parseFlags(ctx.argv, {
      ...AGENT_HOST_FLAGS, interval: { type: 'string' }, 'drift-interval': { type: 'string' }, once: { type: 'boolean' }, json: { type: 'boolean' },
      http: { type: 'string' }, 'no-http': { type: 'boolean' }, 'webhook-listen': { type: 'string' }, 'webhook-secret-file': { type: 'string' },
      'require-signed': { type: 'boolean' }, 'allowed-signers': { type: 'string' }, 'gpg-home': { type: 'string' }, 'allow-force-push': { type: 'boolean' },
      'github-token-file': { type: 'string' },
    }, false);
    if (!values.repo) throw new GitfleetError('E_USAGE', '--repo URL|PATH is required');
    const hostRun = hostRunOptions(ctx, values);
    // Without the flags the host's resolved agent settings apply (re-read at every validated revision).
    const intervalMs = values.interval === undefined ? undefined : durationFlag('interval', values.interval);
    const driftIntervalMs = values['drift-interval'] === undefined ? undefined : durationFlag('drift-interval', values['drift-interval']);
    const tokenFile = values['github-token-file'] === undefined ? undefined : resolve(ctx.cwd, values['github-token-file']);
    if (tokenFile && !(await readToken(tokenFile))) throw new GitfleetError('E_USAGE', `the GitHub token file ${tokenFile} is missing, unreadable or empty`);
    if (values.http !== undefined && values['no-http']) throw new GitfleetError('E_USAGE', '--http and --no-http exclude each other');
    const http = values['no-http'] ? undefined : parseListen('http', values.http ?? '127.0.0.1:9464');
    const webhook = await webhookOptions(ctx.cwd, values['webhook-listen'], values['webhook-secret-file']);
    const trust = signerTrust(ctx.cwd, values);
    const paths = statePaths(hostRun.stateDir);
    // Signals are caught from the start: a SIGTERM while facts are collected or the first cycle runs still ends cleanly.
    let stopRequested = false;
    let stop: (() => void) | undefined;
    const onSignal = (s: NodeJS.Signals): void => {
      ctx.log.info({ signal: s }, 'stopping: letting the cycle in progress finish');
      stopRequested = true;
      stop?.();
    };
    // With --once too: a SIGTERM (a timeout, a cron job) lets the cycle finish its batches instead of dying mid-apply.
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    try {
      const facts = await collectFacts({ runner: hostRun.runner, env: ctx.env });
      hostRun.capabilities = deriveCapabilities(facts);
      // An agent does not wait for a human's `gitfleet apply`: it retries at the next cycle.
      hostRun.lockWaitMs = 0;
      const bus = new EventBus({ host: hostRun.host, sinks: [logSink(ctx.log), ndjsonSink({ path: paths.events, log: ctx.log })], log: ctx.log });
      const opts: AgentOptions = {
        ctx: {
          repo: hostRun.repo, branch: hostRun.branch ?? 'main', host: hostRun.host, stateDir: hostRun.stateDir, runner: hostRun.runner, log: ctx.log, bus,
          hostRun, allowForcePush: Boolean(values['allow-force-push']), ...(trust ? { trust } : {}), now: () => new Date(),
          provider: { env: ctx.env, ...(tokenFile ? { githubToken: () => readToken(tokenFile) } : {}) },
        },
        ...(intervalMs ? { intervalMs } : {}), ...(driftIntervalMs ? { driftIntervalMs } : {}), version: await version(), facts: factsSummary(facts), http, webhook,
      };
      if (values.once) {
        const outcome = await runOnce(opts);
        const status = JSON.parse(await readFile(paths.status, 'utf8')) as { health: string; revision: { applied: string | null }; conditions: { reason: string; message: string }[] };
        if (values.json) ctx.stdout.write(JSON.stringify(status, null, 2) + '\n');
        else ctx.stdout.write(`${hostRun.host}: ${status.health} at ${status.revision.applied?.slice(0, 12) ?? 'no revision'} — ${status.conditions[0]?.reason ?? ''}: ${status.conditions[0]?.message ?? ''}\n`);
        return onceExitCode(outcome);
      }
      if (stopRequested) {
        await bus.close();
        return 0;
      }
      const agent = await startAgent(opts);
      ctx.log.info({ http: agent.addresses.http, webhook: agent.addresses.webhook, ...agent.schedule() }, 'agent started');
      await new Promise<void>((resolveStop) => {
        stop = resolveStop;
        if (stopRequested) resolveStop();
        void agent.done.then(() => resolveStop());
      });
      await agent.stop();
      return 0;
    } finally {
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
    }
  },
};

/** 0 ok or nothing to do, 3 gated, 1 anything else. */
export function onceExitCode(o: CycleOutcome): number {
  if (o.result === 'ok' || o.result === 'noop') return 0;
  if (o.result === 'gated') return 3;
  return 1;
}

async function webhookOptions(cwd: string, listenAt: string | undefined, secretFile: string | undefined): Promise<AgentOptions['webhook']> {
  if (!listenAt) {
    if (secretFile) throw new GitfleetError('E_USAGE', '--webhook-secret-file needs --webhook-listen');
    return undefined;
  }
  if (!secretFile) throw new GitfleetError('E_USAGE', '--webhook-listen needs --webhook-secret-file: unsigned webhooks are never accepted');
  const secret = (await readFile(resolve(cwd, secretFile), 'utf8')).replace(/\r?\n$/, '');
  if (!secret) throw new GitfleetError('E_USAGE', `the webhook secret file ${secretFile} is empty`);
  return { at: parseListen('webhook-listen', listenAt), secret };
}

function signerTrust(cwd: string, values: Record<string, unknown>): { allowedSigners?: string; gpgHome?: string } | undefined {
  const signers = values['allowed-signers'] as string | undefined;
  const gpgHome = values['gpg-home'] as string | undefined;
  if (!values['require-signed']) {
    if (signers || gpgHome) throw new GitfleetError('E_USAGE', '--allowed-signers and --gpg-home take effect only with --require-signed');
    return undefined;
  }
  if (!signers && !gpgHome) throw new GitfleetError('E_USAGE', '--require-signed needs --allowed-signers FILE (or --gpg-home DIR)');
  return { ...(signers ? { allowedSigners: resolve(cwd, signers) } : {}), ...(gpgHome ? { gpgHome: resolve(cwd, gpgHome) } : {}) };
}

/** The token file's first line, read at each use (a rotated token is picked up); unreadable or empty is undefined. */
async function readToken(file: string): Promise<string | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split(/\r?\n/)[0]?.trim() || undefined;
}

async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
