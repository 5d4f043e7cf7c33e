import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitfleetError } from '../../src/util/errors.js';
import { execRunner, runChecked } from '../../src/util/exec.js';
import { loadFleet } from '../../src/fleet/load.js';
import { dirSource, gitSource, type FleetSource } from '../../src/fleet/source.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'gf-source-'));
  dirs.push(d);
  return d;
}

function write(root: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: '/nonexistent',
  GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.invalid', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
};

async function git(cwd: string, ...args: string[]): Promise<string> {
  const res = await runChecked(execRunner, { file: 'git', args: ['-c', 'core.autocrlf=false', '-c', 'commit.gpgsign=false', ...args], cwd, env: GIT_ENV, cleanEnv: true });
  return res.stdout.trim();
}

async function bytesOf(source: FleetSource, path: string): Promise<string> {
  return Buffer.from(await source.read(path)).toString('utf8');
}

async function errorOf(p: Promise<unknown>): Promise<GitfleetError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(GitfleetError);
  return err as GitfleetError;
}

describe('dirSource', () => {
  it('lists files and symlinks sorted, skips .git, resolves link targets, reads bytes', async () => {
    const dir = tempDir();
    write(dir, { 'b.txt': 'bb', 'a/z.yaml': 'z: 1\n', 'a/y.yaml': 'y', '.git/config': 'x', 'shared/h.yaml': 'name: h\n' });
    symlinkSync('../shared/h.yaml', join(dir, 'a/link.yaml'));
    symlinkSync('/etc/passwd', join(dir, 'a/out'));
    symlinkSync('shared', join(dir, 'dirlink'));
    const src = dirSource(dir);
    expect(src.describe).toBe(dir);
    expect(src.revision).toBeUndefined();
    expect(await src.list()).toEqual([
      { path: 'a/link.yaml', kind: 'symlink', size: '../shared/h.yaml'.length, target: 'shared/h.yaml' },
      { path: 'a/out', kind: 'symlink', size: '/etc/passwd'.length, target: null },
      { path: 'a/y.yaml', kind: 'file', size: 1 },
      { path: 'a/z.yaml', kind: 'file', size: 5 },
      { path: 'b.txt', kind: 'file', size: 2 },
      { path: 'dirlink', kind: 'symlink', size: 6, target: 'shared' },
      { path: 'shared/h.yaml', kind: 'file', size: 8 },
    ]);
    expect(await bytesOf(src, 'a/link.yaml')).toBe('name: h\n');
    expect(await bytesOf(src, 'dirlink/h.yaml')).toBe('name: h\n');
    expect((await errorOf(src.read('a/out'))).code).toBe('E_IO');
    expect((await errorOf(src.read('nope.txt'))).code).toBe('E_NOT_FOUND');
    expect((await errorOf(src.read('../etc/passwd'))).code).toBe('E_NOT_FOUND');
    expect((await errorOf(src.read('a'))).code).toBe('E_NOT_FOUND');
  });
});

