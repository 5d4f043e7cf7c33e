import type { ManagerAdapter, ManagerId } from './types.js';
import { GitfleetError } from '../util/errors.js';
// Each adapter registers here: one import and one entry per folder (test/managers/registry.test.ts checks).

const adapters: ManagerAdapter[] = [
];

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
