import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { healthChanges } from '../../src/report/changes.js';
import type { FleetView, HostRow } from '../../src/report/view.js';
import { publishStatus } from '../../src/report/publish.js';
import { execRunner } from '../../src/util/exec.js';
import { testRepo } from '../helpers/git.js';
import { makeStatus } from './helpers.js';

const row = (host: string, health: HostRow['health'], over: Partial<HostRow> = {}): HostRow => ({
  host, inFleet: true, os: 'linux', wave: null, revision: { applied: null, attempted: null, isHead: null }, health, drift: 0,
  lastError: null, heartbeat: null, ageSeconds: 400, clockSkewSeconds: null, observedAt: null, statusError: null, ...over,
});
const view = (hosts: HostRow[]) => ({ hosts }) as unknown as FleetView;

describe('healthChanges', () => {
  it('reports hosts whose health changed, with a reason, and nothing on the first view', () => {
    const before = view([row('a', 'healthy'), row('b', 'healthy'), row('c', 'degraded')]);
    const after = view([row('a', 'offline'), row('b', 'healthy'), row('c', 'failed', { lastError: { code: 'RolledBack', message: 'torch-imports failed', at: '' } }), row('d', 'pending')]);
    expect(healthChanges(undefined, after)).toEqual([]);
    expect(healthChanges(before, after)).toEqual([
      { host: 'a', from: 'healthy', to: 'offline', reason: expect.stringContaining('no heartbeat for 400 s') },
      { host: 'c', from: 'degraded', to: 'failed', reason: 'RolledBack: torch-imports failed' },
    ]);
  });
});

describe('gitfleet status --watch --events-file', () => {
  it('emits infrastructure.host.status_changed when a host turns offline (only a reader can see that)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gf-status-events-'));
    try {
      const repo = await testRepo(join(dir, 'repo'));
      await repo.commit({ 'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: lab\nstaleAfter: 2s\n', 'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\n' });
      await publishStatus(execRunner, repo.remote, makeStatus('h1', { heartbeat: new Date().toISOString() }), { workDir: join(dir, 'pub') });
      const events = join(dir, 'events.ndjson');
      const bin = join(import.meta.dirname, '../../bin/gitfleet.js');
      const child = spawn(process.execPath, [bin, 'status', '--repo', repo.remote, '--watch', '--interval', '300ms', '--events-file', events, '--cache-dir', join(dir, 'cache')], { stdio: 'ignore' });
      const exited = new Promise((r) => child.on('exit', r));
      let lines: string[] = [];
      for (let i = 0; i < 60 && lines.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 200));
        lines = (await readFile(events, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
      }
      child.kill('SIGINT');
      await exited;
      const e = JSON.parse(lines[0]!) as { topic: string; host: string; payload: { from: string; to: string } };
      expect(e).toMatchObject({ topic: 'infrastructure.host.status_changed', host: 'h1', payload: { from: 'healthy', to: 'offline' } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
