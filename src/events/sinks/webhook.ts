import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { GitfleetError, errorMessage } from '../../util/errors.js';
import type { AnyEvent, EventSink } from '../types.js';
import { BoundedQueue } from './bounded-queue.js';

export const SIGNATURE_HEADER = 'X-Gitfleet-Signature';
export const EVENT_HEADER = 'X-Gitfleet-Event';
export const DELIVERY_HEADER = 'X-Gitfleet-Delivery';

export interface WebhookSinkOptions {
  url: string;
  /** Shared secret for the HMAC-SHA256 signature. */
  secret: string;
  log: Logger;
  /** Injected transport (Octokit style); the global fetch by default. */
  fetch?: typeof globalThis.fetch;
  /** Events held while the receiver is slow or down; the oldest is dropped when full. Default 1000. */
  queueSize?: number;
  /** Attempts per event, including the first. Default 6. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt, with jitter. Default 500 ms. */
  baseDelayMs?: number;
  /** Cap of the computed backoff. Default 30 s. */
  maxDelayMs?: number;
  /** Cap of a receiver's Retry-After. Default 5 min. */
  maxRetryAfterMs?: number;
  /** Time limit of one request. Default 10 s. */
  requestTimeoutMs?: number;
  /** Injectable for tests: returns [0, 1). */
  random?: () => number;
}

/** The sink's counters, for status and tests. */
export interface WebhookStats {
  queued: number;
  delivered: number;
  failed: number;
  dropped: number;
  retries: number;
}

interface Pending {
  id: string;
  topic: string;
  body: string;
}

type Outcome = { ok: true } | { ok: false; retry: boolean; retryAfterMs?: number; why: string };

/** `sha256=<hex>`: the HMAC-SHA256 of the exact body bytes with the shared secret. */
export function signBody(body: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Checks an X-Gitfleet-Signature header against the body, in constant time. */
export function verifySignature(body: string | Uint8Array, header: string | null | undefined, secret: string): boolean {
  if (typeof header !== 'string' || !/^sha256=[0-9a-fA-F]{64}$/.test(header)) return false;
  const given = Buffer.from(header.slice(7), 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A Retry-After value (seconds or an HTTP date) in milliseconds from `now`, or undefined. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A sink that POSTs each event, signed, to a URL; one sender in order, bounded queue, retries with backoff. */
export function webhookSink(opts: WebhookSinkOptions): EventSink & { stats(): WebhookStats } {
  const url = checkUrl(opts.url);
  if (!opts.secret) throw new GitfleetError('E_VALIDATION', 'webhook sink needs a non-empty shared secret');
  const doFetch = opts.fetch ?? globalThis.fetch;
  const queue = new BoundedQueue<Pending>(opts.queueSize ?? 1000);
  const maxAttempts = opts.maxAttempts ?? 6;
  const baseDelayMs = opts.baseDelayMs ?? 500;
  const maxDelayMs = opts.maxDelayMs ?? 30_000;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 300_000;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
  const random = opts.random ?? Math.random;
  const stopped = new AbortController();
  const counts = { delivered: 0, failed: 0, retries: 0 };
  const where = url.origin; // the path may hold a token: log only the origin
  let sender: Promise<void> | undefined;

  async function send(item: Pending): Promise<Outcome> {
    try {
      const res = await doFetch(url, {
        method: 'POST',
        body: item.body,
        redirect: 'manual',
        signal: AbortSignal.any([stopped.signal, AbortSignal.timeout(requestTimeoutMs)]),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'gitfleet',
          [SIGNATURE_HEADER]: signBody(item.body, opts.secret),
          [EVENT_HEADER]: item.topic,
          [DELIVERY_HEADER]: item.id,
        },
      });
      await res.arrayBuffer().catch(() => undefined); // release the connection
      if (res.status >= 200 && res.status < 300) return { ok: true };
      const retry = res.status === 429 || res.status >= 500;
      const retryAfterMs = retry ? parseRetryAfter(res.headers.get('retry-after')) : undefined;
      return { ok: false, retry, why: `HTTP ${res.status}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    } catch (err) {
      return { ok: false, retry: true, why: errorMessage(err) };
    }
  }

  async function deliver(item: Pending): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await send(item);
      if (outcome.ok) {
        counts.delivered++;
        return;
      }
      if (!outcome.retry || attempt >= maxAttempts || stopped.signal.aborted) {
        counts.failed++;
        opts.log.warn({ url: where, delivery: item.id, topic: item.topic, attempts: attempt, reason: outcome.why }, 'webhook delivery failed');
        return;
      }
      counts.retries++;
      const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)) * (0.5 + random() / 2);
      await sleep(Math.min(outcome.retryAfterMs ?? backoff, maxRetryAfterMs), stopped.signal);
    }
  }

  // The single sender: one request at a time keeps the receiver's view in emit order.
  async function run(): Promise<void> {
    for (let item = queue.shift(); item && !stopped.signal.aborted; item = queue.shift()) await deliver(item);
    sender = undefined;
  }

  return {
    name: 'webhook',
    write(event: AnyEvent) {
      if (stopped.signal.aborted) return;
      const before = queue.dropped;
      queue.push({ id: event.id, topic: event.topic, body: JSON.stringify(event) });
      if (queue.dropped > before && (before === 0 || queue.dropped % 1000 === 0)) {
        opts.log.warn({ url: where, dropped: queue.dropped, queueSize: queue.capacity }, 'webhook queue full: dropping the oldest events');
      }
      sender ??= run();
    },
    async flush() {
      while (sender) await sender;
    },
    async close() {
      stopped.abort();
      const abandoned = queue.clear();
      if (abandoned > 0) opts.log.warn({ url: where, abandoned }, 'webhook sink closed with undelivered events');
      await sender;
    },
    stats: () => ({ queued: queue.size, dropped: queue.dropped, ...counts }),
  };
}

function checkUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new GitfleetError('E_VALIDATION', `webhook URL is not a URL: "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new GitfleetError('E_VALIDATION', `webhook URL must be http(s), got "${url.protocol}"`);
  }
  return url;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
