import { GitfleetError } from '../util/errors.js';

const NAME = /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/;

/** Throws E_VALIDATION unless `path` is absolute (POSIX or `C:\`), not a filesystem root, and free of `..` segments. */
export function checkSandboxPath(path: string): string {
  // Validation already confines paths to allowed roots; this is defence in depth before anything is created or deleted.
  const bad = (why: string) => new GitfleetError('E_VALIDATION', `sandbox path ${JSON.stringify(path)} is refused: ${why}`);
  if (typeof path !== 'string' || path === '' || path.includes('\0')) throw bad('it is empty or contains NUL');
  const posixAbs = path.startsWith('/') && !path.startsWith('//');
  const winAbs = /^[A-Za-z]:[\\/]/.test(path);
  if (!posixAbs && !winAbs) throw bad('it must be absolute, like /opt/gitfleet/sandboxes/NAME or C:\\gitfleet\\sandboxes\\NAME');
  const segments = path.split(/[\\/]/);
  if (segments.some((s) => s === '..')) throw bad('it must not contain `..` segments');
  const rest = winAbs ? segments.slice(1) : segments;
  if (rest.every((s) => s === '' || s === '.')) throw bad('it must not be a filesystem root');
  return path;
}

/** Throws E_VALIDATION unless `name` is a resource name (it becomes part of container and distribution names). */
export function checkSandboxName(name: string): string {
  if (!NAME.test(name)) {
    throw new GitfleetError('E_VALIDATION', `sandbox name ${JSON.stringify(name)} is refused: use lower-case letters, digits, ".", "_" and "-", starting and ending with a letter or digit`);
  }
  return name;
}
