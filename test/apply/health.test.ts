import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runHealthChecks } from '../../src/apply/health.js';
import { execRunner } from '../../src/util/exec.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
    res.statusCode = req.url === '/healthz' ? 200 : req.url === '/teapot' ? 418 : 503;
    res.end('x');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

const deps = { runner: execRunner, inTarget: (_t: string, cmd: { file: string; args: string[] }) => cmd };

describe('health checks', () => {
  it.each([
    ['GET 200 as expected', { name: 'up', http: { url: `BASE/healthz` } }, true, undefined],
    ['GET with an expected non-200 status', { name: 'tea', http: { url: `BASE/teapot`, expectStatus: 418 } }, true, undefined],
    ['GET answering 503', { name: 'down', http: { url: `BASE/other` } }, false, /answered 503, expected 200/],
    ['GET slower than the timeout', { name: 'slow', http: { url: `BASE/slow` }, timeout: '300ms' }, false, /abort|timeout/i],
    ['a command that exits 0', { name: 'true', command: ['true'] }, true, undefined],
    ['a command that fails, with its stderr', { name: 'false', command: ['sh', '-c', 'echo broken >&2; exit 3'] }, false, /exited with 3: broken/],
    ['a command that is not there', { name: 'missing', command: ['no-such-command-gitfleet'] }, false, /not found/],
  ])('%s', async (_n, check, ok, detail) => {
    // The table is built before the server starts: fill in its address now.
    const withBase = JSON.parse(JSON.stringify(check).replaceAll('BASE', base));
    const [r] = await runHealthChecks([withBase], deps);
    expect(r!.ok).toBe(ok);
    if (detail) expect(r!.detail).toMatch(detail);
    expect(r!.ms).toBeLessThan(1500);
  });
});
