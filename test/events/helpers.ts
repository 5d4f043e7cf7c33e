// Shared pieces for event tests: a pino logger that keeps its lines, a recording sink, a real HTTP server.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { AnyEvent, EventSink } from '../../src/events/types.js';

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** A real pino logger whose JSON lines are kept in memory. */
export function memoryLogger(level = 'debug'): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as LogLine);
      cb();
    },
  });
  return { log: pino({ level, base: undefined }, stream), lines };
}

/** A sink that records what it is given, in order. */
export function recordingSink(name = 'rec'): EventSink & { events: AnyEvent[] } {
  const events: AnyEvent[] = [];
  return { name, events, write: (e) => { events.push(e); } };
}

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

/** A node:http server on 127.0.0.1 (port 0) that records each request and lets the test answer it. */
export async function startServer(
  answer: (req: Received, index: number, res: ServerResponse) => void,
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: performance.now() };
      received.push(r);
      answer(r, received.length - 1, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/gitfleet`,
    received,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
