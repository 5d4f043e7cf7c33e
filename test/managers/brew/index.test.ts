import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brewAdapter } from '../../../src/managers/brew/index.js';
import { execRunner } from '../../../src/util/exec.js';
import { fakeBin } from '../../helpers/fake-bin.js';

const fixture = (f: string): string => readFileSync(new URL(`../../fixtures/brew/${f}`, import.meta.url), 'utf8');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitfleet-brew-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('brew listInstalled from a prefix (Cellar, Caskroom, opt links)', () => {
  it('reads the linked or newest keg of each formula and each cask', async () => {
    const prefix = join(tmp, 'prefix');
    for (const d of ['Cellar/wget/1.24.5', 'Cellar/wget/1.25.0', 'Cellar/bat/0.25.0', 'Cellar/bat/0.26.0', 'Cellar/jq/1.7.1_1',
      'Cellar/empty', 'Caskroom/ghostty/1.3.0', 'Caskroom/ghostty/.metadata', 'opt']) {
      await mkdir(join(prefix, d), { recursive: true });
    }
    await symlink('../Cellar/wget/1.24.5', join(prefix, 'opt', 'wget'));
    const list = await brewAdapter.listInstalled({ kind: 'root', path: prefix }, { runner: execRunner });
    expect(list).toEqual({ via: 'database', packages: { wget: '1.24.5', bat: '0.26.0', jq: '1.7.1', ghostty: '1.3.0' } });
  });

  it('is empty for a prefix without a Cellar, and E_NOT_FOUND for a missing prefix', async () => {
    await mkdir(join(tmp, 'bare'));
    expect(await brewAdapter.listInstalled({ kind: 'root', path: join(tmp, 'bare') }, { runner: execRunner })).toEqual({ via: 'database', packages: {} });
    await expect(brewAdapter.listInstalled({ kind: 'root', path: join(tmp, 'nope') }, { runner: execRunner })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});

describe('brew through its CLI (a fake brew on PATH)', () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    const bin = join(tmp, 'bin');
    await mkdir(bin);
    await fakeBin(bin, 'brew', [
      { args: ['--version'], stdout: fixture('version.txt') },
      { args: ['info', '--json=v2', '--installed'], stdout: fixture('info-installed.json') },
      { args: ['info', '--json=v2', 'wget'], stdout: fixture('info-wget.json') },
      { args: ['info', '--json=v2', 'definitely-not-a-formula'], stderr: fixture('info-not-found.stderr.txt'), exit: 1 },
      { args: ['info', '--json=v2', 'broken'], stdout: 'Warning: something odd', exit: 0 },
    ]);
    env = { PATH: bin };
  });

  it('detects brew and its version, and its absence', async () => {
    expect(await brewAdapter.detect({ runner: execRunner, env })).toEqual({ present: true, version: '4.4.15' });
    expect(await brewAdapter.detect({ runner: execRunner, env: { PATH: join(tmp, 'bare') } })).toEqual({ present: false });
  });

  it.skipIf(['/opt/homebrew', '/usr/local', '/home/linuxbrew/.linuxbrew'].some((p) => existsSync(join(p, 'Cellar'))))(
    'falls back to brew info --json=v2 --installed when no system Cellar exists',
    async () => {
      const list = await brewAdapter.listInstalled({ kind: 'system' }, { runner: execRunner, env });
      expect(list.via).toBe('command');
      expect(list.packages).toMatchObject({ wget: '1.25.0', jq: '1.7.1', ghostty: '1.3.0' });
    },
  );

  it('lists the one available version, nothing for an unknown name, and E_PARSE for garbage', async () => {
    expect(await brewAdapter.listAvailable('wget', { runner: execRunner, env })).toEqual([{ version: '1.25.0' }]);
    expect(await brewAdapter.listAvailable('definitely-not-a-formula', { runner: execRunner, env })).toEqual([]);
    await expect(brewAdapter.listAvailable('broken', { runner: execRunner, env })).rejects.toMatchObject({ code: 'E_PARSE' });
  });
});
