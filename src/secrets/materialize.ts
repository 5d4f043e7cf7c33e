// On the host: decrypt this host's secrets (and no other host's) into the local store and sandbox env files.
import { chmod, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FleetModel } from '../fleet/model.js';
import type { DesiredSandbox } from '../fleet/resolve.js';
import { writeFileAtomic } from '../util/atomic.js';
import { errorMessage } from '../util/errors.js';
import { statePaths } from '../util/state-dir.js';
import type { ValueDecrypter } from './age.js';
import { isSecretKey } from './names.js';
import { envValueProblem, isEnvName, renderEnvFile } from './env-file.js';

const LANES = 4;
const WRITE_LANES = 16;

/** The name of the env file written into a sandbox folder. */
export const ENV_FILE = '.gitfleet.env';

/** One key that could not be materialized; never carries a value. */
export interface SecretError {
  key: string;
  code: string;
  message: string;
}

/** What changed: keys written (new or changed value), keys removed, sandbox env files written or removed. */
export interface MaterializeResult {
  written: string[];
  /** The keys of `written` that had no local value before (the rest of `written` changed value: a rotation in effect). */
  created: string[];
  removed: string[];
  envWritten: string[];
  envRemoved: string[];
  errors: SecretError[];
}

export interface MaterializeOptions {
  model: FleetModel;
  host: string;
  stateDir: string;
  /** Default: the state directory's identity file. */
  identityPath?: string;
  sandboxes: readonly Pick<DesiredSandbox, 'name' | 'path' | 'secrets'>[];
}

/**
 * Decrypts `secrets/<host>.yaml` only, writes one 0600 file per key under `<state>/secrets/` (atomic,
 * only when the value changed), removes keys no longer in the repo, and writes sandbox env files.
 * A key that fails keeps its previous local file and is reported; the others still apply.
 */
export async function materializeSecrets(o: MaterializeOptions): Promise<MaterializeResult> {
  const out: MaterializeResult = { written: [], created: [], removed: [], envWritten: [], envRemoved: [], errors: [] };
  const store = statePaths(o.stateDir).secrets;
  await mkdir(store, { recursive: true, mode: 0o700 });
  await chmod(store, 0o700);
  const entries = Object.entries(o.model.secrets.get(o.host)?.value.secrets ?? {});
  const values = new Map<string, string>();
  const failed = new Set<string>();
  if (entries.length) {
    let lanes: ValueDecrypter[] = [];
    try {
      // age and its post-quantum crypto take ~55 ms to load: only a host that has secrets pays for them.
      const [{ ValueDecrypter: Decrypter }, { readIdentity }] = await Promise.all([import('./age.js'), import('./identity.js')]);
      const identity = await readIdentity(o.identityPath ?? statePaths(o.stateDir).identity);
      // A decrypter handles one value at a time; a few in parallel keep WebCrypto's thread pool busy.
      lanes = Array.from({ length: Math.min(LANES, entries.length) }, () => new Decrypter(identity));
    } catch (err) {
      for (const [key] of entries) { failed.add(key); out.errors.push({ key, code: 'secret.no-identity', message: errorMessage(err) }); }
    }
    const results = await mapLanes(lanes.length ? entries : [], lanes.length, (lane, [, s]) => lanes[lane]!.decrypt(s.value));
    results.forEach((r, i) => {
      const key = entries[i]![0];
      if (r.ok) values.set(key, r.value);
      else { failed.add(key); out.errors.push({ key, code: r.code, message: `secret "${key}" of host "${o.host}": ${r.message}` }); }
    });
  }
  // Decrypt everything first, then write: a write never starts from a half-decrypted set.
  const pending = [...values];
  const wrote = await mapLanes(pending, WRITE_LANES, async (_lane, [key, value]): Promise<Written | SecretError> => {
    try {
      return await writeIfChanged(join(store, key), value);
    } catch (err) {
      return { key, code: 'secret.write-failed', message: `cannot write secret "${key}": ${errorMessage(err)}` };
    }
  });
  wrote.forEach((w, i) => {
    if (typeof w === 'object') out.errors.push(w);
    else if (w !== 'unchanged') {
      out.written.push(pending[i]![0]);
      if (w === 'created') out.created.push(pending[i]![0]);
    }
  });
  await prune(store, new Set(entries.map(([k]) => k)), out);
  for (const sb of o.sandboxes) await envFile(sb, values, failed, out);
  return out;
}

