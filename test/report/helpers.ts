// Shared by the report tests: status documents and a `git daemon` on 127.0.0.1.
export { freePort } from '../helpers/git-daemon.js';
import { startGitDaemon } from '../helpers/git-daemon.js';
import type { HostStatus } from '../../src/report/types.js';

/** A valid status for `host`, with overrides. */
export function makeStatus(host: string, over: Partial<HostStatus> = {}): HostStatus {
  return {
    schemaVersion: 1, host, os: 'linux', arch: 'x64', health: 'healthy',
    revision: { applied: null, appliedAt: null, attempted: null, healthySince: null },
    conditions: [], drift: 0, lastError: null, heartbeat: '2024-05-01T12:00:00.000Z',
    agent: { version: '0.1.0', pid: 4242, cycles: 7, lastCycleMs: 120, lastSuccessAt: '2024-05-01T12:00:00.000Z' },
    ...over,
  };
}

/** A running `git daemon` serving every repository under `base` (pushes allowed). */
export interface Daemon { url: (repo: string) => string; stop(): Promise<void> }

/** Starts `git daemon` on an ephemeral port of 127.0.0.1 and waits until it accepts connections. */
export async function startDaemon(base: string): Promise<Daemon> {
  const d = await startGitDaemon(base);
  return { url: d.url, stop: async () => d.stop() };
}