describe('gitSource', () => {
  let work: string;
  let bare: string;
  let first: string;
  let second: string;

  beforeAll(async () => {
    const root = tempDir();
    work = join(root, 'work');
    bare = join(root, 'fleet.git');
    mkdirSync(work);
    await git(work, 'init', '-q', '-b', 'main');
    write(work, {
      'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: lab\n',
      'hosts/web.yaml': 'kind: Host\nname: web\nos: linux\n',
      'requirements/deep/ml.txt': 'numpy==1.26.4\n',
      'shared/db.yaml': 'kind: Host\nname: db\n',
    });
    symlinkSync('../shared/db.yaml', join(work, 'hosts/db.yaml'));
    symlinkSync('/etc/passwd', join(work, 'hosts/evil.yaml'));
    await git(work, 'add', '-A');
    await git(work, 'commit', '-q', '-m', 'first');
    first = await git(work, 'rev-parse', 'HEAD');
    write(work, {
      'hosts/web.yaml': 'kind: Host\nname: web\nos: windows\n',
      // not UTF-8, sorted before the text files it shares a batch with
      'hosts/0-latin1.yaml': Buffer.from('name: caf\xe9\n', 'latin1'),
      'hosts/1-nul.yaml': Buffer.from('name: a\0b\n'),
      'hosts/2-after.yaml': 'kind: Host\nname: after\n',
    });
    await git(work, 'add', '-A');
    await git(work, 'commit', '-q', '-m', 'second');
    second = await git(work, 'rev-parse', 'HEAD');
    await git(root, 'clone', '-q', '--bare', work, bare);
  });

  it('reads an older revision of a bare clone without a checkout', async () => {
    const src = await gitSource(execRunner, bare, 'main~1');
    expect(src.revision).toBe(first);
    expect(src.describe).toBe(`${bare}@main~1`);
    expect(await src.list()).toEqual([
      { path: 'fleet.yaml', kind: 'file', size: 46 },
      { path: 'hosts/db.yaml', kind: 'symlink', size: 17, target: 'shared/db.yaml' },
      { path: 'hosts/evil.yaml', kind: 'symlink', size: 11, target: null },
      { path: 'hosts/web.yaml', kind: 'file', size: 31 },
      { path: 'requirements/deep/ml.txt', kind: 'file', size: 14 },
      { path: 'shared/db.yaml', kind: 'file', size: 20 },
    ]);
    expect(await bytesOf(src, 'hosts/web.yaml')).toBe('kind: Host\nname: web\nos: linux\n');
    expect(await bytesOf(src, 'hosts/db.yaml')).toBe('kind: Host\nname: db\n');
    expect((await errorOf(src.read('hosts/evil.yaml'))).code).toBe('E_IO');
    expect((await errorOf(src.read('hosts/nope.yaml'))).code).toBe('E_NOT_FOUND');
  });

  it('reads the tip of a working repository by SHA, the same as the bare clone', async () => {
    const a = await gitSource(execRunner, work, second);
    const b = await gitSource(execRunner, bare, 'main');
    expect(a.revision).toBe(second);
    expect(await a.list()).toEqual(await b.list());
    expect(await bytesOf(b, 'hosts/web.yaml')).toContain('os: windows');
  });

  it('feeds loadFleet: symlinks, binary blobs and the text after them', async () => {
    const fleet = await loadFleet(await gitSource(execRunner, bare, 'main'));
    expect(fleet.revision).toBe(second);
    expect(fleet.documents.map((d) => [d.file, d.name])).toEqual([
      ['fleet.yaml', 'lab'], ['hosts/2-after.yaml', 'after'], ['hosts/db.yaml', 'db'], ['hosts/web.yaml', 'web'],
    ]);
    expect(fleet.diagnostics.map((d) => [d.code, d.file])).toEqual([
      ['load.binary', 'hosts/0-latin1.yaml'],
      ['load.binary', 'hosts/1-nul.yaml'],
      ['load.symlink-outside', 'hosts/evil.yaml'],
    ]);
    expect(await fleet.readText('requirements/deep/ml.txt')).toEqual({ text: 'numpy==1.26.4\n' });
    expect(fleet.documents.find((d) => d.name === 'web')!.at(['os'])).toEqual({ line: 3, column: 5 });
  });

  it('fetches large blobs outside the batch only when read', async () => {
    const src = await gitSource(execRunner, bare, 'main', { maxBatchBlobBytes: 10 });
    expect(await bytesOf(src, 'hosts/web.yaml')).toBe('kind: Host\nname: web\nos: windows\n');
    expect((await errorOf(src.read('hosts/0-latin1.yaml'))).code).toBe('E_PARSE');
  });

  it.each([
    ['a revision that does not exist', 'no-such-branch', 'E_GIT'],
    ['a SHA that does not exist', 'deadbeef'.repeat(5), 'E_GIT'],
    ['an option-like revision', '--output=/tmp/x', 'E_USAGE'],
    ['a revision with a space', 'main dev', 'E_USAGE'],
  ])('rejects %s with a clear error', async (_name, rev, code) => {
    const err = await errorOf(gitSource(execRunner, bare, rev));
    expect(err.code).toBe(code);
    expect(err.message).toContain(rev);
  });

  it('rejects a directory that is not a repository (and does not find one above it)', async () => {
    const dir = join(work, 'requirements');
    const err = await errorOf(gitSource(execRunner, dir, 'main'));
    expect(err.code).toBe('E_GIT');
  });
});
