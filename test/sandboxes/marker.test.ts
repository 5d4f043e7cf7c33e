import { mkdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { claimFolder, MARKER_FILE, readMarker } from '../../src/sandboxes/marker.js';
import { nodeDriver } from '../../src/sandboxes/node/index.js';
import { venvDriver } from '../../src/sandboxes/venv/index.js';
import { execRunner } from '../../src/util/exec.js';
import { NOW, sandbox, tempDir } from './helpers.js';

const ctx = { runner: execRunner };

describe('markers and remove', () => {
  let dir: string;
  beforeAll(async () => { dir = await realpath(await tempDir()); });

  it('remove refuses a folder without a gitfleet marker and leaves it alone', async () => {
    const path = join(dir, 'precious');
    await mkdir(path);
    await writeFile(join(path, 'data.txt'), 'keep');
    await expect(venvDriver.remove(sandbox({ type: 'venv', path }), ctx)).rejects.toMatchObject({
      code: 'E_VALIDATION', message: expect.stringMatching(/refusing to remove .*precious: it has no gitfleet marker/),
    });
    expect(await readFile(join(path, 'data.txt'), 'utf8')).toBe('keep');
  });

  it('remove refuses a marker file that is not gitfleet\'s', async () => {
    const path = join(dir, 'fake-marker');
    await mkdir(path);
    await writeFile(join(path, MARKER_FILE), '{"hello": 1}');
    expect(await readMarker(path)).toBe('invalid');
    await expect(nodeDriver.remove(sandbox({ type: 'node', path }), ctx)).rejects.toMatchObject({ code: 'E_VALIDATION' });
    expect((await stat(path)).isDirectory()).toBe(true);
  });

  it('remove deletes a folder with its marker, including what was put in it', async () => {
    const path = join(dir, 'made');
    const sb = sandbox({ type: 'node', path });
    await nodeDriver.create(sb, { ...ctx, now: NOW });
    await writeFile(join(path, 'lib', 'node_modules', 'x.js'), '');
    await nodeDriver.remove(sb, ctx);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a marker of another sandbox or another type', async () => {
    const path = join(dir, 'shared');
    await claimFolder(sandbox({ type: 'node', path, name: 'tools' }), 'node', NOW);
    await expect(nodeDriver.create(sandbox({ type: 'node', path, name: 'other' }), { ...ctx, now: NOW }))
      .rejects.toMatchObject({ code: 'E_VALIDATION', message: expect.stringMatching(/belongs to sandbox "tools"/) });
    await expect(venvDriver.remove(sandbox({ type: 'venv', path, name: 'tools' }), ctx))
      .rejects.toMatchObject({ code: 'E_VALIDATION', message: expect.stringMatching(/was made as a node sandbox, not venv/) });
    expect(await venvDriver.inspect(sandbox({ type: 'venv', path, name: 'tools' }), ctx))
      .toEqual({ exists: true, type: 'node', detail: 'gitfleet made a node sandbox here, not venv' });
  });

  it('an empty existing folder is claimed; a file at the path is refused', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    expect(await claimFolder(sandbox({ type: 'node', path: empty }), 'node', NOW)).toMatchObject({ type: 'node', createdAt: NOW });
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    await expect(claimFolder(sandbox({ type: 'node', path: file }), 'node', NOW)).rejects.toMatchObject({ code: 'E_VALIDATION' });
  });
});
