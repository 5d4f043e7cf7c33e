import { isAbsolute, resolve } from 'node:path';
import { GitfleetError } from '../util/errors.js';

/**
 * A repository argument git can take safely: URLs and scp-like `user@host:path` as given, local paths made absolute
 * (git runs in a cache directory, not the caller's). Anything starting with "-" or holding control characters is refused.
 */
export function repoArgument(repo: string, cwd = process.cwd()): string {
  if (!repo || repo.startsWith('-') || /[\0-\x1f\x7f]/.test(repo)) throw new GitfleetError('E_USAGE', `"${repo}" is not a usable repository URL or path`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo)) return repo;
  if (!isAbsolute(repo) && /^[^/]+@[^/:]+:/.test(repo)) return repo;
  return resolve(cwd, repo);
}
