import type { SandboxDriver, SandboxType } from './types.js';
import { GitfleetError } from '../util/errors.js';

// Like src/managers/load.ts: one-shot commands load only the drivers the host's sandboxes use.
const LOADERS: Record<SandboxType, () => Promise<SandboxDriver>> = {
  venv: () => import('./venv/index.js').then((m) => m.venvDriver),
  node: () => import('./node/index.js').then((m) => m.nodeDriver),
  conda: () => import('./conda/index.js').then((m) => m.condaDriver),
  docker: () => import('./docker/index.js').then((m) => m.dockerDriver),
  wsl: () => import('./wsl/index.js').then((m) => m.wslDriver),
};

/** Every sandbox type that has a loader. */
export const LOADABLE_DRIVERS = Object.keys(LOADERS) as SandboxType[];

/** Loads the drivers for `types` and returns a synchronous lookup that knows exactly those. */
export async function loadDrivers(types: Iterable<SandboxType>): Promise<(type: SandboxType) => SandboxDriver> {
  const loaded = new Map<SandboxType, SandboxDriver>();
  for (const t of new Set(types)) {
    const load = LOADERS[t];
    if (!load) throw new GitfleetError('E_NOT_FOUND', `no sandbox driver for type "${t}"`);
    loaded.set(t, await load());
  }
  return (t) => {
    const d = loaded.get(t);
    if (!d) throw new GitfleetError('E_INTERNAL', `sandbox driver "${t}" was not loaded for this run`);
    return d;
  };
}
