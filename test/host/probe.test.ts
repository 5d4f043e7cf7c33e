import { describe, expect, it } from 'vitest';
import { runProbe } from '../../src/host/probe.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runProbe', () => {
  it('returns the value and its notes', async () => {
    const out = await runProbe('cpu', async (ctx) => {
      ctx.note('speed from /proc');
      return { cores: 4, limit: ctx.timeoutMs };
    }, 500);
    expect(out.value).toEqual({ cores: 4, limit: 500 });
    expect(out.report).toMatchObject({ name: 'cpu', status: 'ok', notes: ['speed from /proc'] });
  });

  it('gives unknown soon after the limit when a probe sleeps past it', async () => {
    const started = performance.now();
    const out = await runProbe('disks', async () => {
      await sleep(5000);
      return [];
    }, 100);
    const took = performance.now() - started;
    expect(out.value).toBe('unknown');
    expect(out.report).toMatchObject({ name: 'disks', status: 'timeout', notes: ['no answer within 100 ms'] });
    expect(took).toBeGreaterThanOrEqual(95);
    expect(took).toBeLessThan(1000);
  });

  it('gives unknown for a probe that never settles', async () => {
    const out = await runProbe('gpus', () => new Promise<never>(() => {}), 50);
    expect(out.report.status).toBe('timeout');
  });

  it.each([
    ['rejects', async () => { throw new Error('df: not found'); }],
    ['throws synchronously', (() => { throw new Error('df: not found'); }) as () => Promise<never>],
  ])('gives unknown with the error as a note when the probe %s', async (_, probe) => {
    const out = await runProbe('disks', probe, 500);
    expect(out.value).toBe('unknown');
    expect(out.report).toMatchObject({ status: 'error', notes: ['df: not found'] });
  });

  it('keeps notes written after the limit out of the report', async () => {
    const out = await runProbe('os', async (ctx) => {
      await sleep(150);
      ctx.note('late');
      return 1;
    }, 30);
    await sleep(200);
    expect(out.report.notes).toEqual(['no answer within 30 ms']);
  });
});
