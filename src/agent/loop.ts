import { join } from 'node:path';
import type { HostStatus } from '../report/types.js';
import { publishStatus, shouldPublish, writeLocalStatus } from '../report/publish.js';
import { DEFAULT_STALE_AFTER_MS } from '../report/health.js';
import { errorMessage } from '../util/errors.js';
import { withoutCredentials } from '../util/url-credentials.js';
import { statePaths } from '../util/state-dir.js';
import { readJson } from '../apply/store.js';
import { localGitDir, watchBranchRef, type RefWatch } from '../source/watch.js';
import { reconcile, type CycleOutcome, type ReconcileContext } from './reconcile.js';
import { loadMemory, saveMemory, type AgentMemory } from './memory.js';
import { buildStatus, type AgentCounters } from './status.js';
import { agentMetrics, type AgentMetrics } from './metrics.js';
import { nextDelay, effectiveSchedule, type Schedule } from './schedule.js';
import { commitStatusReporter } from './commit-status.js';
import { serveAgentHttp } from './http.js';
import { serveWebhook, type WebhookVerdict } from './webhook.js';
import type { ListenAddress, Listening } from './listen.js';

/** How the agent runs: timing, triggers, endpoints. */
export interface AgentOptions {
  ctx: ReconcileContext;
  /** `--interval`: wins over the host's resolved `agent.interval` (host `agent:`, else fleet `defaults`, else 30s). */
  intervalMs?: number;
  /** `--drift-interval`: wins over the host's resolved `agent.driftInterval` (else 5m). */
  driftIntervalMs?: number;
  version: string;
  facts?: HostStatus['facts'];
  /** Serve /healthz, /status, /metrics here; off when undefined. */
  http?: ListenAddress;
  webhook?: { at: ListenAddress; secret: string; onVerdict?: (v: WebhookVerdict) => void };
  /** Watch a local remote's refs (default true). */
  watch?: boolean;
  /** How long shutdown waits for a cycle in progress (default 60 s). */
  shutdownWaitMs?: number;
  random?: () => number;
}

/** A running agent. */
export interface RunningAgent {
  /** Resolves when the loop has stopped. */
  done: Promise<void>;
  /** Asks for a cycle now (a trigger); a cycle in progress is followed by another. */
  wake(): void;
  /** Stops scheduling, waits (bounded) for the cycle in progress, closes triggers, endpoints and sinks. */
  stop(): Promise<void>;
  status(): HostStatus | null;
  metrics: AgentMetrics;
  /** The addresses actually bound (port 0 picks one). */
  addresses: { http?: ListenAddress; webhook?: ListenAddress };
  /** Resolves after the next cycle completes (tests). */
  nextCycle(): Promise<CycleOutcome>;
  /** The intervals in force now: the flags, else the host's settings from the last validated revision, else the defaults. */
  schedule(): Schedule;
  lastOutcome(): CycleOutcome | null;
}

/** Runs one full cycle and reports it (`--once`). */
export async function runOnce(opts: AgentOptions): Promise<CycleOutcome> {
  const agent = await startAgent({ ...opts, http: undefined, webhook: undefined, watch: false }, { once: true });
  await agent.done;
  return agent.lastOutcome() ?? { kind: 'full', result: 'error', head: null };
}

