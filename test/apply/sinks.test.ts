import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { applyHost } from '../../src/apply/run.js';
import type { AnyEvent, EventSink } from '../../src/events/types.js';
import { applyFixture, type ApplyFixture } from './fixture.js';

let f: ApplyFixture;
beforeAll(async () => { f = await applyFixture(); }, 120_000);
afterAll(async () => rm(f.tmp, { recursive: true, force: true }));

describe('event sinks handed to applyHost', () => {
  it('are flushed at the end of a run but stay open for the next (an agent keeps its webhook sink)', async () => {
    const seen: AnyEvent[] = [];
    let closed = 0;
    let flushed = 0;
    const sink: EventSink = { name: 'caller-owned', write: (e) => { seen.push(e); }, flush: async () => { flushed++; }, close: async () => { closed++; } };
    await f.repo.commit(f.files({ npm: { banner: '1.0.0' } }));
    expect((await applyHost(f.options({ extraSinks: [sink] }))).result?.status).toBe('applied');
    await f.repo.commit(f.files({ npm: { banner: '1.1.0' } }));
    expect((await applyHost(f.options({ extraSinks: [sink] }))).result?.status).toBe('applied');
    expect(seen.filter((e) => e.topic === 'infrastructure.update.completed')).toHaveLength(2);
    expect(closed).toBe(0);
    expect(flushed).toBeGreaterThanOrEqual(2);
  });
});
