import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { condaAdapter } from '../../../src/managers/conda/index.js';
import { execRunner } from '../../../src/util/exec.js';
import { fakeBin } from '../../helpers/fake-bin.js';

const fixture = (f: string): string => readFileSync(new URL(`../../fixtures/conda/${f}`, import.meta.url), 'utf8');

let tmp: string;
let env: Record<string, string>;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitfleet-conda-'));
  const bin = join(tmp, 'bin');
  await mkdir(bin);
  await fakeBin(bin, 'conda', [
    { args: ['--version'], stdout: fixture('version.txt') },
    { args: ['list', '--json', '-p', join(tmp, 'no-meta')], stdout: fixture('list.json') },
    { args: ['search', 'numpy', '--json'], stdout: fixture('search-numpy.json') },
    { args: ['search', 'definitely-not-a-package', '--json'], stdout: fixture('search-not-found.json'), exit: 1 },
    { args: ['search', 'offline', '--json'], stdout: '{"error": "CondaHTTPError: HTTP 000 CONNECTION FAILED", "exception_name": "CondaHTTPError"}', exit: 1 },
  ]);
  env = { PATH: bin };
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('conda listInstalled', () => {
  it('reads conda-meta/*.json of an environment, ignoring the history file', async () => {
    const envDir = join(tmp, 'env');
    await mkdir(join(envDir, 'conda-meta'), { recursive: true });
    await writeFile(join(envDir, 'conda-meta', 'numpy-1.26.4-py311h64a7726_0.json'), fixture('conda-meta-numpy-1.26.4-py311h64a7726_0.json'));
    await writeFile(join(envDir, 'conda-meta', 'openssl-1.1.1w-hd590300_0.json'), JSON.stringify({ name: 'openssl', version: '1.1.1w', build: 'hd590300_0' }));
    await writeFile(join(envDir, 'conda-meta', 'history'), '==> 2024-02-06 13:20:59 <==\n# cmd: conda create -p env numpy\n+conda-forge/linux-64::numpy-1.26.4-py311h64a7726_0\n');
    expect(await condaAdapter.listInstalled({ kind: 'conda-env', path: envDir }, { runner: execRunner, env })).toEqual({
      via: 'database', packages: { numpy: '1.26.4', openssl: '1.1.1w' },
    });
  });

  it('fails clearly on a corrupt record', async () => {
    const envDir = join(tmp, 'corrupt');
    await mkdir(join(envDir, 'conda-meta'), { recursive: true });
    await writeFile(join(envDir, 'conda-meta', 'numpy-1.26.4-0.json'), '{"name": "numpy", "vers');
    await expect(condaAdapter.listInstalled({ kind: 'conda-env', path: envDir }, { runner: execRunner, env }))
      .rejects.toMatchObject({ code: 'E_PARSE', message: expect.stringContaining('numpy-1.26.4-0.json') });
  });

  it('falls back to conda list --json -p PATH without conda-meta', async () => {
    expect(await condaAdapter.listInstalled({ kind: 'conda-env', path: join(tmp, 'no-meta') }, { runner: execRunner, env })).toEqual({
      via: 'command', packages: { 'absl-py': '0.9.0', alabaster: '0.7.12', zlib: '1.2.11', zstd: '1.4.4' },
    });
  });
});

describe('conda through its CLI (a fake conda on PATH)', () => {
  it('detects conda', async () => {
    expect(await condaAdapter.detect({ runner: execRunner, env })).toEqual({ present: true, version: '24.1.2' });
  });

  it('lists available versions, nothing for an unknown package, a command error otherwise', async () => {
    expect((await condaAdapter.listAvailable('numpy', { runner: execRunner, env })).map((v) => v.version)).toEqual(['1.24.2', '1.26.4', '1.9.3', '1.7.1']);
    expect(await condaAdapter.listAvailable('definitely-not-a-package', { runner: execRunner, env })).toEqual([]);
    await expect(condaAdapter.listAvailable('offline', { runner: execRunner, env })).rejects.toMatchObject({ code: 'E_COMMAND_FAILED' });
  });
});