/** Starts the loop: a full cycle at once, then polling with jitter, backoff on failures, and the triggers. */
export async function startAgent(opts: AgentOptions, mode: { once?: boolean } = {}): Promise<RunningAgent> {
  const { ctx } = opts;
  const log = ctx.log.child({ host: ctx.host });
  const mem: AgentMemory = await loadMemory(ctx.stateDir);
  const metrics = agentMetrics();
  metrics.revision(mem.applied);
  const counters: AgentCounters = { version: opts.version, cycles: 0, lastCycleMs: null, lastSuccessAt: null };
  let status: HostStatus | null = null;
  // The last status of a previous run: conditions keep their `since`, and a health change across a restart is an event.
  let prevStatus: HostStatus | null = await readJson<HostStatus | null>(statePaths(ctx.stateDir).status, null).catch(() => null);
  let published: HostStatus | null = null;
  let savedMemory = '';
  let failures = 0;
  let stopping = false;
  let wakeUp: (() => void) | undefined;
  let pendingWake = false;
  let current: Promise<void> | undefined;
  let lastCycleEnd = Date.now();
  let currentStart: number | null = null;
  const schedule = (): Schedule => effectiveSchedule({ intervalMs: opts.intervalMs, driftIntervalMs: opts.driftIntervalMs }, mem.schedule);
  let delayMs = schedule().intervalMs;
  const statuses = commitStatusReporter(ctx);
  const waiters: ((o: CycleOutcome) => void)[] = [];
  let last: CycleOutcome | null = null;

  async function cycle(full: boolean): Promise<void> {
    const started = performance.now();
    currentStart = Date.now();
    let outcome: CycleOutcome;
    try {
      outcome = await reconcile(ctx, mem, { full });
    } catch (err) {
      // reconcile turns expected failures into conditions; anything else must not end the loop either. Its text may
      // name the repository URL, token and all: the log goes to journals, the status to the fleet repository.
      log.error({ err: withoutCredentials(err instanceof Error ? err.stack ?? err.message : String(err)) }, 'reconcile failed unexpectedly');
      mem.transient = { reason: 'ReconcileFailed', code: 'E_INTERNAL', message: withoutCredentials(errorMessage(err)) };
      outcome = { kind: 'full', result: 'error', head: null };
    }
    const seconds = (performance.now() - started) / 1000;
    counters.cycles++;
    counters.lastCycleMs = Math.round(seconds * 1000);
    if (outcome.result !== 'error') counters.lastSuccessAt = ctx.now().toISOString();
    failures = outcome.result === 'error' ? failures + 1 : 0;
    await report(outcome, seconds);
    currentStart = null;
    lastCycleEnd = Date.now();
    last = outcome;
    for (const w of waiters.splice(0)) w(outcome);
  }

  // The last step of the loop: status.json every cycle, the status ref on change or heartbeat, events, metrics.
  async function report(outcome: CycleOutcome, seconds: number): Promise<void> {
    const prev = status ?? prevStatus;
    status = buildStatus(ctx.host, mem, counters, ctx.now(), prev, opts.facts);
    prevStatus = null;
    metrics.cycle(outcome.result, seconds);
    if (outcome.result !== 'error') metrics.success(ctx.now());
    if (outcome.result === 'failed' && outcome.kind === 'full') metrics.applyFailed();
    metrics.drift(status.drift);
    metrics.revision(mem.applied);
    if (prev && prev.health !== status.health) {
      ctx.bus.withRevision(mem.applied).emit('infrastructure.host.status_changed', { from: prev.health, to: status.health, reason: status.conditions[0]?.reason });
    }
    try {
      await writeLocalStatus(ctx.stateDir, status);
      const text = JSON.stringify(mem);
      if (text !== savedMemory) {
        await saveMemory(ctx.stateDir, mem);
        savedMemory = text;
      }
    } catch (err) {
      log.error({ err }, 'could not write the status in the state directory');
    }
    const heartbeatMs = Math.max(1_000, Math.min((mem.identity.staleAfterMs ?? DEFAULT_STALE_AFTER_MS) / 3, 60_000));
    if (shouldPublish(published, status, heartbeatMs)) {
      try {
        await publishStatus(ctx.runner, ctx.repo, status, { workDir: join(ctx.stateDir, 'fleet-status.git'), log });
        published = status;
      } catch (err) {
        // The fleet repository may be unreachable: the next cycle publishes again.
        log.warn({ err: errorMessage(err) }, 'could not publish the status; retrying next cycle');
      }
    }
    // The rollout on the commit page (github provider only); one not accepted is sent again after the next cycle.
    await statuses.sync(mem);
  }

  async function loop(): Promise<void> {
    let first = true;
    while (!stopping) {
      const full = first || mem.lastFullAt === null || Date.now() - mem.lastFullAt >= schedule().driftIntervalMs;
      first = false;
      pendingWake = false;
      current = cycle(full);
      await current;
      current = undefined;
      if (mode.once || stopping) break;
      if (pendingWake) continue;
      delayMs = nextDelay(schedule().intervalMs, failures, opts.random);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delayMs);
        function done(): void {
          clearTimeout(timer);
          wakeUp = undefined;
          resolve();
        }
        wakeUp = done;
      });
    }
  }

  const servers: Listening[] = [];
  let watcher: RefWatch | undefined;
  const wake = (): void => {
    if (stopping) return;
    pendingWake = true;
    wakeUp?.();
  };
  const addresses: RunningAgent['addresses'] = {};
  const view = {
    status: () => status,
    metrics,
    alive(): { ok: boolean; detail: string } {
      if (stopping) return { ok: false, detail: 'shutting down' };
      const limit = 3 * Math.max(schedule().intervalMs, delayMs);
      const age = Date.now() - (currentStart ?? lastCycleEnd);
      return age <= limit
        ? { ok: true, detail: currentStart ? `cycle in progress for ${age} ms` : `last cycle ${age} ms ago` }
        : { ok: false, detail: `${currentStart ? 'cycle in progress' : 'last cycle'} ${age} ms ago, over ${limit} ms` };
    },
  };
  try {
    if (opts.http) {
      const s = await serveAgentHttp(opts.http, view);
      servers.push(s);
      addresses.http = s.address;
    }
    if (opts.webhook) {
      const s = await serveWebhook(opts.webhook.at, { secret: opts.webhook.secret, branch: ctx.branch, trigger: wake, onVerdict: (v) => { log.info({ verdict: v }, 'webhook delivery'); opts.webhook?.onVerdict?.(v); } });
      servers.push(s);
      addresses.webhook = s.address;
    }
    const gitDir = opts.watch === false ? undefined : await localGitDir(ctx.repo);
    if (gitDir) {
      watcher = watchBranchRef(gitDir, ctx.branch, wake);
      await watcher.ready;
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    await watcher?.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  const done = loop().then(() => shutdown());
  async function shutdown(): Promise<void> {
    closing ??= (async () => {
      stopping = true;
      wakeUp?.();
      await watcher?.close();
      if (current) {
        const waitMs = opts.shutdownWaitMs ?? 60_000;
        let timer: NodeJS.Timeout | undefined;
        const finished = await Promise.race([current.then(() => true), new Promise<boolean>((r) => { timer = setTimeout(() => r(false), waitMs); })]);
        clearTimeout(timer);
        if (!finished) log.warn({ waitMs }, 'the cycle in progress did not finish in time; the next start recovers it from the journal');
      }
      await Promise.all(servers.map((s) => s.close()));
      await ctx.bus.close();
    })();
    return closing;
  }
  return {
    done,
    wake,
    stop: shutdown,
    status: () => status,
    metrics,
    addresses,
    nextCycle: () => new Promise((resolve) => waiters.push(resolve)),
    lastOutcome: () => last,
    schedule,
  };
}
