// A baseline names its index credentials by secret key only (`sources.pip.credentials: {secret: KEY}`); the value is
// read from this host's secret store and put into the source URLs as user-info, in memory, right before a command or
// a look-up is made. From there the adapters route it safely (pip: Authorization header for look-ups, PIP_INDEX_URL for
// installs; npm: its per-registry auth config in the environment), and the journal keeps only the reference.
import { credentialTargets } from '../fleet/credential-rules.js';
import type { Manager } from '../fleet/model.generated.js';
import type { DesiredHost } from '../fleet/resolve.js';
import type { ManagerSources, PackageChange } from '../managers/types.js';
import type { PlanWarning } from '../plan/types.js';
import type { SecretLookup } from '../secrets/read.js';
import { GitfleetError, errorMessage } from '../util/errors.js';

/** A user name and password as they go into URL user-info (not yet percent-encoded). */
export interface Credential {
  user: string;
  password: string;
}

/** Where a source is used, for messages: a target (`sandbox:py`) or a baseline. */
export interface CredentialScope {
  manager: Manager;
  where: string;
}

/**
 * A secret's value as index credentials. `USER:PASSWORD` (split at the first colon) is a user name and password; a
 * value without a colon is a token: for pip the user `__token__` with the token as password (what PyPI-style and
 * GitLab indexes take), for npm a bearer token (`_authToken`). Trailing line breaks (`echo` adds one) are dropped.
 */
export function parseCredential(manager: Manager, raw: string, key: string): Credential {
  const value = raw.replace(/[\r\n]+$/, '');
  if (value === '') throw new GitfleetError('E_VALIDATION', `secret "${key}" is empty: index credentials are a token or USER:PASSWORD`);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new GitfleetError('E_VALIDATION', `secret "${key}" holds a line break or another control character: index credentials are a token or USER:PASSWORD on one line`);
  const colon = value.indexOf(':');
  if (colon > 0) {
    const password = value.slice(colon + 1);
    if (password === '') throw new GitfleetError('E_VALIDATION', `secret "${key}" is a user name with an empty password ("USER:"): give USER:PASSWORD or a token`);
    return { user: value.slice(0, colon), password };
  }
  const token = colon === 0 ? value.slice(1) : value;
  if (token === '') throw new GitfleetError('E_VALIDATION', `secret "${key}" holds no token after ":"`);
  return manager === 'pip' ? { user: '__token__', password: token } : { user: '', password: token };
}

/** `url` with the credential as its user-info, percent-encoded (pip and npm decode it again). */
export function withUserInfo(url: string, c: Credential): string {
  const u = new URL(url);
  u.username = encodeURIComponent(c.user);
  u.password = encodeURIComponent(c.password);
  return u.href;
}

/** True when a batch of changes reaches an index (anything but removals). */
export function needsIndex(changes: readonly PackageChange[]): boolean {
  return changes.some((c) => c.kind !== 'remove');
}

/** The sources without their secret reference (for work that reaches no index: removals). */
export function withoutReference(sources: ManagerSources | undefined): ManagerSources | undefined {
  if (!sources?.credentials) return sources;
  const { credentials: _ref, ...rest } = sources;
  return rest;
}

/**
 * The sources with the referenced secret put into the URLs it belongs to, for this process's memory only. Without a
 * reference, the sources as they are. Throws, naming the key and the source (never a value): no store here (`lookup`
 * undefined: not on a host), the key missing from the store, a value that is no credential, or no URL to send it to.
 */
export async function withCredentials(sources: ManagerSources | undefined, scope: CredentialScope, lookup: SecretLookup | undefined): Promise<ManagerSources | undefined> {
  if (!sources?.credentials) return sources;
  const { credentials, ...rest } = sources;
  const key = credentials.secret;
  // the whole source: `credentials.index` decides which URLs get the secret
  const urls = credentialUrls(scope.manager, sources, key);
  const source = `${scope.manager} ${scope.manager === 'npm' ? 'registry' : 'index'} ${urls[0]} (${scope.where}, sources.${scope.manager}.credentials)`;
  if (!lookup) {
    throw new GitfleetError('E_UNSUPPORTED', `the ${source} needs secret "${key}", which only the hosts' secret stores hold: it could not be queried here without credentials`);
  }
  const raw = await lookup(key);
  if (raw === undefined) {
    throw new GitfleetError('E_NOT_FOUND', `the ${source} needs secret "${key}", which this host's secret store does not have: add it to secrets/<host>.yaml (\`gitfleet secret set --host HOST ${key}\`)`);
  }
  let c: Credential;
  try {
    c = parseCredential(scope.manager, raw, key);
  } catch (err) {
    throw new GitfleetError('E_VALIDATION', `the ${source}: ${errorMessage(err)}`);
  }
  const put = (u: string) => (urls.includes(u) ? withUserInfo(u, c) : u);
  const out: ManagerSources = { ...rest };
  if (rest.indexUrl !== undefined) out.indexUrl = put(rest.indexUrl);
  if (rest.extraIndexUrls) out.extraIndexUrls = rest.extraIndexUrls.map(put);
  if (rest.registry !== undefined) out.registry = put(rest.registry);
  return out;
}

/**
 * The URLs a manager's credentials go to, by the rules validation applies (src/fleet/credential-rules.ts). pip: the
 * index URLs on the origin of the one index they are for (`credentials.index`, or the only origin listed); npm: the
 * registry. Throws when validation would refuse the source (no URL of its own, an ambiguous, public or plain-http
 * index, plain http on the same host name), so a secret never goes where validation would not let it. Other managers
 * take only local folders, so no credentials.
 */
export function credentialUrls(manager: Manager, s: ManagerSources, key: string): string[] {
  if (manager !== 'pip' && manager !== 'npm') {
    throw new GitfleetError('E_VALIDATION', `sources.${manager}.credentials (secret "${key}"): ${manager} sources are local folders only; gitfleet sends no credentials for them`);
  }
  // `index` is in the schema's reference (PipCredentials) but not in the adapters' ManagerSources type
  const ref: { secret: string; index?: string } = s.credentials ?? { secret: key };
  const { urls, problems } = credentialTargets(manager, { ...s, credentials: { ...ref, secret: key } });
  const p = problems[0];
  if (p) throw new GitfleetError('E_VALIDATION', `sources.${manager}.${p.path.join('.')}: ${p.message} (${p.hint})`);
  return urls;
}

/**
 * Plan warnings for sources whose credentials cannot be had on this host (the secret not in the store, a value that
 * is no credential): one per target and manager that has packages. Their batches would fail, and `latest`/`present`
 * could not be resolved.
 */
export async function credentialWarnings(desired: DesiredHost, lookup: SecretLookup | undefined): Promise<PlanWarning[]> {
  const warnings: PlanWarning[] = [];
  for (const t of desired.targets) {
    const managers = [...new Set(t.packages.map((p) => p.manager))];
    for (const manager of managers) {
      const s = (t.sources as Partial<Record<Manager, ManagerSources>>)[manager];
      if (!s?.credentials) continue;
      try {
        await withCredentials(s, { manager, where: t.target }, lookup);
      } catch (err) {
        warnings.push({ target: t.target, manager, code: 'source.credentials', message: errorMessage(err) });
      }
    }
  }
  return warnings;
}
