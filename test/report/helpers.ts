// Shared by the report tests: status documents and a `git daemon` on 127.0.0.1.
import { createServer, connect } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execRunner, runChecked } from '../../src/util/exec.js';
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

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A running `git daemon` serving every repository under `base` (pushes allowed). */
export interface Daemon { url: (repo: string) => string; stop(): Promise<void> }

/** Starts `git daemon` on an ephemeral port of 127.0.0.1 and waits until it accepts connections. */
export async function startDaemon(base: string): Promise<Daemon> {
  const port = await freePort();
  const pidFile = join(base, 'daemon.pid');
  await runChecked(execRunner, {
    file: 'git',
    args: ['daemon', `--base-path=${base}`, '--export-all', '--enable=receive-pack', '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`, `--pid-file=${pidFile}`, '--detach', base],
    env: { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  for (let i = 0; i < 100 && !(await accepts(port)); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    url: (repo) => `git://127.0.0.1:${port}/${repo}`,
    async stop() {
      try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}
