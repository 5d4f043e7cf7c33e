import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { pipAdapter } from '../../../src/managers/pip/index.js';
import { listAvailablePip, type FetchFn } from '../../../src/managers/pip/available.js';
import type { PackageChange, Target } from '../../../src/managers/types.js';
import { execRunner, runChecked } from '../../../src/util/exec.js';
import { makeVenv, pipEnv, pipListReference, writeWheels } from '../../helpers/wheels.js';

const ctx = { runner: execRunner, env: pipEnv(), timeoutMs: 60_000 };
// A token with characters that are percent-encoded in user-info: the index must get the decoded one.
const TOKEN = 'pypiT0ken/InAn@IndexUrl';
const TOKEN_IN_URL = encodeURIComponent(TOKEN);
const PRIVATE_AUTH = `Basic ${Buffer.from(`__token__:${TOKEN}`).toString('base64')}`;
let tmp: string;
let wheels: string;
let venv: string;
let target: Target;

async function apply(changes: PackageChange[]): Promise<void> {
  for (const cmd of pipAdapter.commands(changes, target, { noIndex: true, findLinks: [wheels] })) {
    await runChecked(execRunner, { ...cmd, env: pipEnv(), cleanEnv: true });
  }
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitfleet-pip-'));
  wheels = join(tmp, 'wheels');
  await writeWheels(wheels, [
    { name: 'Foo_Bar.baz', version: '1.0rc1' }, { name: 'Foo_Bar.baz', version: '1.0' }, { name: 'Foo_Bar.baz', version: '2.0' },
    { name: 'localpkg', version: '1.0+local.1' }, { name: 'plain', version: '1.0' }, { name: 'plain', version: '1.1' },
  ]);
  venv = await makeVenv(join(tmp, 'venv'), true);
  target = { kind: 'venv', path: venv };
}, 120_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('pip commands really change a venv', () => {
  it('installs, then upgrades, downgrades and removes; listing follows pip list each time', async () => {
    await apply([
      { kind: 'install', name: 'Foo_Bar.baz', version: '1.0rc1' },
      { kind: 'install', name: 'localpkg', version: '1.0+local.1' },
      { kind: 'install', name: 'plain', version: '1.1' },
    ]);
    let got = await pipAdapter.listInstalled(target, ctx);
    expect(got.packages).toMatchObject({ 'foo-bar-baz': '1.0rc1', localpkg: '1.0+local.1', plain: '1.1' });
    expect(got.packages).toEqual(await pipListReference(venv));

    await apply([
      { kind: 'upgrade', name: 'foo-bar-baz', version: '2.0' },
      { kind: 'downgrade', name: 'plain', version: '1.0' },
      { kind: 'remove', name: 'localpkg' },
    ]);
    got = await pipAdapter.listInstalled(target, ctx);
    expect(got.packages).toMatchObject({ 'foo-bar-baz': '2.0', plain: '1.0' });
    expect(got.packages.localpkg).toBeUndefined();
    expect(got.packages).toEqual(await pipListReference(venv));
  });

  it('a version the sources do not have fails the command, not the builder', async () => {
    await expect(apply([{ kind: 'install', name: 'plain', version: '9.9' }])).rejects.toMatchObject({ code: 'E_COMMAND_FAILED' });
  });
});

describe('pip detect', () => {
  it('finds python3 -m pip and its version', async () => {
    const d = await pipAdapter.detect(ctx);
    expect(d.present).toBe(true);
    expect(d.version).toMatch(/^\d+\.\d+/);
  });
  it('reports absent when python3 is not on PATH', async () => {
    const d = await pipAdapter.detect({ runner: execRunner, env: { PATH: join(tmp, 'empty-path') } });
    expect(d).toEqual({ present: false });
  });
});

