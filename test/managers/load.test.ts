import { describe, expect, it } from 'vitest';
import { allManagers } from '../../src/managers/api.js';
import { LOADABLE_MANAGERS, loadManagers } from '../../src/managers/load.js';
import { allDrivers } from '../../src/sandboxes/api.js';
import { LOADABLE_DRIVERS, loadDrivers } from '../../src/sandboxes/load.js';

describe('loading only what a run needs', () => {
  it('gives the same adapters as the full registry, and refuses one it was not asked to load', async () => {
    const lookup = await loadManagers(['pip', 'apt']);
    expect(lookup('pip')).toBe(allManagers().find((a) => a.id === 'pip'));
    expect(() => lookup('npm')).toThrow(/was not loaded/);
    expect(LOADABLE_MANAGERS.sort()).toEqual(allManagers().map((a) => a.id).sort());
  });

  it('does the same for sandbox drivers', async () => {
    const lookup = await loadDrivers(['venv']);
    expect(lookup('venv')).toBe(allDrivers().find((d) => d.type === 'venv'));
    expect(() => lookup('docker')).toThrow(/was not loaded/);
    expect(LOADABLE_DRIVERS.sort()).toEqual(allDrivers().map((d) => d.type).sort());
  });

  it('refuses an unknown id clearly', async () => {
    await expect(loadManagers(['nope' as never])).rejects.toThrow(/no package manager adapter named "nope"/);
  });
});
