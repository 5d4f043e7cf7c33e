import type { DesiredTarget } from '../fleet/resolve.js';
import { MANAGERS } from '../fleet/platform.js';
import { sourcesFor } from './context.js';

/**
 * The host folders a sandbox target's packages install from: every manager's `findLinks`, made absolute against the
 * fleet checkout, as given (not yet validated). One computation for both ends: apply hands them to the driver's
 * `create` (docker mounts them read-only) and observe to its `inspect` (which names those a container lacks).
 */
export function sandboxSourceFolders(targets: readonly DesiredTarget[], target: string, fleetDir: string): string[] {
  const sources = targets.find((t) => t.target === target)?.sources ?? {};
  return MANAGERS.flatMap((m) => sourcesFor(sources, m, fleetDir)?.findLinks ?? []);
}
