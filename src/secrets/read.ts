// The read side of the host's secret store: code that needs a value (index credentials) reads the file that
// materializeSecrets wrote, and nothing else: never the repository, never a value anyone passed around.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GitfleetError, errorMessage } from '../util/errors.js';
import { checkSecretKey } from './names.js';

/** A value of this host's secret store by key; undefined when the store does not have it (not materialized yet, or unknown). */
export type SecretLookup = (key: string) => Promise<string | undefined>;

/** Reads values from a secret store folder (`<state>/secrets`), one file per key, as materializeSecrets writes them. */
export function storeLookup(storeDir: string): SecretLookup {
  return async (key) => {
    checkSecretKey(key);
    const path = join(storeDir, key);
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      // The error names the file, never its content.
      throw new GitfleetError('E_IO', `cannot read secret "${key}" from the store (${path}): ${errorMessage(err)}`);
    }
  };
}
