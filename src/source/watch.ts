import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

/** A running watch; `close` stops it. */
export interface RefWatch {
  close(): Promise<void>;
  /** Resolves once the watcher is listening. */
  ready: Promise<void>;
}

/** The bare repository (or `.git` folder) a local remote path stands for; undefined for URLs (file:// included: polled only) and missing paths. */
export async function localGitDir(repo: string): Promise<string | undefined> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\\]+@[^:]+:/.test(repo)) return undefined;
  const dir = resolve(repo);
  for (const candidate of [dir, join(dir, '.git')]) {
    try {
      await stat(join(candidate, 'HEAD'));
      await stat(join(candidate, 'refs'));
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/**
 * Watches a local repository's `refs/heads/<branch>` and `packed-refs` and calls `onChange` when
 * either moves (git replaces them by rename, which inotify reports at once).
 */
export function watchBranchRef(gitDir: string, branch: string, onChange: () => void): RefWatch {
  const refFile = join(gitDir, 'refs', 'heads', ...branch.split('/'));
  const packed = join(gitDir, 'packed-refs');
  const headsDir = join(gitDir, 'refs', 'heads');
  const relevant = (p: string): boolean => p === refFile || p === packed;
  // Only the root (for packed-refs) and refs/heads are descended into: objects/ churns on every push.
  const watcher: FSWatcher = watch([gitDir, headsDir], {
    ignoreInitial: true,
    atomic: false,
    ignored: (p: string) => {
      const abs = resolve(p);
      if (abs === gitDir || abs === headsDir || abs === packed) return false;
      if (abs.startsWith(headsDir + sep)) return false;
      return true;
    },
  });
  watcher.on('all', (_event, p) => {
    if (relevant(resolve(p))) onChange();
  });
  watcher.on('error', () => undefined); // a vanished folder is not fatal: polling still runs
  const ready = new Promise<void>((r) => watcher.once('ready', () => r()));
  return { ready, close: () => watcher.close() };
}
