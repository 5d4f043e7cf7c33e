import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gemAdapter } from '../../../src/managers/gem/index.js';
import { parseGemListLocal } from '../../../src/managers/gem/parse.js';
import type { ManagerSources, PackageChange, Target } from '../../../src/managers/types.js';
import { execRunner, runChecked } from '../../../src/util/exec.js';
import { buildGem, gem, gemEnv, gemVersionHere, serveDir, type GemSpec } from './gems.js';

// Real RubyGems only; without gem the whole file is reported as skipped, with the reason in its name.
const GEM = await gemVersionHere();
const SUITE = GEM ? `gem adapter against real RubyGems ${GEM}` : 'gem adapter against real RubyGems — SKIPPED: `gem` is not on PATH (apt-get install ruby)';
// GITFLEET_GEM_CAPTURE=1 rewrites the captured fixtures from this run (see test/fixtures/gem/SOURCES.md).
const CAPTURE = process.env.GITFLEET_GEM_CAPTURE === '1';
const fixtureUrl = (f: string): URL => new URL(`../../fixtures/gem/${f}`, import.meta.url);
const fixture = (f: string): string => readFileSync(fixtureUrl(f), 'utf8');
// Captures compare byte for byte only on the RubyGems they were taken with (the default gems differ per Ruby).
const CAPTURED_WITH = fixture('version.txt').trim();

let tmp: string;
let platform: string;
let files: Record<string, string>;
let source: Awaited<ReturnType<typeof serveDir>>;

/** `gem list --local` for a GEM_HOME (GEM_HOME = GEM_PATH = it): the reference the adapter must equal. */
async function gemListLocal(home: string): Promise<string> {
  return (await gem(['list', '--local'], gemEnv(tmp, home))).stdout;
}

/** Checks a live output against its captured fixture, or rewrites the fixture when capturing. */
async function captured(file: string, live: string): Promise<void> {
  if (CAPTURE) await writeFile(fixtureUrl(file), live);
  else if (GEM === CAPTURED_WITH) expect(live).toBe(fixture(file));
}

