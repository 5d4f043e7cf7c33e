import type { ManagerAdapter, ManagerId } from './types.js';
import { GitfleetError } from '../util/errors.js';
import { pipAdapter } from './pip/index.js';
import { npmAdapter } from './npm/index.js';
import { aptAdapter } from './apt/index.js';
import { dnfAdapter } from './dnf/index.js';
import { brewAdapter } from './brew/index.js';
import { chocoAdapter } from './choco/index.js';
import { wingetAdapter } from './winget/index.js';
import { condaAdapter } from './conda/index.js';
import { gemAdapter } from './gem/index.js';
// Each adapter registers here: one import and one entry per folder (test/managers/registry.test.ts checks).

const adapters: ManagerAdapter[] = [
  pipAdapter,
  npmAdapter,
  aptAdapter,
  dnfAdapter,
  brewAdapter,
  chocoAdapter,
  wingetAdapter,
  condaAdapter,
  gemAdapter,
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
