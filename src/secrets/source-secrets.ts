// Index credentials must work in the apply that brings them: otherwise a revision that adds a secret and the baseline
// that names it fails on its first apply (the store is filled only after an apply succeeds) and is marked bad. So the
// keys this host's sources name are decrypted from the revision being planned (this host's secrets file, nothing
// else), serve its look-ups and batches from memory, and are written to the store right before its changes start,
// where a crash recovery reads them again. They are in effect (events) only once the apply succeeds: an apply that fails
// puts the previous values back, kept in this process's memory only (never in the journal). A crash leaves the new
// values in the store: the recovery's rollback may need them to reach the index, and the next apply writes again.
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FleetModel } from '../fleet/model.js';
import type { DesiredHost } from '../fleet/resolve.js';
import { GitfleetError, errorMessage } from '../util/errors.js';
import { statePaths } from '../util/state-dir.js';
import { auditMaterialized, type MaterializeReport } from './apply-hook.js';
import { writeIfChanged, type MaterializeResult } from './materialize.js';
import { storeLookup, type SecretLookup } from './read.js';

/** The secrets that this host's sources name, as the revision being planned has them. */
export interface SourceSecrets {
  /** The keys the host's sources name (`sources.<manager>.credentials.secret`), sorted. */
  readonly keys: readonly string[];
  /**
   * A named key: the revision's value (throws, naming the key and what needs it, when it did not decrypt); any other
   * key, or one that secrets/<host>.yaml does not have: the store.
   */
  readonly lookup: SecretLookup;
  /**
   * Writes the named keys that decrypted into the store (0600, atomic, only when changed) and audits each write; their
   * events wait for the apply's success (`materializeAfterApply`). The values they replace stay in memory for `restore`.
   */
  materialize(report: Pick<MaterializeReport, 'audit' | 'log'>): Promise<MaterializeResult>;
  /** Puts back what `materialize` replaced (a key it created is removed) and audits each key; returns the keys restored. */
  restore(report: Pick<MaterializeReport, 'audit' | 'log'>): Promise<string[]>;
}

/** The secret keys named by the sources of a host's targets, sorted. */
export function referencedKeys(desired: Pick<DesiredHost, 'targets'>): string[] {
  return [...usersOf(desired).keys()].sort();
}

/**
 * Decrypts exactly the keys this host's sources name, from `secrets/<host>.yaml` of `model` only (another host's file
 * is never read). Values stay in memory (in the returned closures) until `materialize` writes them. A key that does not
 * decrypt, or an identity that cannot be read, makes `lookup` throw for that key: the batches that need it fail with
 * that message, and the store keeps what it had.
 */
export async function sourceSecrets(o: { model: FleetModel; desired: DesiredHost; stateDir: string; identityPath?: string }): Promise<SourceSecrets> {
  const paths = statePaths(o.stateDir);
  const store = storeLookup(paths.secrets);
  const users = usersOf(o.desired);
  const keys = [...users.keys()].sort();
  const file = o.model.secrets.get(o.desired.name);
  const encrypted = keys.flatMap((k) => (file && Object.hasOwn(file.value.secrets, k) ? [[k, file.value.secrets[k]!.value] as const] : []));
  const values = new Map<string, string>();
  // What `materialize` replaced, by key (undefined: the store did not have it), for `restore`; memory only.
  const previous = new Map<string, string | undefined>();
  const failed = new Map<string, GitfleetError>();
  const fail = (key: string, code: GitfleetError['code'], why: string) => failed.set(key, new GitfleetError(code,
    `secret "${key}" of ${file?.doc.file ?? `secrets/${o.desired.name}.yaml`}, named by ${users.get(key)!.join(', ')}, could not be decrypted on this host: ${why}; no request goes to that index without it`));
  if (encrypted.length) {
    try {
      // age takes ~55 ms to load: only a host whose sources name a secret pays for it here.
      const [{ ValueDecrypter }, { readIdentity }] = await Promise.all([import('./age.js'), import('./identity.js')]);
      const decrypter = new ValueDecrypter(await readIdentity(o.identityPath ?? paths.identity));
      for (const [key, armored] of encrypted) {
        const r = await decrypter.decrypt(armored);
        if (r.ok) values.set(key, r.value);
        else fail(key, 'E_VALIDATION', `${r.message} [${r.code}]`);
      }
    } catch (err) {
      for (const [key] of encrypted) fail(key, err instanceof GitfleetError ? err.code : 'E_IO', `this host's identity could not be used: ${errorMessage(err)}`);
    }
  }
  return {
    keys,
    lookup: async (key) => {
      const value = values.get(key);
      if (value !== undefined) return value;
      const err = failed.get(key);
      if (err) throw err;
      return store(key);
    },
    materialize: async (report) => {
      const out: MaterializeResult = { written: [], created: [], removed: [], envWritten: [], envRemoved: [], errors: [] };
      if (values.size === 0) return out;
      await mkdir(paths.secrets, { recursive: true, mode: 0o700 });
      await chmod(paths.secrets, 0o700);
      for (const [key, value] of values) {
        try {
          // Read first: a value that could not be put back after a failed apply is not replaced (memory serves this apply).
          const before = await store(key);
          const w = await writeIfChanged(join(paths.secrets, key), value);
          if (w !== 'unchanged' && !previous.has(key)) previous.set(key, before);
          if (w !== 'unchanged') out.written.push(key);
          if (w === 'created') out.created.push(key);
        } catch (err) {
          // This apply still has the value in memory; only a crash recovery would miss it.
          out.errors.push({ key, code: 'secret.write-failed', message: `cannot write secret "${key}": ${errorMessage(err)}` });
        }
      }
      await auditMaterialized(out, report);
      return out;
    },
    restore: async (report) => {
      const restored: string[] = [];
      for (const [key, before] of previous) {
        try {
          if (before === undefined) await rm(join(paths.secrets, key), { force: true });
          else await writeIfChanged(join(paths.secrets, key), before);
          previous.delete(key);
          restored.push(key);
          await report.audit.append('secret.restored', { key });
        } catch (err) {
          await report.audit.append('secret.failed', { key, code: 'secret.restore-failed' });
          report.log.error({ key, code: 'secret.restore-failed' }, `cannot put back the previous value of secret "${key}" after the apply failed: ${errorMessage(err)}`);
        }
      }
      return restored;
    },
  };
}

/** Each named key with where it is named (`sources.pip.credentials of sandbox:py`), for messages. */
function usersOf(desired: Pick<DesiredHost, 'targets'>): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const t of desired.targets) {
    for (const [manager, s] of Object.entries(t.sources) as [string, { credentials?: { secret: string } } | undefined][]) {
      const key = s?.credentials?.secret;
      if (key) (users.get(key) ?? users.set(key, []).get(key)!).push(`sources.${manager}.credentials of ${t.target}`);
    }
  }
  return users;
}