describe.skipIf(!GEM)(SUITE, () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'gitfleet-gem-'));
    await mkdir(join(tmp, 'user'));
    const env = gemEnv(tmp, join(tmp, 'build-home'));
    platform = (await runChecked(execRunner, { file: 'ruby', args: ['-e', 'print Gem::Platform.local'], env, cleanEnv: true })).stdout.trim();
    const repo = join(tmp, 'repo');
    const specs: GemSpec[] = [
      { name: 'foo-bar_baz', version: '0.9' }, { name: 'foo-bar_baz', version: '1.0.0.rc1' }, { name: 'foo-bar_baz', version: '1.0.0' },
      // Each native_gem version also as a plain ruby build: RubyGems 3.3 cannot install a version that a legacy index
      // (generate_index, no compact index) has for a platform only (InstallerSet compares Gem::Platform.local === "x86_64-linux").
      { name: 'native_gem', version: '1.5', platform }, { name: 'native_gem', version: '1.5' }, { name: 'native_gem', version: '2.0', platform },
      { name: 'native_gem', version: '2.0' }, { name: 'native_gem', version: '3.0', platform: 'java' },
      // json is a default gem of every Ruby: 0.1.0 and 99.0.0 lie below and above whichever it ships.
      { name: 'json', version: '0.1.0' }, { name: 'json', version: '99.0.0' },
    ];
    const built = await Promise.all(specs.map((s) => buildGem(tmp, join(repo, 'gems'), s, env)));
    files = Object.fromEntries(specs.map((s, i) => [`${s.name}-${s.version}${s.platform ? `-${s.platform === platform ? 'local' : s.platform}` : ''}`, built[i] ?? '']));
    await gem(['generate_index', '--directory', repo], env);
    source = await serveDir(repo);
  }, 60_000);

  afterAll(async () => {
    await source?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('lists a GEM_HOME filled by gem install --local exactly as gem list --local does, default gems out on both sides', async () => {
    const home = join(tmp, 'local-home');
    await gem(['install', '--local', '--no-document', '--ignore-dependencies', '--install-dir', home,
      ...['foo-bar_baz-0.9', 'foo-bar_baz-1.0.0.rc1', 'foo-bar_baz-1.0.0', 'native_gem-1.5-local', 'native_gem-2.0-local', 'json-99.0.0'].map((k) => files[k] ?? '')],
    gemEnv(tmp, home), { cwd: tmp });
    const raw = await gemListLocal(home);
    // What gem itself says: all versions, the platform, and the Ruby's own json beside ours.
    expect(raw).toMatch(/^foo-bar_baz \(1\.0\.0, 1\.0\.0\.rc1, 0\.9\)$/m);
    expect(raw).toContain(`native_gem (2.0 ${platform}, 1.5 ${platform})`);
    expect(raw).toMatch(/^json \(99\.0\.0, default: [0-9.]+\)$/m);
    expect(raw).toMatch(/^\w+ \(default: [0-9.]+\)$/m);
    const want = { 'foo-bar_baz': '1.0.0', native_gem: '2.0', json: '99.0.0' };
    expect(parseGemListLocal(raw)).toEqual(want);
    expect(await gemAdapter.listInstalled({ kind: 'root', path: home }, { runner: execRunner })).toEqual({ via: 'database', packages: want });
    // The system target reads GEM_HOME's files only when GEM_PATH is that folder too; otherwise gem list decides.
    expect(await gemAdapter.listInstalled({ kind: 'system' }, { runner: execRunner, env: gemEnv(tmp, home) })).toEqual({ via: 'database', packages: want });
    const { GEM_PATH: _, ...homeOnly } = gemEnv(tmp, home);
    const wide = await gemAdapter.listInstalled({ kind: 'system' }, { runner: execRunner, env: homeOnly });
    expect(wide.via).toBe('command');
    expect(wide.packages).toEqual(parseGemListLocal((await gem(['list', '--local'], homeOnly)).stdout));
    expect(wide.packages).toMatchObject(want);
    if (platform === 'x86_64-linux') await captured('list-local-captured.txt', raw);
  });

  it('lists the Ruby\'s own gem folder (its bundled gems) exactly as gem list --local does', async () => {
    const env = gemEnv(tmp, join(tmp, 'unused'));
    const dir = (await runChecked(execRunner, { file: 'ruby', args: ['-e', "print File.expand_path('../..', Gem.default_specifications_dir)"], env, cleanEnv: true })).stdout;
    const raw = await gemListLocal(dir);
    expect(raw).toMatch(/\(default: /);
    expect(await gemAdapter.listInstalled({ kind: 'root', path: dir }, { runner: execRunner })).toEqual({ via: 'database', packages: parseGemListLocal(raw) });
  });

  it('detects gem and its version', async () => {
    const live = (await gem(['--version'], gemEnv(tmp, join(tmp, 'unused')))).stdout;
    expect(await gemAdapter.detect({ runner: execRunner, env: gemEnv(tmp, join(tmp, 'unused')) })).toEqual({ present: true, version: live.trim() });
    expect(await gemAdapter.detect({ runner: execRunner, env: { PATH: join(tmp, 'no-bin') } })).toEqual({ present: false });
    await captured('version.txt', live);
  });

  describe('listAvailable from a gem source on 127.0.0.1 (gem generate_index, served by node:http)', () => {
    const ctx = (): { runner: typeof execRunner; env: Record<string, string>; timeoutMs: number } => ({ runner: execRunner, env: gemEnv(tmp, join(tmp, 'list-home')), timeoutMs: 30_000 });

    it('gives every version once, prereleases and other platforms included, oldest first', async () => {
      const sources: ManagerSources = { indexUrl: source.url };
      expect(await gemAdapter.listAvailable('foo-bar_baz', ctx(), sources)).toEqual([{ version: '0.9' }, { version: '1.0.0.rc1' }, { version: '1.0.0' }]);
      expect(await gemAdapter.listAvailable('native_gem', ctx(), sources)).toEqual([{ version: '1.5' }, { version: '2.0' }, { version: '3.0' }]);
      expect(source.requests).toContain('GET /prerelease_specs.4.8.gz');
      for (const name of ['foo-bar_baz', 'native_gem']) {
        const raw = (await gem(['list', '--remote', '--exact', '--all', '--prerelease', '--clear-sources', '--source', source.url, name], ctx().env)).stdout;
        if (platform === 'x86_64-linux') await captured(`list-remote-${name}.txt`, raw);
      }
    });

    it('is empty for a gem the source does not have (gem install --explain says so)', async () => {
      expect(await gemAdapter.listAvailable('no-such-gem', ctx(), { indexUrl: source.url })).toEqual([]);
      const probe = await execRunner.run({ file: 'gem', args: ['install', 'no-such-gem', '--explain', '--prerelease', '--ignore-dependencies', '--clear-sources', '--source', source.url], env: ctx().env, cleanEnv: true });
      expect(probe.exitCode).not.toBe(0);
      await captured('explain-absent.txt', probe.stderr);
    });

    it.each([
      ['a source nobody listens on', 'refused', async () => (await closedUrl()), /Unable to download data from http:\/\/127\.0\.0\.1:\d+\/ - Errno::ECONNREFUSED/],
      ['a folder that is no gem source (404)', '404', async () => (await emptySource()), /Unable to download data from .* bad response .*404/],
    ])('fails (E_COMMAND_FAILED) for %s, which gem list --remote alone would call empty', async (_what, slug, url, reason) => {
      const u = await url();
      if (CAPTURE) {
        // Captured, not compared: the text names the port.
        const probe = await execRunner.run({ file: 'gem', args: ['install', 'foo-bar_baz', '--explain', '--prerelease', '--ignore-dependencies', '--clear-sources', '--source', u], env: ctx().env, cleanEnv: true });
        await writeFile(fixtureUrl(`explain-${slug}.txt`), probe.stderr);
      }
      const raw = await gem(['list', '--remote', '--exact', '--all', '--prerelease', '--clear-sources', '--source', u, 'foo-bar_baz'], ctx().env);
      expect(raw.stdout.trim()).toBe('');
      await expect(gemAdapter.listAvailable('foo-bar_baz', ctx(), { indexUrl: u })).rejects.toMatchObject({
        code: 'E_COMMAND_FAILED', message: expect.stringMatching(reason),
      });
    });

    it('gives E_COMMAND_TIMEOUT within the timeout when the source never answers', async () => {
      const hanging = await serveDir(join(tmp, 'repo'), true);
      try {
        const started = Date.now();
        await expect(gemAdapter.listAvailable('foo-bar_baz', { ...ctx(), timeoutMs: 1500 }, { indexUrl: hanging.url })).rejects.toMatchObject({ code: 'E_COMMAND_TIMEOUT' });
        expect(Date.now() - started).toBeLessThan(8_000);
        expect(hanging.requests.length).toBeGreaterThan(0);
      } finally {
        await hanging.close();
      }
    });
  });

  describe('commands really change a GEM_HOME (installs from the source on 127.0.0.1)', () => {
    let home: string;
    let target: Target;
    // Only HOME and the proxy bypass from outside: GEM_HOME/GEM_PATH must come from the commands themselves.
    const baseEnv = (): Record<string, string> => ({ HOME: join(tmp, 'user'), no_proxy: '127.0.0.1', NO_PROXY: '127.0.0.1' });

    async function apply(changes: PackageChange[]): Promise<void> {
      for (const cmd of gemAdapter.commands(changes, target, { indexUrl: source.url })) {
        await runChecked(execRunner, { ...cmd, env: { ...baseEnv(), ...cmd.env }, cleanEnv: true, timeoutMs: 30_000 });
      }
    }

    async function listed(): Promise<Record<string, string>> {
      const got = await gemAdapter.listInstalled(target, { runner: execRunner });
      expect(got.via).toBe('database');
      expect(got.packages).toEqual(parseGemListLocal(await gemListLocal(home)));
      return { ...got.packages };
    }

    beforeAll(async () => {
      home = join(tmp, 'apply-home');
      await mkdir(home);
      target = { kind: 'root', path: home };
    });

    it('installs, upgrades, downgrades (past the Ruby\'s default json) and removes; the listing follows gem list each time', async () => {
      await apply([
        { kind: 'install', name: 'foo-bar_baz', version: '1.0.0.rc1' },
        { kind: 'install', name: 'native_gem', version: '1.5' },
        { kind: 'install', name: 'json', version: '99.0.0' },
      ]);
      expect(await listed()).toEqual({ 'foo-bar_baz': '1.0.0.rc1', native_gem: '1.5', json: '99.0.0' });

      await apply([
        { kind: 'upgrade', name: 'foo-bar_baz', version: '1.0.0' },
        { kind: 'upgrade', name: 'native_gem', version: '2.0' },
        { kind: 'downgrade', name: 'json', version: '0.1.0' },
      ]);
      expect(await listed()).toEqual({ 'foo-bar_baz': '1.0.0', native_gem: '2.0', json: '0.1.0' });
      // The platform build was chosen over the ruby one; the upgrade kept 1.5 beside 2.0.
      expect((await readdir(join(home, 'specifications'))).sort()).toEqual([
        'foo-bar_baz-1.0.0.gemspec', 'foo-bar_baz-1.0.0.rc1.gemspec', 'json-0.1.0.gemspec', `native_gem-1.5-${platform}.gemspec`, `native_gem-2.0-${platform}.gemspec`,
      ]);
      expect(await gemListLocal(home)).toMatch(/^json \(default: [0-9.]+, 0\.1\.0\)$/m);

      // A downgrade takes every newer version away (1.0.0 and 1.0.0.rc1), not one of them.
      await apply([{ kind: 'downgrade', name: 'foo-bar_baz', version: '0.9' }, { kind: 'remove', name: 'native_gem' }, { kind: 'remove', name: 'json' }]);
      expect(await listed()).toEqual({ 'foo-bar_baz': '0.9' });
      expect(await readdir(join(home, 'specifications'))).toEqual(['foo-bar_baz-0.9.gemspec']);
      expect(await gemListLocal(home)).toMatch(/^json \(default: [0-9.]+\)$/m);
    });

    it('a version the source lacks fails the batch before anything is removed', async () => {
      await expect(apply([{ kind: 'install', name: 'native_gem', version: '9.9' }])).rejects.toMatchObject({ code: 'E_COMMAND_FAILED' });
      await expect(apply([{ kind: 'downgrade', name: 'foo-bar_baz', version: '0.1' }])).rejects.toMatchObject({
        code: 'E_COMMAND_FAILED', message: expect.stringContaining("Could not find a valid gem 'foo-bar_baz' (= 0.1)"),
      });
      expect(await listed()).toEqual({ 'foo-bar_baz': '0.9' });
    });
  });
});

/** A 127.0.0.1 URL where nothing listens (a server's port, closed again). */
async function closedUrl(): Promise<string> {
  const s = await serveDir(tmp);
  await s.close();
  return s.url;
}

/** A 127.0.0.1 source that answers 404 to everything (a folder without an index). */
let empty: Awaited<ReturnType<typeof serveDir>> | undefined;
async function emptySource(): Promise<string> {
  if (!empty) {
    await mkdir(join(tmp, 'empty'), { recursive: true });
    empty = await serveDir(join(tmp, 'empty'));
  }
  return empty.url;
}
afterAll(async () => {
  await empty?.close();
});

// Without gem too: the reader of specifications/ on folders written by hand (cases gem would not produce here).
describe('gem listInstalled from a hand-made specifications/ folder', () => {
  it('reads file names, falls back to the gemspec text, ignores default/ and other files; E_NOT_FOUND without the folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitfleet-gem-specs-'));
    try {
      const home = join(dir, 'home');
      await mkdir(join(home, 'specifications', 'default'), { recursive: true });
      for (const f of ['rake-13.0.3.gemspec', 'rake-13.1.0.gemspec', 'ffi-1.16.3-universal-darwin-20.gemspec', 'default/json-2.7.1.gemspec', 'default/rake-99.0.gemspec']) {
        await writeFile(join(home, 'specifications', f), '');
      }
      // A platform the file-name reader does not know: the gemspec text gives name and version.
      await writeFile(join(home, 'specifications', 'weird-1.0-newcpu-newos.gemspec'), 'Gem::Specification.new do |s|\n  s.name = "weird".freeze\n  s.version = "1.0"\n');
      await writeFile(join(home, 'specifications', 'notes.txt'), 'not a spec');
      expect(await gemAdapter.listInstalled({ kind: 'root', path: home }, { runner: execRunner })).toEqual({
        via: 'database', packages: { rake: '13.1.0', ffi: '1.16.3', weird: '1.0' },
      });
      await expect(gemAdapter.listInstalled({ kind: 'root', path: join(dir, 'nope') }, { runner: execRunner })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
