// `git daemon` on 127.0.0.1 for tests: one way to start it, wait for it and stop it.
import { readFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { execRunner, runChecked } from '../../src/util/exec.js';

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

/** A running `git daemon` serving every repository under its base path (pushes allowed). */
export interface GitDaemon {
  port: number;
  pid: number;
  url(repo: string): string;
  stop(): void;
}

/**
 * Starts `git daemon --detach` on `port` (default: a free one) and returns once its pid file is
 * written and it accepts connections: with --detach, the pid file appears after the command returns.
 */
export async function startGitDaemon(base: string, opts: { port?: number; pidFile?: string } = {}): Promise<GitDaemon> {
  const port = opts.port ?? (await freePort());
  const pidFile = opts.pidFile ?? join(base, 'daemon.pid');
  await runChecked(execRunner, {
    file: 'git',
    args: ['daemon', `--base-path=${base}`, '--export-all', '--enable=receive-pack', '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`, `--pid-file=${pidFile}`, '--detach', base],
    env: { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
  const pid = await until(async () => Number((await readFile(pidFile, 'utf8').catch(() => '')).trim()) || undefined, 'its pid file');
  await until(async () => (await accepts(port)) || undefined, 'a connection');
  return {
    port,
    pid,
    url: (repo) => `git://127.0.0.1:${port}/${repo}`,
    stop() {
      try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
    },
  };
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`git daemon: no ${what} after 5 s`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}
