import { describe, expect, it } from 'vitest';
import { observePartial } from '../../src/apply/partial.js';
import type { HostDeps } from '../../src/apply/context.js';
import type { Journal } from '../../src/apply/journal.js';
import { loadManagers } from '../../src/managers/load.js';
import { loadDrivers } from '../../src/sandboxes/load.js';
import { execRunner } from '../../src/util/exec.js';

// Two venvs whose folders are gone, so neither can be read back (and no process runs).
const venv = (name: string) => ({ name, template: 'venv', type: 'venv' as const, path: `/nonexistent/gitfleet-test/${name}`, env: {}, secrets: [] });

function journal(): Journal {
  return {
    version: 1, id: 'j', host: 'h', revision: 'r', startedAt: '2026-01-01T00:00:00.000Z', status: 'running',
    inventoryBefore: { packages: {}, sandboxes: {} }, sandboxes: [venv('a'), venv('b')],
    snapshot: [
      { target: 'sandbox:a', manager: 'pip', name: 'Alpha', version: '1.0.0' },
      { target: 'sandbox:a', manager: 'pip', name: 'beta', version: null },
      { target: 'sandbox:b', manager: 'pip', name: 'gamma', version: '1.0.0' },
    ],
    batches: [
      { index: 0, kind: 'packages', target: 'sandbox:a', manager: 'pip', changes: [{ kind: 'upgrade', name: 'Alpha', version: '1.1.0' }, { kind: 'install', name: 'beta', version: '2.0.0' }], state: 'done' },
      { index: 1, kind: 'packages', target: 'sandbox:b', manager: 'pip', changes: [{ kind: 'upgrade', name: 'gamma', version: '1.1.0' }], state: 'failed' },
    ],
  };
}

describe('observePartial where a target cannot be read back', () => {
  it('takes a done batch at its word, leaves a failed one as it was and names it unobserved', async () => {
    const deps: HostDeps = { runner: execRunner, manager: await loadManagers(['pip']), driver: await loadDrivers(['venv']), fleetDir: '/nonexistent' };
    const before = { packages: { 'sandbox:a': { pip: { alpha: '1.0.0' } }, 'sandbox:b': { pip: { gamma: '1.0.0' } } }, sandboxes: {} };
    const out = await observePartial(journal(), before, deps);
    expect(out.inventory.packages).toEqual({ 'sandbox:a': { pip: { alpha: '1.1.0', beta: '2.0.0' } }, 'sandbox:b': { pip: { gamma: '1.0.0' } } });
    expect(out.changed).toEqual([
      { target: 'sandbox:a', manager: 'pip', name: 'Alpha', from: '1.0.0', to: '1.1.0' },
      { target: 'sandbox:a', manager: 'pip', name: 'beta', from: undefined, to: '2.0.0' },
    ]);
    expect(out.unobserved).toEqual([expect.stringMatching(/^sandbox:b pip: .*nonexistent\/gitfleet-test\/b/)]);
    expect(before.packages['sandbox:a'].pip).toEqual({ alpha: '1.0.0' }); // the input is not changed in place
  });
});

describe('observePartial with a version the ecosystem cannot parse', () => {
  const unparsable = (before: string, after: string): Journal => ({
    ...journal(),
    snapshot: [{ target: 'sandbox:a', manager: 'pip', name: 'pip', version: before }],
    batches: [{ index: 0, kind: 'packages', target: 'sandbox:a', manager: 'pip', changes: [{ kind: 'upgrade', name: 'pip', version: after }], state: 'done' }],
  });

  it.each([
    ['an unparsable snapshot version is "different", not an exception', '0.9-custom-build', '1.0', [{ target: 'sandbox:a', manager: 'pip', name: 'pip', from: '0.9-custom-build', to: '1.0' }], '1.0'],
    ['the same unparsable string on both sides is "the same"', '0.9-custom-build', '0.9-custom-build', [], '0.9-custom-build'],
  ])('%s', async (_name, before, after, changed, recorded) => {
    const deps: HostDeps = { runner: execRunner, manager: await loadManagers(['pip']), driver: await loadDrivers(['venv']), fleetDir: '/nonexistent' };
    expect(() => deps.manager('pip').versions.compare('1.0', before)).toThrow(); // the comparator really cannot read it
    const out = await observePartial(unparsable(before, after), { packages: { 'sandbox:a': { pip: { pip: before } } }, sandboxes: {} }, deps);
    expect(out.changed).toEqual(changed);
    expect(out.inventory.packages['sandbox:a']?.pip).toEqual({ pip: recorded });
    expect(out.unobserved).toEqual([]);
  });
});
