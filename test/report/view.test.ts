import { describe, expect, it } from 'vitest';
import { buildFleetView, fleetInfoFromDocuments } from '../../src/report/view.js';
import { ageCell, renderFleetTable } from '../../src/report/render.js';
import type { FleetStatusRead } from '../../src/report/read.js';
import { makeStatus } from './helpers.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const HEAD = 'd'.repeat(40);

describe('buildFleetView', () => {
  const info = fleetInfoFromDocuments([
    { kind: 'Fleet', name: 'lab', data: { staleAfter: '2m', rollout: { waves: [{ name: 'canary', soak: '5m' }, { name: 'broad' }, 'junk'] } } },
    { kind: 'Host', name: 'b-host', data: { os: 'windows', wave: 'canary' } },
    { kind: 'Host', name: 'a-host', data: { os: 'linux' } },
    { kind: 'Baseline', name: 'x', data: {} },
  ]);

  it('reads the fleet leniently', () => {
    expect(info).toEqual({ name: 'lab', staleAfterMs: 120_000, waves: [{ name: 'canary', soak: '5m' }, { name: 'broad' }], hosts: new Map([['b-host', { os: 'windows', wave: 'canary' }], ['a-host', { os: 'linux' }]]) });
  });

  it('joins statuses with fleet hosts: unknown for unreadable, hosts gone from the fleet still listed', () => {
    const read: FleetStatusRead = {
      branch: 'main', head: HEAD,
      hosts: [
        { host: 'a-host', commit: 'x', status: makeStatus('a-host', { heartbeat: '2024-05-01T11:57:00.000Z', revision: { applied: HEAD, appliedAt: null, attempted: null, healthySince: null } }), error: null },
        { host: 'gone', commit: 'y', status: makeStatus('gone', { os: 'macos', wave: 'canary', heartbeat: '2024-05-01T11:59:30.000Z' }), error: null },
        { host: 'zz', commit: 'z', status: null, error: 'status.json is not JSON: Unexpected end' },
      ],
    };
    const view = buildFleetView(read, info, NOW);
    expect(view.hosts.map((h) => [h.host, h.wave, h.health, h.inFleet, h.os])).toEqual([
      ['b-host', 'canary', 'pending', true, 'windows'],
      ['gone', 'canary', 'healthy', false, 'macos'],
      ['a-host', 'broad', 'offline', true, 'linux'],
      ['zz', 'broad', 'unknown', false, null],
    ]);
    const text = renderFleetTable(view);
    expect(text).toContain('unreadable status: status.json is not JSON: Unexpected end');
    expect(text).toMatch(/a-host\s+linux\s+broad\s+ddddddd \(head\)\s+offline\s+0\s+-\s+3m/);
    expect(text.trimEnd().split('\n').pop()).toBe('fleet lab at main ddddddd · 4 hosts: 1 healthy, 1 pending, 1 offline, 1 unknown');
  });

  it('a host whose clock runs ahead: age counts from when the reader first saw its status, with a clock-skew note', () => {
    const ahead = makeStatus('ahead', { heartbeat: '2024-05-02T14:00:00.000Z' }); // 26 h in the future
    const rows = (observedAt?: string) => buildFleetView({ branch: 'main', head: null, hosts: [{ host: 'ahead', commit: 'c', status: ahead, error: null, ...(observedAt ? { observedAt } : {}) }] }, info, NOW);
    const row = (observedAt?: string) => rows(observedAt).hosts.find((h) => h.host === 'ahead');
    const fresh = rows('2024-05-01T11:59:00.000Z');
    expect(row('2024-05-01T11:59:00.000Z')).toMatchObject({ health: 'healthy', ageSeconds: 60, clockSkewSeconds: 26 * 3600, observedAt: '2024-05-01T11:59:00.000Z' });
    expect(renderFleetTable(fresh)).toMatch(/ahead .*healthy .* 1m \(clock-skew \+26h\)\n/);
    // silent for longer than staleAfter (2m): offline, however far ahead its heartbeat is
    expect(row('2024-05-01T11:57:00.000Z')).toMatchObject({ health: 'offline', ageSeconds: 180, clockSkewSeconds: 26 * 3600 });
    // never observed (a caller without a cache): its age cannot be told, so nothing shows it alive
    const unseen = rows();
    expect(row()).toMatchObject({ health: 'offline', ageSeconds: null, clockSkewSeconds: 26 * 3600 });
    expect(renderFleetTable(unseen)).toMatch(/offline .* \? \(clock-skew \+26h\)\n/);
  });

  it('without a fleet (no branch) lists the published hosts with their own waves', () => {
    const view = buildFleetView({ branch: 'main', head: null, hosts: [{ host: 'h', commit: 'c', status: makeStatus('h', { wave: 'w1', heartbeat: NOW.toISOString() }), error: null }] }, null, NOW);
    expect(view.hosts[0]).toMatchObject({ wave: 'w1', health: 'healthy', revision: { applied: null, isHead: null } });
  });
});

describe('ageCell', () => {
  it.each([[null, 'never'], [5, '5s'], [59, '59s'], [60, '1m'], [3599, '59m'], [3600, '1h'], [47 * 3600, '47h'], [48 * 3600, '2d'], [-3, '0s']] as const)('%s → %s', (s, want) => expect(ageCell(s)).toBe(want));
});
