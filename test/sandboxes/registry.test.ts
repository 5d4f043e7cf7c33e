import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allDrivers, driverFor, sandboxRunner } from '../../src/sandboxes/api.js';
import { venvDriver } from '../../src/sandboxes/venv/index.js';
import type { Command } from '../../src/util/exec.js';
import { sandbox, scriptedRunner } from './helpers.js';

const SRC = fileURLToPath(new URL('../../src/sandboxes/', import.meta.url));

describe('sandbox driver registry', () => {
  it('registers one driver per folder under src/sandboxes, and each folder\'s type is its name', async () => {
    const folders = (await readdir(SRC, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(allDrivers().map((d) => d.type).sort()).toEqual(folders);
    for (const f of folders) expect(driverFor(f).type).toBe(f);
  });

  it('covers every sandbox type of the schema', () => {
    expect(allDrivers().map((d) => d.type).sort()).toEqual(['conda', 'docker', 'node', 'venv', 'wsl']);
  });

  it('an unknown type is E_NOT_FOUND', () => {
    expect(() => driverFor('lxc')).toThrow(expect.objectContaining({ code: 'E_NOT_FOUND' }));
  });
});

describe('sandboxRunner', () => {
  it('runs every command through the driver\'s exec', async () => {
    const sb = sandbox({ type: 'docker', path: '/opt/gitfleet/sandboxes/trainer', image: 'alpine:3.20' });
    const inner = scriptedRunner({ 'docker exec gitfleet-trainer pip list': { stdout: 'ok' } });
    const res = await sandboxRunner(sb, inner).run({ file: 'pip', args: ['list'] });
    expect(res.stdout).toBe('ok');
  });

  it('takes an explicit driver', async () => {
    const seen: Command[] = [];
    const sb = sandbox({ type: 'venv', path: '/opt/v' });
    await sandboxRunner(sb, { run: async (cmd) => { seen.push(cmd); return { command: cmd, exitCode: 0, stdout: '', stderr: '', durationMs: 0 }; } }, venvDriver)
      .run({ file: 'python', args: [], env: { PATH: '/usr/bin' } });
    expect(seen[0]?.env?.PATH).toBe('/opt/v/bin:/usr/bin');
  });
});
