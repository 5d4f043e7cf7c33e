// Real gems for the gem adapter's tests: built by `gem build`, installed into temp GEM_HOMEs, served from 127.0.0.1.
import { createReadStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { execRunner, runChecked, type Command, type CommandResult } from '../../../src/util/exec.js';

/** `gem --version` when gem runs here (through the Runner), else undefined: the tests skip, saying why. */
export async function gemVersionHere(): Promise<string | undefined> {
  const res = await execRunner.run({ file: 'gem', args: ['--version'] }).catch(() => undefined);
  return res?.exitCode === 0 ? res.stdout.trim() : undefined;
}

/**
 * A clean environment for gem: HOME (so ~/.gemrc and the spec cache are the test's), GEM_HOME = GEM_PATH = `home`
 * (so gem sees that folder and the Ruby's default gems, nothing of the machine's), and no proxy for 127.0.0.1.
 */
export function gemEnv(tmp: string, home: string): Record<string, string> {
  return { HOME: join(tmp, 'user'), GEM_HOME: home, GEM_PATH: home, no_proxy: '127.0.0.1', NO_PROXY: '127.0.0.1', LC_ALL: 'C.UTF-8' };
}

/** Runs gem with exactly `env` (cleanEnv: nothing inherited but PATH) and fails on a non-zero exit. */
export function gem(args: string[], env: Record<string, string>, extra: Partial<Command> = {}): Promise<CommandResult> {
  return runChecked(execRunner, { file: 'gem', args, env, cleanEnv: true, timeoutMs: 30_000, ...extra });
}

export interface GemSpec { name: string; version: string; platform?: string; deps?: string[] }

/** A minimal gemspec (no files) built by `gem build` into `out`; returns the .gem's path. */
export async function buildGem(work: string, out: string, spec: GemSpec, env: Record<string, string>): Promise<string> {
  const dir = join(work, 'src', `${spec.name}-${spec.version}-${spec.platform ?? 'ruby'}`);
  await mkdir(dir, { recursive: true });
  await mkdir(out, { recursive: true });
  const lines = [
    'Gem::Specification.new do |s|',
    `  s.name = ${JSON.stringify(spec.name)}`,
    `  s.version = ${JSON.stringify(spec.version)}`,
    '  s.summary = "gitfleet test gem"',
    '  s.authors = ["gitfleet tests"]',
    '  s.license = "MIT"',
    '  s.files = []',
    ...(spec.platform ? [`  s.platform = ${JSON.stringify(spec.platform)}`] : []),
    ...(spec.deps ?? []).map((d) => `  s.add_runtime_dependency ${JSON.stringify(d)}`),
    'end',
    '',
  ];
  await writeFile(join(dir, 'x.gemspec'), lines.join('\n'));
  const file = join(out, `${spec.name}-${spec.version}${spec.platform ? `-${spec.platform}` : ''}.gem`);
  await gem(['build', 'x.gemspec', '--output', file], env, { cwd: dir });
  return file;
}

/** A static file server for `root` on 127.0.0.1 (a gem source after `gem generate_index`); `hang` answers nothing. */
export async function serveDir(root: string, hang = false): Promise<{ url: string; close: () => Promise<void>; requests: string[] }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (hang) return;
    const path = normalize(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(root)) return void res.writeHead(403).end();
    stat(path).then((s) => {
      if (!s.isFile()) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-length': s.size, 'content-type': 'application/octet-stream' });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(path).pipe(res);
    }, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
