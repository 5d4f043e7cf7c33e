import { posix } from 'node:path';

/** The folders whose top-level `*.yaml` / `*.yml` files are documents (besides the root `fleet.yaml`). */
export const DOCUMENT_FOLDERS: readonly string[] = ['hosts', 'baselines', 'sandboxes', 'policies', 'secrets'];

/** Placeholder files that keep an empty folder in git; allowed in document folders. */
const PLACEHOLDERS = new Set(['.gitkeep', '.keep']);

/** What a file of the fleet repository is to the loader. */
export type FileRole =
  | { role: 'document' }
  | { role: 'auxiliary' }
  | { role: 'unexpected'; message: string; hint: string };

/** Decides whether a repo-relative path is a document, an auxiliary file, or a misplaced file. */
export function classifyPath(path: string): FileRole {
  if (path === 'fleet.yaml') return { role: 'document' };
  const slash = path.indexOf('/');
  if (slash < 0) return { role: 'auxiliary' };
  const folder = path.slice(0, slash);
  if (!DOCUMENT_FOLDERS.includes(folder)) return { role: 'auxiliary' };
  const rest = path.slice(slash + 1);
  const base = posix.basename(path);
  if (rest.includes('/')) {
    return {
      role: 'unexpected',
      message: `${path} is in a subfolder of ${folder}/, but only files directly in ${folder}/ are read`,
      hint: `move it to ${folder}/${base}, or out of ${folder}/ if it is not a document`,
    };
  }
  if (/\.ya?ml$/.test(rest)) return { role: 'document' };
  if (PLACEHOLDERS.has(rest)) return { role: 'auxiliary' };
  return {
    role: 'unexpected',
    message: `${path} is not a YAML file, but ${folder}/ holds only documents`,
    hint: `name it ${base.replace(/\.[^.]*$/, '')}.yaml if it is a document, or move it out of ${folder}/ (e.g. to docs/)`,
  };
}

/** True for a canonical repo-relative POSIX path: not absolute, no `.`/`..`/empty segments, no NUL. */
export function isCanonicalRelPath(path: string): boolean {
  if (path === '' || path.includes('\0') || path.startsWith('/')) return false;
  return path.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** Normalizes a user-written relative path (`./a/b`, `a//b`); null when absolute, escaping, or not POSIX. */
export function normalizeUserPath(path: string): string | null {
  if (path === '' || path.includes('\0') || path.includes('\\') || path.startsWith('/') || /^[A-Za-z]:/.test(path)) return null;
  const n = posix.normalize(path).replace(/\/+$/, '');
  return isCanonicalRelPath(n) ? n : null;
}

/** Resolves a symlink's stored target against the link's folder; null when it leaves the repository. */
export function resolveLinkText(linkPath: string, linkText: string): string | null {
  if (linkText === '' || linkText.includes('\0') || linkText.startsWith('/') || /^[A-Za-z]:[\\/]/.test(linkText)) return null;
  const joined = posix.normalize(posix.join(posix.dirname(linkPath), linkText)).replace(/\/+$/, '');
  if (joined === '..' || joined.startsWith('../')) return null;
  return joined;
}

/** Code-unit order: deterministic and locale-free. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
