import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CliCommand, CliContext } from './types.js';
import { EventBus } from '../events/bus.js';
import { logSink } from '../events/sinks/log.js';
import { ndjsonSink } from '../events/sinks/ndjson.js';
import { healthChanges, type HealthChange } from '../report/changes.js';
import { parseFlags } from './args.js';
import { execRunner } from '../util/exec.js';
import { GitfleetError, errorMessage } from '../util/errors.js';
import { readFleetStatus } from '../report/read.js';
import { readFleetInfo } from '../report/fleet-info.js';
import { buildFleetView, type FleetInfo, type FleetView } from '../report/view.js';
import { renderFleetTable } from '../report/render.js';
import { repoArgument } from '../report/repo.js';
import { parseDuration } from '../fleet/platform.js';

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'show every host of the fleet: revision, health, drift, last error',
  help: `Usage: gitfleet status [--repo URL|DIR] [--branch B] [--json] [--watch] [--interval 5s] [--cache-dir DIR]

Reads the status every agent publishes under refs/gitfleet/status/<host> with one fetch, joins
it with the hosts of the fleet at the branch head, and prints one line per host, by wave order
then name: OS, wave, the revision applied ("(head)" when it is the branch head, else "behind"),
health (healthy, degraded, failed, pending = never seen, offline = heartbeat older than the
fleet's staleAfter, unknown = unreadable status), drift, last error and heartbeat age.

Age is measured with this machine's clock: from the host's heartbeat, but never from later than
when this reader first saw that status (kept in the cache). A heartbeat more than 1m in the
future is the host's clock running ahead: AGE says "(clock-skew +2d)", and the host still turns
offline once its status has not changed for staleAfter. See docs/status.md.

Flags:
  --repo URL|DIR    the fleet repository (default: the current directory)
  --branch B        the tracked branch (default: main)
  --json            print the table as JSON (one document; one line per refresh with --watch)
  --watch           refresh until interrupted (Ctrl-C); redraws in place on a terminal
  --interval D      refresh period with --watch (default 5s)
  --events-file F   with --watch: append an infrastructure.host.status_changed event (NDJSON) for every
                    host whose health changes between refreshes, e.g. one turning offline
  --cache-dir DIR   the bare cache the statuses are fetched into (default: ~/.cache/gitfleet/status/…)

Exit codes: 0 ok, 1 error.

Example:
  gitfleet status --repo git@github.com:acme/fleet.git
  gitfleet status --repo ./fleet.git --watch --interval 10s`,
  async run(ctx) {
    const { values } = parseFlags(ctx.argv, {
      repo: { type: 'string', default: '.' }, branch: { type: 'string', default: 'main' }, json: { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false }, interval: { type: 'string', default: '5s' }, 'cache-dir': { type: 'string' },
      'events-file': { type: 'string' },
    }, false);
    const intervalMs = parseInterval(values.interval as string);
    const repo = repoArgument(values.repo as string, ctx.cwd);
    const cacheDir = values['cache-dir'] ? resolve(ctx.cwd, values['cache-dir'] as string) : defaultCacheDir(ctx.env, repo);
    const snapshot = fleetSnapshot(repo, values.branch as string, cacheDir, ctx.log);
    const json = values.json as boolean;
    if (!values.watch) {
      const view = await snapshot();
      ctx.stdout.write(json ? JSON.stringify(view, null, 2) + '\n' : renderFleetTable(view, { colour: colourOn(ctx) }));
      return 0;
    }
    const events = values['events-file'] ? changeEmitter(ctx, resolve(ctx.cwd, values['events-file'] as string)) : undefined;
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      let last: FleetView | undefined;
      await watch(ctx, async () => {
        const view = await snapshot();
        events?.emit(healthChanges(last, view));
        last = view;
        return json ? JSON.stringify(view) + '\n' : renderFleetTable(view, { colour: colourOn(ctx) });
      }, intervalMs, ac.signal);
    } finally {
      await events?.close();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return 0;
  },
};

/** Sends `infrastructure.host.status_changed` for each change to an NDJSON file, as the host that changed. */
function changeEmitter(ctx: CliContext, path: string) {
  const sinks = [logSink(ctx.log), ndjsonSink({ path, log: ctx.log })];
  const buses = new Map<string, EventBus>();
  return {
    emit(changes: HealthChange[]): void {
      for (const { host, ...payload } of changes) {
        let bus = buses.get(host);
        if (!bus) buses.set(host, (bus = new EventBus({ host, sinks, log: ctx.log })));
        bus.emit('infrastructure.host.status_changed', payload);
      }
    },
    async close(): Promise<void> {
      await Promise.all([...buses.values()].map((b) => b.flush()));
      await Promise.all(sinks.map((s) => s.close?.()));
    },
  };
}

/** Reads statuses and, when the branch head moved, the fleet at it; each call is one fresh view. */
function fleetSnapshot(repo: string, branch: string, cacheDir: string, log: CliContext['log']): () => Promise<FleetView> {
  let fleet: { head: string; info: FleetInfo | null } | undefined;
  return async () => {
    const read = await readFleetStatus(execRunner, repo, cacheDir, { branch, log });
    if (read.head && fleet?.head !== read.head) {
      // An unreadable fleet still leaves the published statuses worth showing.
      const info = await readFleetInfo(execRunner, cacheDir, read.head).catch(() => null);
      fleet = { head: read.head, info };
    }
    return buildFleetView(read, read.head ? fleet?.info ?? null : null, new Date());
  };
}

/** Redraws until `signal` aborts: in place on a TTY, one table after another otherwise; a failed read is shown and retried. */
async function watch(ctx: CliContext, draw: () => Promise<string>, intervalMs: number, signal: AbortSignal): Promise<void> {
  const tty = ctx.stdout.isTTY === true;
  while (!signal.aborted) {
    let text: string;
    try {
      text = await draw();
    } catch (err) {
      text = `gitfleet status: ${errorMessage(err)} (retrying every ${intervalMs / 1000}s)\n`;
    }
    if (signal.aborted) break;
    ctx.stdout.write(tty ? `\x1b[H\x1b[2J${text}` : `${text}\n`);
    await sleep(intervalMs, signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const t = setTimeout(finish, ms);
    function finish() {
      clearTimeout(t);
      signal.removeEventListener('abort', finish);
      done();
    }
    signal.addEventListener('abort', finish, { once: true });
  });
}

function parseInterval(text: string): number {
  const ms = /^(\d+(ms|s|m|h))+$/.test(text) ? parseDuration(text) : 0;
  if (ms < 10) throw new GitfleetError('E_USAGE', `--interval must be a duration like 5s or 1m, not "${text}"`);
  return ms;
}

function colourOn(ctx: CliContext): boolean {
  return ctx.stdout.isTTY === true && !ctx.env.NO_COLOR;
}

// One cache per repository, so repeated runs fetch only what changed.
function defaultCacheDir(env: NodeJS.ProcessEnv, repo: string): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'gitfleet', 'status', createHash('sha256').update(repo).digest('hex').slice(0, 16));
}
