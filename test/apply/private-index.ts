// A PEP 503 index on 127.0.0.1 behind Basic auth, serving the wheels of a folder: every path wants the credentials.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface PrivateIndex {
  /** `http://127.0.0.1:PORT/simple/`, without credentials. */
  url: string;
  /** Every request, and whether it carried the expected Authorization. */
  requests: { url: string; authorized: boolean }[];
  close(): Promise<void>;
}

/** Serves `/simple/<project>/` and `/files/<wheel>` for the wheels in `wheels`, only to `Basic base64(user:password)`. */
export async function privateIndex(wheels: string, user: string, password: string): Promise<PrivateIndex> {
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const files = await readdir(wheels);
  const requests: PrivateIndex['requests'] = [];
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    const authorized = req.headers.authorization === auth;
    requests.push({ url, authorized });
    if (!authorized) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="private"' }).end();
    const project = /^\/simple\/([a-z0-9-]+)\/$/.exec(url)?.[1];
    if (project) {
      const mine = files.filter((f) => f.split('-')[0]!.toLowerCase().replace(/_/g, '-') === project);
      if (!mine.length) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(`<!DOCTYPE html><html><body>${mine.map((f) => `<a href="/files/${f}">${f}</a>`).join('\n')}</body></html>`);
    }
    const file = /^\/files\/([^/]+)$/.exec(url)?.[1];
    if (file && files.includes(file)) return void readFile(join(wheels, file)).then((b) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(b));
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple/`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
