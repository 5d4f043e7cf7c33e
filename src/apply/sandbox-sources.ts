import type { DesiredTarget } from '../fleet/resolve.js';
import { MANAGERS } from '../fleet/platform.js';
import { sourceMountFolders } from '../sandboxes/sources.js';
import { sourcesFor } from './context.js';

/**
 * The host folders to mount for a sandbox target's package folders: every manager's `findLinks`, made absolute against
 * the fleet checkout, with those in the checkout replaced by the checkout itself (`sourceMountFolder`: git replaces a
 * folder whose files all change, a mount of the checkout survives that); distinct, not yet validated. One computation
 * for both ends: apply hands them to the driver's `create` (docker mounts them read-only) and observe to its `inspect`
 * (which names those a container lacks); commands name folders below them (`sourcePathInside`).
 */
export function sandboxSourceFolders(targets: readonly DesiredTarget[], target: string, fleetDir: string): string[] {
  const sources = targets.find((t) => t.target === target)?.sources ?? {};
  return sourceMountFolders(MANAGERS.flatMap((m) => sourcesFor(sources, m, fleetDir)?.findLinks ?? []), fleetDir);
}
