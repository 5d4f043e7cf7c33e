import { afterAll, describe, expect, it } from 'vitest';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from '../../src/host/path.js';
import { probeRuntimes } from '../../src/host/runtimes.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A temp dir holding the named files, executable unless mode says otherwise. */
async function binDir(files: Record<string, number>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gitfleet-bin-'));
  dirs.push(dir);
  for (const [name, mode] of Object.entries(files)) {
    if (mode === -1) {
      await mkdir(join(dir, name));
      continue;
    }
    await writeFile(join(dir, name), '#!/bin/false\n');
    await chmod(join(dir, name), mode);
  }
  return dir;
}

describe('findOnPath', () => {
  it('finds the first executable in PATH order and skips non-executables and directories', async () => {
    const a = await binDir({ docker: 0o644, podman: -1 });
    const b = await binDir({ docker: 0o755, podman: 0o755 });
    const env = { PATH: `${a}::/nonexistent:${b}` };
    expect(await findOnPath('docker', { env, platform: 'linux' })).toBe(join(b, 'docker'));
    expect(await findOnPath('podman', { env, platform: 'linux' })).toBe(join(b, 'podman'));
    expect(await findOnPath('nerdctl', { env, platform: 'linux' })).toBeUndefined();
    expect(await findOnPath('docker', { env: {}, platform: 'linux' })).toBeUndefined();
  });

  it('on Windows tries PATHEXT suffixes and reads Path case-insensitively', async () => {
    const dir = await binDir({ 'docker.exe': 0o644 });
    expect(await findOnPath('docker', { env: { Path: dir, PATHEXT: '.COM;.EXE' }, platform: 'win32' })).toMatch(/docker\.exe$/);
    expect(await findOnPath('docker', { env: { Path: dir, PATHEXT: '.BAT' }, platform: 'win32' })).toBeUndefined();
  });
});

describe('probeRuntimes', () => {
  it('reports docker and podman found on PATH, without running them', async () => {
    const dir = await binDir({ docker: 0o755, podman: 0o755, 'wsl.exe': 0o755 });
    expect(await probeRuntimes({ env: { PATH: dir }, platform: 'linux' })).toEqual([
      { name: 'docker', path: join(dir, 'docker') },
      { name: 'podman', path: join(dir, 'podman') },
    ]);
  });

  it('looks for wsl only on Windows (a WSL guest sees wsl.exe through interop)', async () => {
    const dir = await binDir({ 'wsl.exe': 0o755, wsl: 0o755 });
    expect(await probeRuntimes({ env: { PATH: dir }, platform: 'linux' })).toEqual([]);
    expect((await probeRuntimes({ env: { PATH: dir }, platform: 'win32' })).map((r) => r.name)).toEqual(['wsl']);
  });

  it('is empty when nothing is installed', async () => {
    expect(await probeRuntimes({ env: { PATH: await binDir({}) }, platform: 'linux' })).toEqual([]);
  });
});
