import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic.js';
import { GitfleetError } from '../util/errors.js';

/** Reads a JSON state file; `fallback` when it does not exist; a clear error when it is corrupt. */
export async function readJson<T>(path: string, fallback: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw new GitfleetError('E_IO', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new GitfleetError('E_PARSE', `${path} is not valid JSON (${(err as Error).message}); move it aside to start over`, { cause: err });
  }
}

/** Writes a JSON state file atomically (write, fsync, rename). */
export async function writeJson(path: string, value: unknown, mode = 0o644): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', mode);
}

/** Removes a state file if it exists. */
export async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
