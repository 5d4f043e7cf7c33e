import { mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';

// git's own prune removes `objects/tmp_*` entries older than its expiry, directories included:
// a quarantine left behind by a crash is cleaned by the next gc, as receive-pack's own quarantines are.
const PREFIX = 'tmp_objdir-gitfleet-';

/**
 * Runs `fn` with the environment of a fresh object directory inside `gitDir/objects` (git's quarantine pattern) and
 * deletes it afterwards, whatever happened: objects written there (hash-object -w, mktree, commit-tree) and pushed
 * from there leave nothing behind in the repository.
 */
export async function withObjectQuarantine<T>(gitDir: string, fn: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(resolve(gitDir), 'objects', PREFIX));
  try {
    // No alternates to the repository's own objects: what is pushed is built entirely here, and a path list
    // (":"-separated, quoted when it holds one) is one more thing to get wrong.
    return await fn({ GIT_OBJECT_DIRECTORY: dir });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
