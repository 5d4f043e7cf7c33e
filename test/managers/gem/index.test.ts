import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gemAdapter } from '../../../src/managers/gem/index.js';
import { execRunner } from '../../../src/util/exec.js';
import { fakeBin } from '../../helpers/fake-bin.js';

const fixture = (f: string): string => readFileSync(new URL(`../../fixtures/gem/${f}`, import.meta.url), 'utf8');

let tmp: string;
let env: Record<string, string>;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitfleet-gem-'));
  const bin = join(tmp, 'bin');
  await mkdir(bin);
  await fakeBin(bin, 'gem', [
    { args: ['--version'], stdout: fixture('version.txt') },
    { args: ['list', '--local'], stdout: fixture('list-local.txt') },
    { args: ['list', '--remote', '--exact', '--all', 'nokogiri'], stdout: fixture('list-remote-nokogiri.txt') },
    { args: ['list', '--remote', '--exact', '--all', 'flaky'], stdout: '', stderr: 'ERROR:  Could not find a valid gem', exit: 2 },
  ]);
  env = { PATH: bin };
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('gem listInstalled from specifications/', () => {
  it('reads file names (platforms, dashes, default gems), the highest version per gem', async () => {
    const home = join(tmp, 'home');
    await mkdir(join(home, 'specifications', 'default'), { recursive: true });
    for (const f of ['rake-13.0.3.gemspec', 'rake-13.1.0.gemspec', 'nokogiri-1.16.5-x86_64-linux.gemspec', 'diff-lcs-1.4.4.gemspec',
      'ffi-1.16.3-universal-darwin-20.gemspec', 'default/json-2.7.1.gemspec', 'default/rake-12.3.3.gemspec']) {
      await writeFile(join(home, 'specifications', f), '');
    }
    // A platform this parser does not know: the gemspec text gives name and version.
    await writeFile(join(home, 'specifications', 'weird-1.0-newcpu-newos.gemspec'), 'Gem::Specification.new do |s|\n  s.name = "weird".freeze\n  s.version = "1.0"\n');
    await writeFile(join(home, 'specifications', 'notes.txt'), 'not a spec');
    expect(await gemAdapter.listInstalled({ kind: 'root', path: home }, { runner: execRunner, env })).toEqual({
      via: 'database',
      packages: { rake: '13.1.0', nokogiri: '1.16.5', 'diff-lcs': '1.4.4', ffi: '1.16.3', json: '2.7.1', weird: '1.0' },
    });
    expect(await gemAdapter.listInstalled({ kind: 'system' }, { runner: execRunner, env: { ...env, GEM_HOME: home } }))
      .toMatchObject({ via: 'database', packages: { rake: '13.1.0' } });
  });

  it('is empty for a fresh GEM_HOME and E_NOT_FOUND for a missing one', async () => {
    await mkdir(join(tmp, 'fresh'));
    expect(await gemAdapter.listInstalled({ kind: 'root', path: join(tmp, 'fresh') }, { runner: execRunner, env })).toEqual({ via: 'database', packages: {} });
    await expect(gemAdapter.listInstalled({ kind: 'root', path: join(tmp, 'nope') }, { runner: execRunner, env })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});

describe('gem through its CLI (a fake gem on PATH)', () => {
  it('detects gem and falls back to gem list --local without a GEM_HOME', async () => {
    expect(await gemAdapter.detect({ runner: execRunner, env })).toEqual({ present: true, version: '3.5.9' });
    const list = await gemAdapter.listInstalled({ kind: 'system' }, { runner: execRunner, env });
    expect(list.via).toBe('command');
    expect(list.packages).toMatchObject({ debug: '1.5.0', nokogiri: '1.10.7' });
  });

  it('lists remote versions, and reports a failing gem as a command error', async () => {
    expect((await gemAdapter.listAvailable('nokogiri', { runner: execRunner, env }))[0]).toEqual({ version: '1.16.5' });
    await expect(gemAdapter.listAvailable('flaky', { runner: execRunner, env })).rejects.toMatchObject({ code: 'E_COMMAND_FAILED' });
  });

  it('gives E_COMMAND_TIMEOUT within the timeout when gem hangs', async () => {
    const bin = join(tmp, 'hang');
    await mkdir(bin);
    await fakeBin(bin, 'gem', [{ args: ['list', '--local'], stdout: fixture('list-local.txt'), sleepMs: 30_000 }]);
    const started = Date.now();
    await expect(gemAdapter.listInstalled({ kind: 'system' }, { runner: execRunner, env: { PATH: bin }, timeoutMs: 700 }))
      .rejects.toMatchObject({ code: 'E_COMMAND_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
