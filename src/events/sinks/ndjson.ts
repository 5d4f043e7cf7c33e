import { open, type FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { EventSink } from '../types.js';

export interface NdjsonSinkOptions {
  path: string;
  log: Logger;
  /** File mode when the file is created. */
  mode?: number;
}

/** The sink's counters, for status and tests. */
export interface NdjsonSinkStats {
  written: number;
  failed: number;
}

/** A sink that appends one JSON line per event to a file, in emit order; `flush` fsyncs. */
export function ndjsonSink(opts: NdjsonSinkOptions): EventSink & { stats(): NdjsonSinkStats } {
  let handle: Promise<FileHandle> | undefined;
  let queue: string[] = [];
  let draining: Promise<void> | undefined;
  let closed = false;
  const stats: NdjsonSinkStats = { written: 0, failed: 0 };

  const file = (): Promise<FileHandle> => (handle ??= open(opts.path, 'a', opts.mode ?? 0o640));

  // One writer: lines queued while a write is in flight go out together in the next write, in order.
  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        await (await file()).write(batch.join(''));
        stats.written += batch.length;
      } catch (err) {
        stats.failed += batch.length;
        handle = undefined;
        opts.log.warn({ err, path: opts.path, events: batch.length }, 'could not write events to the NDJSON file');
      }
    }
    draining = undefined;
  }

  return {
    name: 'ndjson',
    write(event) {
      if (closed) return;
      queue.push(`${JSON.stringify(event)}\n`);
      draining ??= drain();
    },
    async flush() {
      await draining;
      if (!handle) return;
      try {
        await (await handle).sync();
      } catch (err) {
        opts.log.warn({ err, path: opts.path }, 'could not fsync the NDJSON event file');
      }
    },
    async close() {
      await this.flush?.();
      closed = true;
      const h = handle;
      handle = undefined;
      if (h) await (await h).close();
    },
    stats: () => ({ ...stats }),
  };
}
