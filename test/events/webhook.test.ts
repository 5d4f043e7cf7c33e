// The webhook sink against a real node:http server on 127.0.0.1.
import { createHmac } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.js';
import { BoundedQueue } from '../../src/events/sinks/bounded-queue.js';
import { parseRetryAfter, signBody, verifySignature, webhookSink, type WebhookSinkOptions } from '../../src/events/sinks/webhook.js';
import type { GitfleetEvent } from '../../src/events/types.js';
import { memoryLogger, startServer, type Received } from './helpers.js';

const SECRET = 'shh-test-secret';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

function reply(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers).end(status < 300 ? 'ok' : 'no');
}

/** A server answering request i with statuses[i] (then 200), a sink and a bus on it. */
async function setup(answer: (r: Received, i: number, res: ServerResponse) => void, opts: Partial<WebhookSinkOptions> = {}) {
  const server = await startServer(answer);
  const { log, lines } = memoryLogger();
  const sink = webhookSink({ url: server.url, secret: SECRET, log, baseDelayMs: 5, ...opts });
  const bus = new EventBus({ host: 'web-1', revision: 'rev1', sinks: [sink], log, flushTimeoutMs: 20_000 });
  cleanups.push(server.close, async () => { await sink.close?.(); });
  return { server, sink, bus, lines };
}

const statuses = (list: number[], headers: Record<number, Record<string, string>> = {}) =>
  (_r: Received, i: number, res: ServerResponse) => reply(res, list[i] ?? 200, headers[i]);

const packagesOf = (r: Received) => (JSON.parse(r.body) as GitfleetEvent<'infrastructure.update.proposed'>).payload.packages;

