// Which URLs of a source its index credentials may go to, and why they may not. One set of rules for both sides:
// validation reports these problems with file and position, and the host (src/apply/source-credentials.ts) refuses to
// attach a secret to any URL while one of them holds, so nothing validation would refuse is ever sent.

/** A source as these rules see it: its index URLs and its credentials reference (the merged sources of a target, or one baseline's). */
export interface CredentialedSource {
  indexUrl?: string;
  extraIndexUrls?: readonly string[];
  registry?: string;
  credentials?: { secret: string; index?: string };
}

/** Why credentials must not be sent: the node concerned (relative to `sources.<manager>`), what is wrong and what would be right. */
export interface CredentialRuleProblem {
  code: 'source.credentials-url' | 'source.credentials-index' | 'source.credentials-public' | 'source.credentials-http';
  path: (string | number)[];
  which?: 'key' | 'value';
  message: string;
  hint: string;
}

/** Indexes anyone can read: a private index's secret has no business there. */
// PyPI's indexes never need credentials to read. npm's public registry does: private and org-scoped packages live
// on registry.npmjs.org behind a token, so npm is not refused there.
const PUBLIC_HOSTS = ['pypi.org', 'test.pypi.org', 'files.pythonhosted.org'];

/** One URL of a source with the path of the node that holds it. */
interface Field {
  url: string;
  path: (string | number)[];
  parsed?: URL;
}

/**
 * The URLs of `s` that get the credentials of its reference, or the problems that forbid sending them at all (then
 * `urls` is empty). pip: the URLs on the origin of the one index the credentials are for (`credentials.index`, or
 * the only origin the source lists); npm: the registry. Either way https (plain http only to a loopback address), and
 * never a public index.
 */
export function credentialTargets(manager: 'pip' | 'npm', s: CredentialedSource): { urls: string[]; problems: CredentialRuleProblem[] } {
  const key = s.credentials?.secret ?? '';
  const fields: Field[] = manager === 'pip'
    ? [...(s.indexUrl !== undefined ? [{ url: s.indexUrl, path: ['indexUrl'] }] : []), ...(s.extraIndexUrls ?? []).map((url, i) => ({ url, path: ['extraIndexUrls', i] }))]
    : s.registry !== undefined ? [{ url: s.registry, path: ['registry'] }] : [];
  for (const f of fields) f.parsed = webUrl(f.url);
  const what = manager === 'pip' ? 'index' : 'registry';
  const own = manager === 'pip' ? '`indexUrl` (or `extraIndexUrls`)' : '`registry`';
  if (fields.length === 0) {
    return fail({
      code: 'source.credentials-url', path: ['credentials'], which: 'key',
      message: `${manager} credentials (secret "${key}") have no ${what} URL beside them in this source: credentials go only to URLs written in the same source, so here they would go to a URL someone else chose (another baseline's)`,
      hint: `write the private ${what} as ${own} right beside \`credentials\`, or remove \`credentials\``,
    });
  }
  let chosen: Field | undefined;
  const index = s.credentials?.index;
  if (index !== undefined) {
    chosen = fields.find((f) => sameUrl(f.url, index));
    if (!chosen) {
      return fail({
        code: 'source.credentials-index', path: ['credentials', 'index'],
        message: `credentials.index "${index}" is not one of this source's indexes (${fields.map((f) => f.url).join(', ')})`,
        hint: `write it exactly as the private index appears in \`indexUrl\` or \`extraIndexUrls\` of this source: one of ${fields.map((f) => f.url).join(', ')}`,
      });
    }
  } else {
    const web = fields.filter((f) => f.parsed);
    const origins = [...new Set(web.map((f) => f.parsed!.origin))];
    if (origins.length > 1) {
      return fail({
        code: 'source.credentials-index', path: ['credentials'], which: 'key',
        message: `this ${manager} source lists indexes on ${origins.length} origins (${origins.join(', ')}) and its credentials (secret "${key}") do not say which one they are for: a private index's secret must not go to the others`,
        hint: `name the private index: \`credentials: {secret: ${key}, index: "${web.find((f) => !isPublic(f.parsed!))?.url ?? web[0]!.url}"}\``,
      });
    }
    chosen = web[0] ?? fields[0]!;
  }
  const at = index !== undefined ? ['credentials', 'index'] : chosen.path;
  if (!chosen.parsed) {
    return fail({
      code: 'source.credentials-url', path: at,
      message: `${manager} credentials (secret "${key}") need an http(s) ${what} to go to, not ${chosen.url}`,
      hint: `use the https URL of the private ${what}, or remove \`credentials\` (local files need none)`,
    });
  }
  const target = chosen.parsed;
  if (isPublic(target)) {
    return fail({
      code: 'source.credentials-public', path: at,
      message: `${target.hostname} is a public ${what}: it needs no credentials, and a private ${what}'s secret (secret "${key}") must never be sent to it`,
      hint: manager === 'pip' && fields.length > 1
        ? `name the private index the secret is for: \`credentials: {secret: ${key}, index: "<its URL>"}\``
        : `point ${own} at the private ${what}, or remove \`credentials\``,
    });
  }
  const urls = fields.filter((f) => f.parsed?.origin === target.origin);
  const problems: CredentialRuleProblem[] = [];
  for (const f of urls) {
    if (f.parsed!.protocol === 'https:' || isLoopback(f.parsed!)) continue;
    problems.push({
      code: 'source.credentials-http', path: f.path,
      message: `${f.url} is plain http: the credentials (secret "${key}") would cross the network in clear text`,
      hint: `use https://${f.url.slice('http://'.length)} (plain http is allowed only to a loopback address)`,
    });
  }
  for (const f of fields) {
    if (!f.parsed || f.parsed.protocol !== 'http:' || f.parsed.hostname !== target.hostname || urls.includes(f)) continue;
    problems.push({
      code: 'source.credentials-http', path: f.path,
      message: `${f.url} is plain http on ${target.hostname}, the host the credentials (secret "${key}") are for: pip keeps credentials per host name and could send the secret there in clear text`,
      hint: `use https for it as well, or remove it from this source`,
    });
  }
  return problems.length ? { urls: [], problems } : { urls: urls.map((f) => f.url), problems };
}

function fail(p: CredentialRuleProblem): { urls: string[]; problems: CredentialRuleProblem[] } {
  return { urls: [], problems: [p] };
}

/** The URL when it is http(s) and parses. */
function webUrl(u: string): URL | undefined {
  try {
    const p = new URL(u);
    return p.protocol === 'https:' || p.protocol === 'http:' ? p : undefined;
  } catch {
    return undefined;
  }
}

// `https://x/simple` and `https://x/simple/` name the same index; so do spellings that differ only in case of the host.
function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      return new URL(u).href.replace(/\/+$/, '');
    } catch {
      return u.replace(/\/+$/, '');
    }
  };
  return norm(a) === norm(b);
}

/** True for a well-known public index that never needs credentials (or a name under one of theirs). */
export function isPublic(u: URL): boolean {
  return PUBLIC_HOSTS.some((h) => u.hostname === h || u.hostname.endsWith(`.${h}`));
}

// Traffic to these never leaves the machine, so plain http there exposes nothing (and lets a local proxy or a test serve it).
function isLoopback(u: URL): boolean {
  const h = u.hostname;
  return h === 'localhost' || h.endsWith('.localhost') || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
