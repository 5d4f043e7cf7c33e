// The log and NDJSON sinks; the webhook sink has its own file.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.js';
import { eventLevel, logSink } from '../../src/events/sinks/log.js';
import { ndjsonSink } from '../../src/events/sinks/ndjson.js';
import type { AnyEvent, EventPayloads, Topic } from '../../src/events/types.js';
import { memoryLogger, recordingSink } from './helpers.js';

function event<T extends Topic>(topic: T, payload: EventPayloads[T]): AnyEvent {
  return { id: 'e1', topic, host: 'h', revision: 'r', time: '2025-01-01T00:00:00.000Z', payload } as AnyEvent;
}

describe('log sink', () => {
  it.each([
    [event('infrastructure.host.registered', { name: 'h', os: 'linux', arch: 'x64' }), 'info'],
    [event('infrastructure.update.completed', { actions: 1, changed: [], durationMs: 5 }), 'info'],
    [event('infrastructure.update.failed', { stage: 'apply', code: 'E_COMMAND_FAILED', message: 'm' }), 'warn'],
    [event('infrastructure.config.invalid', { revision: 'r', diagnostics: [] }), 'warn'],
    [event('infrastructure.dependency.drift', { target: 't', manager: 'pip', name: 'x', desired: '1', actual: '2', mode: 'report' }), 'warn'],
    [event('infrastructure.update.rolled_back', { reason: 'health', restored: 2, ok: true }), 'warn'],
    [event('infrastructure.update.rolled_back', { reason: 'health', restored: 1, ok: false }), 'error'],
    [event('infrastructure.health.summary', { checks: [{ name: 'http', ok: true, ms: 3 }] }), 'info'],
    [event('infrastructure.health.summary', { checks: [{ name: 'http', ok: false, ms: 3, detail: '502' }] }), 'warn'],
  ])('%# %s', (e, level) => {
    expect(eventLevel(e)).toBe(level);
    const { log, lines } = memoryLogger();
    logSink(log).write(e);
    expect(lines).toEqual([{ level: { info: 30, warn: 40, error: 50 }[level], msg: e.topic, event: e, time: expect.any(Number) }]);
  });
});

describe('ndjson sink', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'gitfleet-ndjson-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('appends one JSON line per event, in emit order, after what the file held', async () => {
    const path = join(dir, 'events.ndjson');
    await writeFile(path, '{"earlier":true}\n');
    const rec = recordingSink();
    const sink = ndjsonSink({ path, log: memoryLogger().log });
    const bus = new EventBus({ host: 'h1', revision: 'abc', sinks: [rec, sink], log: memoryLogger().log });
    for (let i = 0; i < 500; i++) bus.emit('infrastructure.update.proposed', { branch: `b${i}`, title: `t${i}`, packages: i });
    await bus.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe('{"earlier":true}');
    expect(lines.slice(1).map((l) => JSON.parse(l) as unknown)).toEqual(rec.events);
    expect(sink.stats()).toEqual({ written: 500, failed: 0 });
  });

  it('a file that cannot be written is logged and counted; emit still returns', async () => {
    const { log, lines } = memoryLogger();
    const sink = ndjsonSink({ path: join(dir, 'missing-dir', 'events.ndjson'), log });
    const bus = new EventBus({ host: 'h1', sinks: [sink], log });
    expect(() => bus.emit('infrastructure.secret.rotated', { key: 'k' })).not.toThrow();
    expect(await bus.flush()).toBe(true);
    expect(sink.stats()).toEqual({ written: 0, failed: 1 });
    expect(lines.find((l) => l.msg === 'could not write events to the NDJSON file')).toMatchObject({ level: 40, events: 1 });
  });
});
