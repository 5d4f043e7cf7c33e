import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitfleetError } from '../util/errors.js';

/** A loopback address and port to listen on. */
export interface ListenAddress {
  host: string;
  port: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Parses `127.0.0.1:9464` / `[::1]:9464`; only loopback addresses are accepted (a proxy can expose them). */
export function parseListen(flag: string, value: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!m || !host || !(port >= 0 && port <= 65535)) throw new GitfleetError('E_USAGE', `--${flag} takes HOST:PORT, e.g. 127.0.0.1:9464, got "${value}"`);
  if (!LOOPBACK.has(host) && !/^127\.\d+\.\d+\.\d+$/.test(host)) throw new GitfleetError('E_USAGE', `--${flag} must be a loopback address (127.0.0.1 or ::1), got "${host}"`);
  return { host, port };
}

/** A listening server and how to stop it. */
export interface Listening {
  server: Server;
  address: ListenAddress;
  close(): Promise<void>;
}

/** Starts a node:http server on `at`; the handler's errors become 500s. */
export async function listen(at: ListenAddress, handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void): Promise<Listening> {
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error\n');
      });
  });
  server.keepAliveTimeout = 2_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new GitfleetError('E_IO', `cannot listen on ${at.host}:${at.port}: ${err.message}`, { cause: err })));
    server.listen(at.port, at.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    server,
    address: { host: at.host, port: addr.port },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** Sends a small response. */
export function reply(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** Reads a request body up to `limit` bytes; undefined when it is larger. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