describe('pip listAvailable', () => {
  it('scans find-links folders: all versions, PEP 440 order, no dates', async () => {
    await writeFile(join(wheels, 'foo_bar_baz-0.9.tar.gz'), 'not really an sdist');
    await writeFile(join(wheels, 'unrelated-5.0.tar.gz'), '');
    const got = await pipAdapter.listAvailable('FOO.bar_baz', ctx, { findLinks: [wheels], noIndex: true });
    expect(got).toEqual([{ version: '0.9' }, { version: '1.0rc1' }, { version: '1.0' }, { version: '2.0' }]);
  });

  it('a missing find-links folder → E_NOT_FOUND naming it', async () => {
    const missing = join(tmp, 'nope');
    await expect(pipAdapter.listAvailable('plain', ctx, { findLinks: [missing] })).rejects.toMatchObject({
      code: 'E_NOT_FOUND', message: expect.stringContaining(missing),
    });
  });

  describe('from a PEP 691 index on 127.0.0.1', () => {
    let server: Server;
    let base: string;
    const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
    const json = {
      meta: { 'api-version': '1.1' }, name: 'foo-bar-baz',
      files: [
        { filename: 'foo_bar_baz-2.0-py3-none-any.whl', url: 'x', hashes: {}, 'upload-time': '2024-03-01T00:00:00Z' },
        { filename: 'foo_bar_baz-1.0-py3-none-any.whl', url: 'x', hashes: {}, 'upload-time': '2023-02-01T10:00:00Z' },
        { filename: 'Foo_Bar.baz-1.0.tar.gz', url: 'x', hashes: {}, 'upload-time': '2023-01-01T10:00:00Z' },
        { filename: 'foo_bar_baz-1.5-py3-none-any.whl', url: 'x', hashes: {}, yanked: 'bad', 'upload-time': '2023-06-01T00:00:00Z' },
        { filename: 'foo_bar_baz-1.1rc1-py3-none-any.whl', url: 'x', hashes: {} },
      ],
    };
    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push({ url: req.url ?? '', headers: req.headers });
        if (req.url === '/simple/foo-bar-baz/') {
          res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' }).end(JSON.stringify(json));
        } else if (req.url === '/html/plain/') {
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><a href="/f/plain-3.0.tar.gz#sha256=00">plain-3.0.tar.gz</a></body></html>');
        } else if (req.url?.startsWith('/private/')) {
          // PEP 503 HTML behind Basic auth, as a private index (devpi, Artifactory, GitLab) serves it.
          if (req.headers.authorization !== PRIVATE_AUTH) res.writeHead(401, { 'www-authenticate': 'Basic realm="private"' }).end('who are you?');
          else if (req.url === '/private/plain/') res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><body><a href="/f/plain-4.0-py3-none-any.whl">plain-4.0-py3-none-any.whl</a><a href="/f/plain-4.1.tar.gz">plain-4.1.tar.gz</a></body></html>');
          else res.writeHead(404).end();
        } else if (req.url === '/broken/plain/') {
          res.writeHead(503).end('down');
        } else {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('asks for JSON at the normalized name and takes dates from upload-time', async () => {
      const got = await pipAdapter.listAvailable('Foo_Bar.baz', ctx, { indexUrl: `${base}/simple` });
      expect(got).toEqual([
        { version: '1.0', releasedAt: '2023-01-01T10:00:00Z' },
        { version: '1.1rc1' },
        { version: '2.0', releasedAt: '2024-03-01T00:00:00Z' },
      ]);
      const req = seen.find((s) => s.url === '/simple/foo-bar-baz/');
      expect(req?.headers.accept).toMatch(/^application\/vnd\.pypi\.simple\.v1\+json/);
    });

    it('merges find-links and extra indexes; accepts an HTML page; a 404 is no versions', async () => {
      const got = await pipAdapter.listAvailable('plain', ctx, {
        indexUrl: `${base}/simple/`, extraIndexUrls: [`${base}/html`], findLinks: [wheels],
      });
      expect(got.map((v) => v.version)).toEqual(['1.0', '1.1', '3.0']);
    });

    it('a server error → retryable E_IO naming the URL', async () => {
      await expect(pipAdapter.listAvailable('plain', ctx, { indexUrl: `${base}/broken` })).rejects.toMatchObject({
        code: 'E_IO', retryable: true, message: expect.stringContaining(`${base}/broken/plain/`),
      });
    });

    describe('an index URL with credentials', () => {
      const withToken = (path: string, user = '__token__', token = TOKEN_IN_URL) => `${base.replace('http://', `http://${user}:${token}@`)}${path}`;
      /** The error as a log line prints it (pino serializes the cause chain too). */
      const logged = (err: unknown) => {
        const lines: string[] = [];
        pino({ level: 'debug' }, { write: (l: string) => { lines.push(l); } }).error({ err }, 'listing failed');
        return lines.join('');
      };
      const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('it did not fail'); }, (e: unknown) => e as Error);

      it('sends them as Basic auth, percent-decoded as pip does, to a URL without them', async () => {
        const got = await pipAdapter.listAvailable('plain', ctx, { indexUrl: withToken('/private') });
        expect(got).toEqual([{ version: '4.0' }, { version: '4.1' }]);
        expect(seen.filter((q) => q.url === '/private/plain/').at(-1)?.headers.authorization).toBe(PRIVATE_AUTH);
        // A find-links page behind the same auth: the page itself, no project path.
        const links = await listAvailablePip('plain', { findLinks: [withToken('/private/plain/')], noIndex: true });
        expect(links.map((v) => v.version)).toEqual(['4.0', '4.1']);
      });

      it('the transport never sees them in the URL', async () => {
        const urls: string[] = [];
        const spy: FetchFn = (url, init) => { urls.push(url); return fetch(url, init); };
        await listAvailablePip('plain', { indexUrl: withToken('/private/'), extraIndexUrls: [`${base}/html`] }, { fetch: spy });
        expect(urls).toEqual([`${base}/private/plain/`, `${base}/html/plain/`]);
      });

      it.each([
        ['none', (p: string) => `${base}${p}`, 'none were given'],
        ['wrong ones', (p: string) => withToken(p, '__token__', 'wrong-token-0000'), 'they were refused'],
      ])('%s → E_IO naming the 401, never a credential', async (_, url, why) => {
        const err = await failure(pipAdapter.listAvailable('plain', ctx, { indexUrl: url('/private') }));
        expect(err).toMatchObject({ code: 'E_IO', retryable: false, message: `${base}/private/plain/ answered HTTP 401: check the credentials of this index (${why})` });
        expect(`${err.message}${logged(err)}`).not.toMatch(/wrong-token|T0ken/);
      });

      it('never names them for an HTTP error, nor for a transport error whose cause names the URL', async () => {
        const broken = await failure(listAvailablePip('plain', { indexUrl: withToken('/broken') }));
        expect(broken).toMatchObject({ code: 'E_IO', message: `${base}/broken/plain/ answered HTTP 503` });
        const refused: FetchFn = (url) => Promise.reject(new TypeError('fetch failed', { cause: new Error(`connect ECONNREFUSED while opening ${url}`) }));
        const down = await failure(listAvailablePip('plain', { indexUrl: withToken('/simple') }, { fetch: refused }));
        expect(down).toMatchObject({ code: 'E_IO', retryable: true, message: `cannot fetch ${base}/simple/plain/: fetch failed (connect ECONNREFUSED while opening ${base}/simple/plain/)` });
        expect(`${broken.message}${logged(broken)}${down.message}${logged(down)}`).not.toContain(TOKEN);
      });
    });
  });
});
