import { readMarker, exists } from './marker.js';
import { checkSandboxPath } from './paths.js';
import type { DesiredSandbox, SandboxStatus, SandboxType } from './types.js';

/**
 * The status of a folder-based sandbox (venv, node prefix, conda env) from its marker and a type-specific check.
 * `present` answers "is the thing itself there" with a detail (e.g. the Python version), or false.
 */
export async function folderStatus(sb: DesiredSandbox, type: SandboxType, present: (dir: string) => Promise<string | false>): Promise<SandboxStatus> {
  const dir = checkSandboxPath(sb.path);
  if (!(await exists(dir))) return { exists: false };
  const marker = await readMarker(dir);
  const found = await present(dir);
  if (marker === undefined || marker === 'invalid') {
    return found === false
      ? { exists: false, detail: `${dir} exists but holds no ${type} sandbox and no gitfleet marker` }
      : { exists: true, detail: `${found}, not made by gitfleet (no marker)` };
  }
  if (marker.type !== type) return { exists: true, type: marker.type, detail: `gitfleet made a ${marker.type} sandbox here, not ${type}` };
  if (found === false) return { exists: false, type: marker.type, detail: `the marker is there but the ${type} is incomplete (an interrupted create?)` };
  return { exists: true, type: marker.type, detail: found };
}

/** `recorded` when the sandbox asks for limits the platform cannot enforce, `none` when it asks for none. */
export function recordedLimits(sb: DesiredSandbox): 'recorded' | 'none' {
  return hasLimits(sb) ? 'recorded' : 'none';
}

/** True when `sb` sets cpus or memory. */
export function hasLimits(sb: DesiredSandbox): boolean {
  return sb.limits?.cpus !== undefined || sb.limits?.memory !== undefined;
}
