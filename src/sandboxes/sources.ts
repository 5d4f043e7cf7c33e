import { createHash } from 'node:crypto';
import { posix, win32 } from 'node:path';
import type { ManagerSources } from '../managers/types.js';
import { GitfleetError } from '../util/errors.js';
import type { DesiredSandbox, SandboxContext, SandboxDriver } from './types.js';

/** Where a docker sandbox's package folders (pip find-links, npm tarball folders) appear in its container, read-only. */
export const SOURCES_MOUNT_ROOT = '/gitfleet/sources';

const WINDOWS_ABS = /^[A-Za-z]:[\\/]/;

/**
 * Throws E_VALIDATION unless `folder` is an absolute host folder (POSIX or `C:\`) that is not a filesystem root, has no
 * `..` segment, and nothing a `docker --mount` value or a command line could misread (`,`, `"`, NUL, line breaks).
 */
export function checkSourceFolder(folder: string): string {
  const bad = (why: string) => new GitfleetError('E_VALIDATION', `package folder ${JSON.stringify(folder)} (sources findLinks) is refused for a sandbox: ${why}`);
  if (typeof folder !== 'string' || folder === '' || /[\0\r\n,"]/.test(folder)) throw bad('it is empty or contains NUL, a line break, "," or \'"\'');
  const windows = WINDOWS_ABS.test(folder);
  if (!windows && !(folder.startsWith('/') && !folder.startsWith('//'))) throw bad('it must be absolute (relative folders are made absolute against the fleet checkout first)');
  const segments = folder.split(windows ? /[\\/]/ : '/');
  if (segments.includes('..')) throw bad('it must not contain `..` segments');
  if ((windows ? segments.slice(1) : segments).every((s) => s === '' || s === '.')) throw bad('it must not be a filesystem root');
  return folder;
}

/**
 * The container path of a host package folder: `/gitfleet/sources/<16 hex of its SHA-256>`. Derived from the folder
 * alone, so creation (which mounts it) and every later command (which names it) agree without sharing a list, and
 * a folder keeps its place whatever other folders the sandbox's baselines add or drop.
 */
export function sourceMountPoint(folder: string): string {
  const f = checkSourceFolder(folder);
  return `${SOURCES_MOUNT_ROOT}/${createHash('sha256').update(normalFolder(f)).digest('hex').slice(0, 16)}`;
}

/**
 * The host folder that is mounted for package folder `folder`: the fleet checkout `checkoutRoot` for a folder at or
 * below it, else the folder itself. `git checkout` deletes and recreates a folder whose files all change, and a bind
 * mount keeps pointing at the deleted one (empty); the checkout root is never replaced. Pure, never throws: a folder
 * that is not absolute is returned as it is, for `checkSourceFolder` to refuse where it is mounted or named.
 */
export function sourceMountFolder(folder: string, checkoutRoot?: string): string {
  return checkoutRoot !== undefined && relativeBelow(checkoutRoot, folder) !== undefined ? checkoutRoot : folder;
}

/** The distinct host folders mounted for these package folders (`sourceMountFolder` of each), in first-seen order. */
export function sourceMountFolders(folders: Iterable<string>, checkoutRoot?: string): string[] {
  return [...new Set([...folders].map((f) => sourceMountFolder(f, checkoutRoot)))];
}

/**
 * Where package folder `folder` is inside a docker container: below the mount point of its `sourceMountFolder`
 * (`<checkout>/wheels` → `/gitfleet/sources/<hash of checkout>/wheels`), or that folder's own mount point. The one
 * mapping behind creation's mounts, the mount check and the commands, so they cannot disagree.
 */
export function sourcePathInside(folder: string, checkoutRoot?: string): string {
  const f = checkSourceFolder(folder);
  const mounted = sourceMountFolder(f, checkoutRoot);
  const rel = mounted === f ? [] : relativeBelow(mounted, f) ?? [];
  return posix.join(sourceMountPoint(mounted), ...rel);
}

/** `folder`'s segments below `root` ([] for the root itself), or undefined when it is not at or below it (or either is not absolute). */
function relativeBelow(root: string, folder: string): string[] | undefined {
  const windows = WINDOWS_ABS.test(root);
  if (windows !== WINDOWS_ABS.test(folder)) return undefined;
  if (!windows && !(root.startsWith('/') && folder.startsWith('/'))) return undefined;
  const rel = (windows ? win32 : posix).relative(normalFolder(root), normalFolder(folder));
  const segments = rel.split(windows ? /[\\/]+/ : '/').filter((s) => s !== '');
  if (segments[0] === '..' || (windows && win32.isAbsolute(rel))) return undefined;
  return segments;
}

function normalFolder(f: string): string {
  return WINDOWS_ABS.test(f) ? win32.normalize(f).replace(/\\+$/, '') : posix.normalize(f).replace(/\/+$/, '');
}

/** The distinct host folders these sources install from (`findLinks` of every manager), validated, sorted. */
export function sourceFolders(sources: Iterable<ManagerSources | undefined>): string[] {
  return distinctFolders([...sources].flatMap((s) => s?.findLinks ?? []));
}

/** `folders` validated (`checkSourceFolder`), without repeats, sorted: the order mounts are made in. */
export function distinctFolders(folders: Iterable<string>): string[] {
  return [...new Set([...folders].map(checkSourceFolder))].sort();
}

/**
 * A host path as a WSL distribution sees it, by wslpath's rules for drive paths with the default automount root:
 * `C:\x\y` → `/mnt/c/x/y`. A POSIX absolute path is taken as a path inside the distribution already. A UNC path
 * (`\\server\share`) has no such place: E_UNSUPPORTED.
 */
export function wslPath(hostPath: string): string {
  if (/^[\\/]{2}/.test(hostPath)) {
    throw new GitfleetError('E_UNSUPPORTED', `package folder ${JSON.stringify(hostPath)} is a network (UNC) path, which a WSL sandbox cannot reach as /mnt/<drive>; copy it to a local drive`);
  }
  const f = checkSourceFolder(hostPath);
  if (!WINDOWS_ABS.test(f)) return f;
  const rest = f.slice(3).split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  return posix.join('/mnt', f[0]!.toLowerCase(), ...rest);
}

/** `sources` with every `findLinks` folder replaced by `map(folder)`; the rest as it was. Pure. */
export function mapSourceFolders(sources: ManagerSources, map: (folder: string) => string): ManagerSources {
  return sources.findLinks ? { ...sources, findLinks: sources.findLinks.map(map) } : sources;
}

/**
 * `sources` as the manager inside `sb` must spell them: its driver's mapping of host folders (docker: the container's
 * read-only mounts, checked, folders below `ctx.checkoutRoot` through its one mount; wsl: /mnt/<drive>/...).
 * Unchanged when there are no folders or the driver needs no mapping.
 */
export async function sourcesInside(
  sb: DesiredSandbox, driver: SandboxDriver, sources: ManagerSources | undefined, ctx: SandboxContext,
): Promise<ManagerSources | undefined> {
  if (!sources?.findLinks?.length || !driver.sourcesInside) return sources;
  return driver.sourcesInside(sb, sources, ctx);
}
