import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AnyEvent, EventPayloads, EventSink, GitfleetEvent, Topic } from './types.js';

/** Default time bound of `flush()` and `close()`. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 5_000;

export interface EventBusOptions {
  host: string;
  revision?: string | null;
  sinks: EventSink[];
  log: Logger;
  /** Injectable for tests. */
  now?: () => Date;
  /** Injectable for tests; a UUID by default. */
  newId?: () => string;
  flushTimeoutMs?: number;
}

/** State shared by a bus and every child made with withRevision(); internal. */
export interface BusCore {
  sinks: EventSink[];
  log: Logger;
  now: () => Date;
  newId: () => string;
  flushTimeoutMs: number;
  pending: Set<Promise<void>>;
  closed: boolean;
}

/** Builds events and hands them to every sink without waiting for any of them. */
export class EventBus {
  readonly host: string;
  readonly revision: string | null;
  readonly #core: BusCore;

  /** `shared` is internal: withRevision() passes its state so children share sinks and pending work. */
  constructor(opts: EventBusOptions, shared?: BusCore) {
    this.host = opts.host;
    this.revision = opts.revision ?? null;
    this.#core = shared ?? {
      sinks: [...opts.sinks],
      log: opts.log,
      now: opts.now ?? (() => new Date()),
      newId: opts.newId ?? randomUUID,
      flushTimeoutMs: opts.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS,
      pending: new Set(),
      closed: false,
    };
  }

  /** A bus for the same host and sinks whose events carry another revision. */
  withRevision(revision: string | null): EventBus {
    const core = this.#core;
    return new EventBus({ host: this.host, revision, sinks: core.sinks, log: core.log }, core);
  }

  /** Sends an event to every sink. Synchronous, never throws, never waits on a sink. */
  emit<T extends Topic>(topic: T, payload: EventPayloads[T]): void {
    const core = this.#core;
    let event: GitfleetEvent<T>;
    try {
      if (core.closed) {
        core.log.warn({ topic }, 'event emitted after the event bus was closed; dropped');
        return;
      }
      event = { id: core.newId(), topic, host: this.host, revision: this.revision, time: core.now().toISOString(), payload };
    } catch (err) {
      safeLog(core.log, { err, topic }, 'could not build event');
      return;
    }
    for (const sink of core.sinks) deliver(core, sink, event as AnyEvent);
  }

  /** Waits for the sinks' pending work, at most `timeoutMs`; resolves false when time ran out. */
  async flush(timeoutMs = this.#core.flushTimeoutMs): Promise<boolean> {
    const core = this.#core;
    const work = [...core.pending, ...core.sinks.map((s) => sinkCall(core, s, 'flush'))];
    return withTimeout(Promise.allSettled(work).then(() => true), timeoutMs, false);
  }

  /** Flushes (bounded), then closes every sink; later emits are dropped. */
  async close(timeoutMs = this.#core.flushTimeoutMs): Promise<boolean> {
    const core = this.#core;
    if (core.closed) return true;
    const flushed = await this.flush(timeoutMs);
    core.closed = true;
    await withTimeout(Promise.allSettled(core.sinks.map((s) => sinkCall(core, s, 'close'))), timeoutMs, undefined);
    return flushed;
  }
}

function deliver(core: BusCore, sink: EventSink, event: AnyEvent): void {
  try {
    const result = sink.write(event);
    if (result && typeof result.then === 'function') {
      const tracked: Promise<void> = result.then(
        () => undefined,
        (err: unknown) => safeLog(core.log, { err, sink: sink.name, topic: event.topic }, 'event sink failed'),
      ).finally(() => core.pending.delete(tracked));
      core.pending.add(tracked);
    }
  } catch (err) {
    // A broken sink must not cost the other sinks their event, nor the caller its run.
    safeLog(core.log, { err, sink: sink.name, topic: event.topic }, 'event sink failed');
  }
}

async function sinkCall(core: BusCore, sink: EventSink, what: 'flush' | 'close'): Promise<void> {
  try {
    await sink[what]?.();
  } catch (err) {
    safeLog(core.log, { err, sink: sink.name }, `event sink ${what} failed`);
  }
}

function safeLog(log: Logger, fields: object, msg: string): void {
  try {
    log.warn(fields, msg);
  } catch {
    // The logger itself failing leaves nothing better to do; emit still must not throw.
  }
}

/** Resolves with `work`'s value, or with `fallback` after `ms`. */
export function withTimeout<T, F>(work: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve) => { timer = setTimeout(() => resolve(fallback), ms); });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
