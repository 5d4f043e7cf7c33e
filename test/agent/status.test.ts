import { describe, expect, it } from 'vitest';
import { buildStatus, settleHealthySince, type AgentCounters } from '../../src/agent/status.js';
import { emptyMemory, type AgentMemory } from '../../src/agent/memory.js';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const DAY = 86_400_000;
const counters: AgentCounters = { version: '0.1.0', cycles: 1, lastCycleMs: 10, lastSuccessAt: null };

function healthyMemory(healthySince: string | null): AgentMemory {
  return {
    ...emptyMemory(), applied: 'a'.repeat(40), appliedAt: healthySince, healthySince,
    verdict: { health: 'healthy', drift: 0, lastError: null, attempted: null, conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'ok' }] },
  };
}

describe('settleHealthySince', () => {
  it.each<[string, string | null, string | null, boolean]>([
    ['2 days in the future (clock set back) → now', iso(2 * DAY), NOW.toISOString(), true],
    ['1 ms in the future → now', iso(1), NOW.toISOString(), true],
    ['exactly now → kept', NOW.toISOString(), NOW.toISOString(), false],
    ['an hour ago → kept', iso(-3_600_000), iso(-3_600_000), false],
    ['unreadable → now', 'yesterday', NOW.toISOString(), true],
    ['not healthy (null) → null', null, null, false],
  ])('%s', (_what, before, after, reset) => {
    const mem = { healthySince: before };
    expect(settleHealthySince(mem, NOW)).toBe(reset);
    expect(mem.healthySince).toBe(after);
  });
});

describe('buildStatus', () => {
  it('a healthySince written while the clock ran ahead is published as now and kept from then on', () => {
    const mem = healthyMemory(iso(2 * DAY - 3_600_000));
    const first = buildStatus('h1', mem, counters, NOW, null);
    expect(first.revision.healthySince).toBe(NOW.toISOString());
    expect(mem.healthySince).toBe(NOW.toISOString()); // in memory too, so agent.json keeps it across restarts
    const second = buildStatus('h1', mem, counters, new Date(NOW.getTime() + 30_000), first);
    expect(second.revision.healthySince).toBe(NOW.toISOString());
  });

  it('a healthySince in the past is left as it is', () => {
    const mem = healthyMemory(iso(-3_600_000));
    expect(buildStatus('h1', mem, counters, NOW, null).revision.healthySince).toBe(iso(-3_600_000));
    expect(mem.healthySince).toBe(iso(-3_600_000));
  });
});