async function prune(store: string, keep: Set<string>, out: MaterializeResult): Promise<void> {
  for (const name of await readdir(store)) {
    // A leftover temp file of an interrupted write: remove it. Files that are not keys are not ours.
    const stale = /^\..+\.[0-9a-f]{12}\.tmp$/.test(name);
    if (!stale && (!isSecretKey(name) || keep.has(name))) continue;
    try {
      await rm(join(store, name), { force: true });
      if (!stale) out.removed.push(name);
    } catch (err) {
      out.errors.push({ key: name, code: 'secret.remove-failed', message: `cannot remove secret "${name}": ${errorMessage(err)}` });
    }
  }
}

async function envFile(sb: Pick<DesiredSandbox, 'name' | 'path' | 'secrets'>, values: Map<string, string>, failed: Set<string>, out: MaterializeResult): Promise<void> {
  const path = join(sb.path, ENV_FILE);
  if (sb.secrets.length === 0) {
    if (await exists(path)) { await rm(path, { force: true }); out.envRemoved.push(sb.name); }
    return;
  }
  const problems: SecretError[] = [];
  for (const key of sb.secrets) {
    if (!isEnvName(key)) problems.push({ key, code: 'secret.env-name', message: `sandbox "${sb.name}": secret key "${key}" cannot be an environment variable name (use letters, digits and "_")` });
    else if (failed.has(key)) problems.push({ key, code: 'secret.env-skipped', message: `sandbox "${sb.name}": ${ENV_FILE} was not updated because secret "${key}" failed` });
    else if (!values.has(key)) problems.push({ key, code: 'secret.missing', message: `sandbox "${sb.name}" asks for secret "${key}", which secrets/<host>.yaml does not have` });
    else {
      const why = envValueProblem(values.get(key)!);
      if (why) problems.push({ key, code: 'secret.env-value', message: `sandbox "${sb.name}": the value of secret "${key}" ${why}; it stays in the store only` });
    }
  }
  // The env file is all or nothing: a file missing one key would start a service with half its settings.
  if (problems.length) { out.errors.push(...problems); return; }
  try {
    if ((await writeIfChanged(path, renderEnvFile(sb.secrets.map((k) => [k, values.get(k)!] as const)))) !== 'unchanged') out.envWritten.push(sb.name);
  } catch (err) {
    out.errors.push({ key: sb.secrets[0]!, code: 'secret.write-failed', message: `sandbox "${sb.name}": cannot write ${ENV_FILE}: ${errorMessage(err)}` });
  }
}

/** What a write did: nothing (same content), a file that did not exist, or new content over an old one. */
export type Written = 'unchanged' | 'created' | 'changed';

/** Writes (0600, atomically) when the content differs; fixes a too-open mode either way. */
export async function writeIfChanged(path: string, text: string): Promise<Written> {
  let current: string | undefined;
  try { current = await readFile(path, 'utf8'); } catch { current = undefined; }
  if (current === text) {
    if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
    return 'unchanged';
  }
  await writeFileAtomic(path, text, 0o600);
  return current === undefined ? 'created' : 'changed';
}

/** Maps `items` with at most `lanes` calls in flight (lane i takes items i, i+lanes, ...); results keep input order. */
async function mapLanes<T, R>(items: readonly T[], lanes: number, fn: (lane: number, item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, async (_, lane) => {
    for (let i = lane; i < items.length; i += lanes) out[i] = await fn(lane, items[i]!);
  }));
  return out;
}

async function exists(path: string): Promise<boolean> {
  try { await stat(path); return true; } catch { return false; }
}
