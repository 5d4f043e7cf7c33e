import { mkdir, realpath, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { condaBinDirs, condaCreateCommand, condaDriver, condaRemoveCommand, makeCondaDriver } from '../../../src/sandboxes/conda/index.js';
import { MARKER_FILE } from '../../../src/sandboxes/marker.js';
import { execRunner } from '../../../src/util/exec.js';
import { NOW, sandbox, tempDir } from '../helpers.js';

describe('conda absent, for real', () => {
  let dir: string;
  let ctx: { runner: typeof execRunner; env: Record<string, string> };
  beforeAll(async () => {
    dir = await realpath(await tempDir());
    // a PATH with nothing on it makes "absent" certain whatever this machine has installed
    await mkdir(join(dir, 'empty-bin'));
    ctx = { runner: execRunner, env: { PATH: join(dir, 'empty-bin') } };
  });

  it('available() is false and says why', async () => {
    expect(await condaDriver.available(ctx)).toEqual({ ok: false, reason: 'conda is not available on this host: none of conda, mamba, micromamba is on PATH' });
  });

  it('create() rejects with E_UNSUPPORTED and leaves nothing behind', async () => {
    const path = join(dir, 'env');
    await expect(condaDriver.create(sandbox({ type: 'conda', path, python: '3.11' }), { ...ctx, now: NOW })).rejects.toMatchObject({
      code: 'E_UNSUPPORTED', message: expect.stringMatching(/^conda is not available on this host/),
    });
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it('remove() of a marked folder still works without conda (the folder is gitfleet\'s)', async () => {
    const path = join(dir, 'old-env');
    await mkdir(join(path, 'conda-meta'), { recursive: true });
    await writeFile(join(path, MARKER_FILE), JSON.stringify({ name: 'trainer', type: 'conda', template: 't', limits: {}, createdAt: NOW, gitfleet: 1 }));
    const sb = sandbox({ type: 'conda', path });
    expect(await condaDriver.inspect(sb, ctx)).toEqual({ exists: true, type: 'conda', detail: 'a conda env' });
    await condaDriver.remove(sb, ctx);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });
});

describe('conda commands (pure)', () => {
  const sb = sandbox({ type: 'conda', path: '/opt/gitfleet/sandboxes/trainer', python: '3.11' });
  it.each(['conda', 'mamba', 'micromamba'])('%s create and remove', (tool) => {
    expect(condaCreateCommand(tool, sb)).toEqual({ file: tool, args: ['create', '-y', '-p', '/opt/gitfleet/sandboxes/trainer', 'python=3.11'] });
    expect(condaRemoveCommand(tool, sb)).toEqual({ file: tool, args: ['env', 'remove', '-y', '-p', '/opt/gitfleet/sandboxes/trainer'] });
  });
  it('without a python version, an empty env', () => {
    expect(condaCreateCommand('conda', { ...sb, python: undefined }).args).toEqual(['create', '-y', '-p', '/opt/gitfleet/sandboxes/trainer']);
  });
  it('exec and target', () => {
    expect(makeCondaDriver('linux').exec(sb, { file: 'python', args: [], env: { PATH: '/usr/bin' } }).env).toEqual({
      CONDA_PREFIX: '/opt/gitfleet/sandboxes/trainer', CONDA_DEFAULT_ENV: '/opt/gitfleet/sandboxes/trainer', PATH: '/opt/gitfleet/sandboxes/trainer/bin:/usr/bin',
    });
    expect(condaBinDirs('C:\\e', 'win32')).toEqual(['C:\\e', 'C:\\e\\Library\\mingw-w64\\bin', 'C:\\e\\Library\\usr\\bin', 'C:\\e\\Library\\bin', 'C:\\e\\Scripts', 'C:\\e\\bin']);
    expect(condaDriver.target(sb)).toEqual({ kind: 'conda-env', path: '/opt/gitfleet/sandboxes/trainer' });
  });
});
