import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { GitfleetError } from '../util/errors.js';

/** A held lock; release it exactly once. */
export interface Lock {
  path: string;
  release(): Promise<void>;
}

interface Holder { pid: number; host: string; since: string; purpose: string }

/**
 * Takes the host's apply lock (an O_EXCL file with the holder's pid). A lock left by a dead process
 * on this machine is taken over; a live holder is waited for up to `waitMs`, then E_LOCKED names it.
 */
export async function acquireLock(path: string, opts: { waitMs?: number; purpose?: string; pollMs?: number } = {}): Promise<Lock> {
  const deadline = Date.now() + (opts.waitMs ?? 0);
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), purpose: opts.purpose ?? 'apply' };
  for (;;) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(JSON.stringify(me));
      await fh.sync();
      await fh.close();
      let released = false;
      return {
        path,
        async release() {
          if (released) return;
          released = true;
          await rm(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new GitfleetError('E_IO', `cannot create lock ${path}: ${(err as Error).message}`, { cause: err });
    }
    const holder = await readHolder(path);
    if (holder && holder.host === me.host && !alive(holder.pid)) {
      // The holder died (kill -9, power loss): its lock means nothing any more.
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder ? `pid ${holder.pid} on ${holder.host}, ${holder.purpose} since ${holder.since}` : 'an unreadable lock file';
      throw new GitfleetError('E_LOCKED', `another gitfleet apply holds the lock ${path} (${who}); wait for it to finish, or remove the file if that process is gone`, { retryable: true });
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 100));
  }
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
