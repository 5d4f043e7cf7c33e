import { findOnPath, type PathLookup } from './path.js';
import type { RuntimeFacts, RuntimeName } from './types.js';

const CANDIDATES: Array<{ name: RuntimeName; platforms?: NodeJS.Platform[] }> = [
  { name: 'docker' },
  { name: 'podman' },
  // Inside a WSL distribution wsl.exe is on PATH through interop; that Linux guest cannot host WSL itself.
  { name: 'wsl', platforms: ['win32'] },
];

/** Container runtimes whose executable is on PATH; finds them without spawning (whether an engine answers is not checked). */
export async function probeRuntimes(lookup: PathLookup): Promise<RuntimeFacts[]> {
  const found = await Promise.all(CANDIDATES
    .filter((c) => c.platforms === undefined || c.platforms.includes(lookup.platform))
    .map(async (c) => ({ name: c.name, path: await findOnPath(c.name, lookup) })));
  return found.filter((r): r is RuntimeFacts => r.path !== undefined);
}
