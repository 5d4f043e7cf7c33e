import type { AdapterContext, ManagerAdapter, ManagerId, Target } from '../managers/types.js';
import { GitfleetError, errorMessage } from '../util/errors.js';

/** One manager's listing in one target: the packages, or why they are unknown. */
export interface ManagerInventory {
  manager: ManagerId;
  version?: string;
  status: 'ok' | 'unknown' | 'absent';
  via?: 'database' | 'command';
  packages?: Record<string, string>;
  error?: { code: string; message: string };
}

/** Which managers can live in each kind of target. */
const TARGET_MANAGERS: Record<Target['kind'], readonly ManagerId[] | 'all'> = {
  system: 'all',
  venv: ['pip'],
  'node-prefix': ['npm'],
  'node-project': ['npm'],
  'conda-env': ['conda'],
  root: ['apt', 'dnf', 'brew', 'choco', 'gem'],
};

/** Parses `system`, `venv:/path`, `node-prefix:/p`, `node-project:/p`, `conda-env:/p`, `root:/p`. */
export function parseTarget(spec: string): Target {
  if (spec === 'system') return { kind: 'system' };
  const i = spec.indexOf(':');
  const kind = spec.slice(0, i) as Target['kind'];
  const path = spec.slice(i + 1);
  if (i < 0 || !(kind in TARGET_MANAGERS) || kind === 'system' || !path) {
    throw new GitfleetError('E_USAGE', `"${spec}" is not a target: use system, venv:PATH, node-prefix:PATH, node-project:PATH, conda-env:PATH or root:PATH`);
  }
  return { kind, path };
}

/**
 * Lists every manager that can live in the target. For the system, managers that are not installed
 * are `absent`; a listing that fails is `unknown` with its error, and the others are still listed.
 */
export async function collectInventory(adapters: readonly ManagerAdapter[], target: Target, ctx: AdapterContext): Promise<ManagerInventory[]> {
  const allowed = TARGET_MANAGERS[target.kind];
  const chosen = adapters.filter((a) => allowed === 'all' || allowed.includes(a.id));
  return Promise.all(chosen.map(async (a): Promise<ManagerInventory> => {
    let version: string | undefined;
    if (target.kind === 'system') {
      const d = await a.detect(ctx).catch(() => ({ present: false, version: undefined }));
      if (!d.present) return { manager: a.id, status: 'absent' };
      version = d.version;
    }
    try {
      const list = await a.listInstalled(target, ctx);
      return { manager: a.id, version, status: 'ok', via: list.via, packages: list.packages };
    } catch (err) {
      return { manager: a.id, version, status: 'unknown', error: { code: err instanceof GitfleetError ? err.code : 'E_INTERNAL', message: errorMessage(err) } };
    }
  }));
}
