import type { ManagerAdapter, ManagerId } from './types.js';
import { GitfleetError } from '../util/errors.js';
import { LOADABLE_MANAGERS, loadManagers } from './load.js';
// Each adapter registers in load.ts (one loader per folder; test/managers/registry.test.ts checks);
// this registry loads them all, for the commands that need every adapter.

const lookup = await loadManagers(LOADABLE_MANAGERS);
const adapters: ManagerAdapter[] = LOADABLE_MANAGERS.map(lookup);

/** Every registered adapter, in registration order. */
export function allManagers(): readonly ManagerAdapter[] {
  return adapters;
}

/** The adapter for `id`; throws when none is registered. */
export function getManager(id: ManagerId | string): ManagerAdapter {
  const found = adapters.find((a) => a.id === id);
  if (!found) throw new GitfleetError('E_NOT_FOUND', `no package manager adapter named "${id}"`);
  return found;
}
