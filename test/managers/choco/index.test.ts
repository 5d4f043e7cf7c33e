import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chocoAdapter } from '../../../src/managers/choco/index.js';
import { execRunner } from '../../../src/util/exec.js';
import { fakeBin } from '../../helpers/fake-bin.js';

const fixture = (f: string): string => readFileSync(new URL(`../../fixtures/choco/${f}`, import.meta.url), 'utf8');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitfleet-choco-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('choco listInstalled from lib/<id>/<id>.nuspec', () => {
  it('reads every package folder with a nuspec and skips the others', async () => {
    const root = join(tmp, 'chocolatey');
    for (const [folder, file, text] of [
      ['git.install', 'git.install.nuspec', fixture('git.install.nuspec')],
      ['git', 'git.nuspec', fixture('git.nuspec')],
      ['7zip', '7zip.nuspec', '<package><metadata><id>7zip</id><version>23.1.0</version></metadata></package>'],
    ] as const) {
      await mkdir(join(root, 'lib', folder), { recursive: true });
      await writeFile(join(root, 'lib', folder, file), text);
    }
    await mkdir(join(root, 'lib', 'half-installed'), { recursive: true });
    await writeFile(join(root, 'lib', '.chocolateyPending'), '');
    const list = await chocoAdapter.listInstalled({ kind: 'root', path: root }, { runner: execRunner });
    expect(list).toEqual({ via: 'database', packages: { 'git.install': '2.43.0', git: '2.43.0', '7zip': '23.1.0' } });
  });

  it('uses %ChocolateyInstall% from the context for the system, and fails clearly on a broken nuspec', async () => {
    const root = join(tmp, 'broken');
    await mkdir(join(root, 'lib', 'bad'), { recursive: true });
    await writeFile(join(root, 'lib', 'bad', 'bad.nuspec'), 'not xml at all');
    await expect(chocoAdapter.listInstalled({ kind: 'system' }, { runner: execRunner, env: { ChocolateyInstall: root } }))
      .rejects.toMatchObject({ code: 'E_PARSE', message: expect.stringContaining('bad.nuspec') });
  });

  it('refuses a missing root and a venv target', async () => {
    await expect(chocoAdapter.listInstalled({ kind: 'root', path: join(tmp, 'nope') }, { runner: execRunner })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await expect(chocoAdapter.listInstalled({ kind: 'venv', path: tmp }, { runner: execRunner })).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
  });
});

describe('choco through its CLI (a fake choco on PATH)', () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    const bin = join(tmp, 'bin');
    await mkdir(bin);
    await fakeBin(bin, 'choco', [
      { args: ['--version'], stdout: fixture('version.txt') },
      { args: ['list', '-r'], stdout: fixture('list-r.txt') },
      { args: ['search', 'git', '--exact', '--all-versions', '-r'], stdout: fixture('search-git-all-versions.txt') },
      { args: ['search', 'nothing', '--exact', '--all-versions', '-r'], stdout: '' },
      { args: ['search', 'broken', '--exact', '--all-versions', '-r'], stdout: fixture('nonelevated-warning-only.txt') },
    ]);
    env = { PATH: bin };
  });

  it('detects choco', async () => {
    expect(await chocoAdapter.detect({ runner: execRunner, env })).toEqual({ present: true, version: '2.2.2' });
    expect(await chocoAdapter.detect({ runner: execRunner, env: { PATH: tmp } })).toEqual({ present: false });
  });

  it.skipIf(process.platform === 'win32' || process.env.ChocolateyInstall !== undefined)(
    'falls back to choco list -r when there is no install directory to read',
    async () => {
      const list = await chocoAdapter.listInstalled({ kind: 'system' }, { runner: execRunner, env });
      expect(list.via).toBe('command');
      expect(list.packages).toMatchObject({ git: '2.43.0', chocolatey: '2.2.2' });
    },
  );

  it('lists available versions; empty for none; E_PARSE for prose', async () => {
    expect((await chocoAdapter.listAvailable('git', { runner: execRunner, env })).length).toBe(9);
    expect(await chocoAdapter.listAvailable('nothing', { runner: execRunner, env })).toEqual([]);
    await expect(chocoAdapter.listAvailable('broken', { runner: execRunner, env })).rejects.toMatchObject({ code: 'E_PARSE' });
  });

  it.skipIf(process.platform === 'win32' || process.env.ChocolateyInstall !== undefined)(
    'gives E_COMMAND_TIMEOUT within the timeout when choco hangs',
    async () => {
      const bin = join(tmp, 'hang');
      await mkdir(bin);
      await fakeBin(bin, 'choco', [{ args: ['list', '-r'], stdout: fixture('list-r.txt'), sleepMs: 30_000 }]);
      const started = Date.now();
      await expect(chocoAdapter.listInstalled({ kind: 'system' }, { runner: execRunner, env: { PATH: bin }, timeoutMs: 700 }))
        .rejects.toMatchObject({ code: 'E_COMMAND_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(5_000);
    },
  );
});
