import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.js';
import type { AnyEvent, EventSink } from '../../src/events/types.js';
import { memoryLogger, recordingSink } from './helpers.js';

function fixedBus(sinks: EventSink[], log = memoryLogger().log) {
  let n = 0;
  let t = Date.parse('2025-01-02T03:04:05.000Z');
  return new EventBus({
    host: 'web-1',
    sinks,
    log,
    now: () => new Date(t++),
    newId: () => `id-${++n}`,
  });
}

describe('EventBus', () => {
  it('builds events from its context and delivers them to every sink in emit order', () => {
    const a = recordingSink('a');
    const b = recordingSink('b');
    const bus = fixedBus([a, b]);
    bus.emit('infrastructure.host.registered', { name: 'web-1', os: 'linux', arch: 'x64' });
    bus.withRevision('abc123').emit('infrastructure.update.proposed', { branch: 'gitfleet/x', title: 'bump', packages: 2 });
    bus.emit('infrastructure.secret.rotated', { key: 'db/password' });

    expect(a.events).toEqual([
      { id: 'id-1', topic: 'infrastructure.host.registered', host: 'web-1', revision: null, time: '2025-01-02T03:04:05.000Z', payload: { name: 'web-1', os: 'linux', arch: 'x64' } },
      { id: 'id-2', topic: 'infrastructure.update.proposed', host: 'web-1', revision: 'abc123', time: '2025-01-02T03:04:05.001Z', payload: { branch: 'gitfleet/x', title: 'bump', packages: 2 } },
      { id: 'id-3', topic: 'infrastructure.secret.rotated', host: 'web-1', revision: null, time: '2025-01-02T03:04:05.002Z', payload: { key: 'db/password' } },
    ]);
    expect(b.events).toEqual(a.events);
  });

  it('uses a UUID and the real clock by default', () => {
    const rec = recordingSink();
    new EventBus({ host: 'h', sinks: [rec], log: memoryLogger().log }).emit('infrastructure.health.summary', { checks: [] });
    const e = rec.events[0]!;
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Math.abs(Date.parse(e.time) - Date.now())).toBeLessThan(5_000);
  });

  it('a sink that throws does not stop the others, and emit does not throw', () => {
    const { log, lines } = memoryLogger();
    const before = recordingSink('before');
    const after = recordingSink('after');
    const broken: EventSink = { name: 'broken', write: () => { throw new Error('disk on fire'); } };
    const bus = fixedBus([before, broken, after], log);
    expect(() => bus.emit('infrastructure.update.failed', { stage: 'apply', code: 'E_COMMAND_FAILED', message: 'x' })).not.toThrow();
    bus.emit('infrastructure.update.failed', { stage: 'apply', code: 'E_COMMAND_FAILED', message: 'y' });
    expect(before.events.map((e) => e.id)).toEqual(['id-1', 'id-2']);
    expect(after.events.map((e) => e.id)).toEqual(['id-1', 'id-2']);
    const warnings = lines.filter((l) => l.msg === 'event sink failed');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ level: 40, sink: 'broken', topic: 'infrastructure.update.failed', err: { message: 'disk on fire' } });
  });

  it('does not wait for a slow sink, and flush waits for its pending work', async () => {
    let finished = 0;
    const slow: EventSink = { name: 'slow', write: () => new Promise<void>((r) => setTimeout(() => { finished++; r(); }, 150)) };
    const fast = recordingSink();
    const bus = fixedBus([slow, fast]);
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) bus.emit('infrastructure.sandbox.created', { name: `s${i}`, type: 'venv', path: `/x/${i}` });
    expect(performance.now() - t0).toBeLessThan(50);
    expect(fast.events).toHaveLength(3);
    expect(finished).toBe(0);
    expect(await bus.flush()).toBe(true);
    expect(finished).toBe(3);
  });

  it('logs a sink whose promise rejects, without an unhandled rejection', async () => {
    const { log, lines } = memoryLogger();
    const bus = fixedBus([{ name: 'rejects', write: async () => { throw new Error('nope'); } }], log);
    bus.emit('infrastructure.host.status_changed', { from: 'ok', to: 'degraded' });
    expect(await bus.flush()).toBe(true);
    expect(lines).toEqual([expect.objectContaining({ msg: 'event sink failed', sink: 'rejects', err: expect.objectContaining({ message: 'nope' }) })]);
  });

  it('bounds flush in time when a sink never finishes', async () => {
    const bus = fixedBus([{ name: 'stuck', write: () => new Promise<void>(() => undefined), flush: () => new Promise<void>(() => undefined) }]);
    bus.emit('infrastructure.health.summary', { checks: [] });
    const t0 = performance.now();
    expect(await bus.flush(100)).toBe(false);
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(90);
    expect(took).toBeLessThan(1_000);
  });

  it('close flushes, closes every sink once, and drops later events', async () => {
    const closed: string[] = [];
    const rec = recordingSink();
    const sink: EventSink = { ...rec, write: (e: AnyEvent) => rec.write(e), close: async () => { closed.push('rec'); } };
    const { log, lines } = memoryLogger();
    const bus = fixedBus([sink], log);
    const child = bus.withRevision('r1');
    bus.emit('infrastructure.health.summary', { checks: [] });
    expect(await bus.close()).toBe(true);
    expect(await child.close()).toBe(true); // shared state: already closed
    child.emit('infrastructure.health.summary', { checks: [] });
    expect(closed).toEqual(['rec']);
    expect(rec.events).toHaveLength(1);
    expect(lines.some((l) => l.msg.includes('after the event bus was closed'))).toBe(true);
  });
});