describe('webhook sink', () => {
  it('signs the exact body; verifySignature and an independent HMAC agree', async () => {
    const { server, bus, sink } = await setup(statuses([]));
    bus.emit('infrastructure.update.completed', { actions: 2, changed: [{ target: 'sys', manager: 'apt', name: 'curl', from: '7.1', to: '7.2' }], durationMs: 1234 });
    await bus.flush();
    expect(server.received).toHaveLength(1);
    const { headers, body } = server.received[0]!;
    const event = JSON.parse(body) as GitfleetEvent;
    expect(event).toMatchObject({ topic: 'infrastructure.update.completed', host: 'web-1', revision: 'rev1', payload: { actions: 2 } });
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-gitfleet-event']).toBe('infrastructure.update.completed');
    expect(headers['x-gitfleet-delivery']).toBe(event.id);
    const sig = headers['x-gitfleet-signature'] as string;
    expect(sig).toBe(`sha256=${createHmac('sha256', SECRET).update(Buffer.from(body, 'utf8')).digest('hex')}`);
    expect(verifySignature(body, sig, SECRET)).toBe(true);
    expect(verifySignature(Buffer.from(body), sig, SECRET)).toBe(true);
    expect(verifySignature(body, sig, 'other-secret')).toBe(false);
    expect(verifySignature(body.replace('"actions":2', '"actions":3'), sig, SECRET)).toBe(false);
    expect(sink.stats()).toMatchObject({ delivered: 1, failed: 0, retries: 0, dropped: 0 });
  });

  it.each([
    [undefined], [''], ['sha256='], ['sha1=' + 'a'.repeat(40)], ['sha256=' + 'z'.repeat(64)], ['sha256=' + 'a'.repeat(63)],
  ])('verifySignature rejects a malformed header %j', (header) => {
    expect(verifySignature('{}', header, SECRET)).toBe(false);
  });

  it('signBody matches the documented format', () => {
    expect(signBody('{"a":1}', 'k')).toBe(`sha256=${createHmac('sha256', 'k').update('{"a":1}').digest('hex')}`);
  });

  it('retries on 500 with the same delivery, then succeeds', async () => {
    const { server, bus, sink } = await setup(statuses([500, 502, 200]));
    bus.emit('infrastructure.secret.rotated', { key: 'api' });
    await bus.flush();
    expect(server.received).toHaveLength(3);
    expect(new Set(server.received.map((r) => r.headers['x-gitfleet-delivery'])).size).toBe(1);
    expect(new Set(server.received.map((r) => r.body)).size).toBe(1);
    expect(sink.stats()).toMatchObject({ delivered: 1, failed: 0, retries: 2 });
  });

  it('retries when the connection breaks', async () => {
    const { server, bus, sink } = await setup((_r, i, res) => (i === 0 ? res.socket?.destroy() : reply(res, 200)));
    bus.emit('infrastructure.secret.rotated', { key: 'api' });
    await bus.flush();
    expect(server.received).toHaveLength(2);
    expect(sink.stats()).toMatchObject({ delivered: 1, retries: 1 });
  });

  it('honours Retry-After on 429', async () => {
    const { server, bus, sink } = await setup(statuses([429], { 0: { 'retry-after': '1' } }), { baseDelayMs: 1 });
    bus.emit('infrastructure.secret.rotated', { key: 'api' });
    await bus.flush();
    expect(server.received).toHaveLength(2);
    const gap = server.received[1]!.at - server.received[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(gap).toBeLessThan(3_000);
    expect(sink.stats()).toMatchObject({ delivered: 1, retries: 1 });
  });

  it('does not retry on 400 and goes on with the next event', async () => {
    const { server, bus, sink, lines } = await setup(statuses([400, 200]));
    bus.emit('infrastructure.secret.rotated', { key: 'one' });
    bus.emit('infrastructure.secret.rotated', { key: 'two' });
    await bus.flush();
    expect(server.received.map((r) => (JSON.parse(r.body) as GitfleetEvent<'infrastructure.secret.rotated'>).payload.key)).toEqual(['one', 'two']);
    expect(sink.stats()).toMatchObject({ delivered: 1, failed: 1, retries: 0 });
    const warn = lines.find((l) => l.msg === 'webhook delivery failed');
    expect(warn).toMatchObject({ reason: 'HTTP 400', attempts: 1 });
    expect(JSON.stringify(lines)).not.toContain('/hooks/gitfleet'); // only the origin is logged
  });

  it('gives up after maxAttempts on a receiver that keeps failing', async () => {
    const { server, bus, sink } = await setup(statuses([503, 503, 503, 503]), { maxAttempts: 3 });
    bus.emit('infrastructure.secret.rotated', { key: 'k' });
    await bus.flush();
    expect(server.received).toHaveLength(3);
    expect(sink.stats()).toMatchObject({ delivered: 0, failed: 1, retries: 2 });
  });

  it('never makes emit wait: 10,000 events against a stalled receiver; drops the oldest; keeps order', async () => {
    const held: ServerResponse[] = [];
    let stalled = true;
    const { server, bus, sink } = await setup((_r, _i, res) => (stalled ? held.push(res) : reply(res, 200)), { requestTimeoutMs: 30_000 });
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) bus.emit('infrastructure.update.proposed', { branch: `b${i}`, title: 'bump', packages: i });
    const emitMs = performance.now() - t0;
    console.log(`webhook: 10,000 emits against a stalled receiver took ${emitMs.toFixed(1)} ms`);
    expect(emitMs).toBeLessThan(500);
    // Event 0 is in flight; the queue holds the newest 1000; the rest were dropped oldest-first.
    expect(sink.stats()).toMatchObject({ queued: 1000, dropped: 8_999, delivered: 0 });
    await expect.poll(() => held.length).toBe(1);
    stalled = false;
    for (const res of held) reply(res, 200);
    expect(await bus.flush()).toBe(true);
    const expected = [0, ...Array.from({ length: 1000 }, (_, k) => 9_000 + k)];
    expect(server.received.map(packagesOf)).toEqual(expected);
    expect(sink.stats()).toMatchObject({ queued: 0, delivered: 1001, dropped: 8_999, failed: 0 });
  });

  it('close abandons a stalled delivery promptly', async () => {
    const { bus, sink } = await setup(() => undefined, { requestTimeoutMs: 30_000 });
    for (let i = 0; i < 5; i++) bus.emit('infrastructure.update.proposed', { branch: 'b', title: 't', packages: i });
    const t0 = performance.now();
    await sink.close?.();
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(sink.stats()).toMatchObject({ delivered: 0, failed: 1, queued: 0 });
  });

  it('rejects a URL that is not http(s) and an empty secret', () => {
    const log = memoryLogger().log;
    expect(() => webhookSink({ url: 'file:///etc/passwd', secret: 's', log })).toThrow(/http\(s\)/);
    expect(() => webhookSink({ url: 'not a url', secret: 's', log })).toThrow(/not a URL/);
    expect(() => webhookSink({ url: 'http://127.0.0.1/', secret: '', log })).toThrow(/secret/);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it.each([
    ['5', 5_000],
    ['0', 0],
    ['Wed, 01 Jan 2025 00:00:30 GMT', 30_000],
    ['Tue, 31 Dec 2024 23:00:00 GMT', 0],
    ['soon', undefined],
    [null, undefined],
  ])('%j → %j', (v, ms) => {
    expect(parseRetryAfter(v, now)).toBe(ms);
  });
});

describe('BoundedQueue', () => {
  it('drops the oldest when full and counts drops', () => {
    const q = new BoundedQueue<number>(3);
    for (let i = 1; i <= 5; i++) q.push(i);
    expect(q.size).toBe(3);
    expect(q.dropped).toBe(2);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual([3, 4, 5, undefined]);
    expect(() => new BoundedQueue(0)).toThrow(RangeError);
  });
});
