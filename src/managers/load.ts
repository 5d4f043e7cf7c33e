import type { ManagerAdapter, ManagerId } from './types.js';
import { GitfleetError } from '../util/errors.js';

// One-shot commands (a no-op apply) load only the adapters the host uses: loading all nine costs
// ~16 ms of a ~120 ms run. api.ts stays the eager registry for everything else; the test of this
// file checks both give the same adapters.
const LOADERS: Record<ManagerId, () => Promise<ManagerAdapter>> = {
  pip: () => import('./pip/index.js').then((m) => m.pipAdapter),
  npm: () => import('./npm/index.js').then((m) => m.npmAdapter),
  apt: () => import('./apt/index.js').then((m) => m.aptAdapter),
  dnf: () => import('./dnf/index.js').then((m) => m.dnfAdapter),
  brew: () => import('./brew/index.js').then((m) => m.brewAdapter),
  choco: () => import('./choco/index.js').then((m) => m.chocoAdapter),
  winget: () => import('./winget/index.js').then((m) => m.wingetAdapter),
  conda: () => import('./conda/index.js').then((m) => m.condaAdapter),
  gem: () => import('./gem/index.js').then((m) => m.gemAdapter),
};

/** Every manager id that has a loader. */
export const LOADABLE_MANAGERS = Object.keys(LOADERS) as ManagerId[];

/** Loads the adapters for `ids` and returns a synchronous lookup that knows exactly those. */
export async function loadManagers(ids: Iterable<ManagerId>): Promise<(id: ManagerId) => ManagerAdapter> {
  const loaded = new Map<ManagerId, ManagerAdapter>();
  for (const id of new Set(ids)) {
    const load = LOADERS[id];
    if (!load) throw new GitfleetError('E_NOT_FOUND', `no package manager adapter named "${id}"`);
    loaded.set(id, await load());
  }
  return (id) => {
    const a = loaded.get(id);
    if (!a) throw new GitfleetError('E_INTERNAL', `package manager adapter "${id}" was not loaded for this run`);
    return a;
  };
}
