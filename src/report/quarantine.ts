import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

// git's own prune removes `objects/tmp_*` entries older than its expiry, directories included, but gc --auto may not
// run for a long time on a small fleet: a quarantine left behind by a crash is also removed by the next publish.
const PREFIX = 'tmp_objdir-gitfleet-';
/** A quarantine older than this is a crash's leftover (a publish takes seconds). */
const STALE_MS = 60 * 60 * 1000;

/**
 * Runs `fn` with the environment of a fresh object directory inside `gitDir/objects` (git's quarantine pattern) and
 * deletes it afterwards, whatever happened: objects written there (hash-object -w, mktree, commit-tree) and pushed
 * from there leave nothing behind in the repository.
 */
export async function withObjectQuarantine<T>(gitDir: string, fn: (env: Record<string, string>) => Promise<T>, now: number = Date.now()): Promise<T> {
  const objects = join(resolve(gitDir), 'objects');
  await removeStale(objects, now);
  const dir = await mkdtemp(join(objects, PREFIX));
  try {
    // No alternates to the repository's own objects: what is pushed is built entirely here, and a path list
    // (":"-separated, quoted when it holds one) is one more thing to get wrong.
    return await fn({ GIT_OBJECT_DIRECTORY: dir });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Removes quarantines that crashed publishes left (older than an hour); a failure here never stops a publish. */
async function removeStale(objects: string, now: number): Promise<void> {
  const names = await readdir(objects).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(PREFIX)).map(async (n) => {
    const path = join(objects, n);
    const st = await stat(path).catch(() => undefined);
    if (st && now - st.mtimeMs > STALE_MS) await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }));
}
