// Shared by the report tests: status documents and a `git daemon` on 127.0.0.1.
export { freePort } from '../helpers/git-daemon.js';
import { startGitDaemon } from '../helpers/git-daemon.js';
import type { HostStatus } from '../../src/report/types.js';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { runChecked, execRunner } from '../../src/util/exec.js';
import { git } from '../helpers/git.js';

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

/** Writes `n` distinct unreachable blobs as loose objects in the git directory `gitDir`; `ageMs` < 0 backdates them. Returns their paths. */
export async function looseJunk(gitDir: string, n: number, tag: string, ageMs = 0): Promise<string[]> {
  const src = await mkdtemp(join(tmpdir(), 'gf-junk-'));
  try {
    const files: string[] = [];
    for (let i = 0; i < n; i++) {
      files.push(join(src, String(i)));
      await writeFile(files[i]!, `junk ${tag} ${i}\n`);
    }
    const input = files.join('\n') + '\n';
    const out = (await runChecked(execRunner, { file: 'git', args: ['hash-object', '-w', '--stdin-paths'], cwd: gitDir, input, env: { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } })).stdout.trim();
    const paths = out.split('\n').map((sha) => join(gitDir, 'objects', sha.slice(0, 2), sha.slice(2)));
    if (ageMs !== 0) for (const p of paths) await utimes(p, new Date(Date.now() + ageMs), new Date(Date.now() + ageMs));
    return paths;
  } finally {
    await rm(src, { recursive: true, force: true });
  }
}

/** The loose-object count of `git count-objects -v`. */
export async function looseCount(gitDir: string): Promise<number> {
  const line = (await git(gitDir, ['count-objects', '-v'])).split('\n').find((l) => l.startsWith('count: '));
  return Number(line?.slice('count: '.length));
}

/** A pino logger keeping its JSON lines in memory. */
export function memoryLog(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done(); } });
  return { logger: pino({ level: 'warn' }, stream), lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}
