import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GitfleetError, errorMessage } from '../../util/errors.js';
import { withoutCredentials } from '../../util/url-credentials.js';
import type { AvailableVersion, ManagerSources } from '../types.js';
import { splitUserInfo } from './auth.js';
import { normalizePipName, parseSimpleHtml, parseSimpleJson, versionFromDistFilename, type IndexFile } from './parse.js';
import { pep440 } from './versions.js';

/** The part of `fetch` we use, so that callers can inject their transport. */
export type FetchFn = (url: string, init: { headers: Record<string, string>; signal?: AbortSignal }) => Promise<Response>;

const PYPI = 'https://pypi.org/simple/';
// PEP 691 content negotiation, as pip sends it: JSON preferred, HTML accepted.
const ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01';

/**
 * Versions of `name` offered by the sources: file names in find-links folders (no spawning)
 * and the simple API of each index (PEP 691 JSON, PEP 503 HTML accepted), ascending by PEP 440.
 * Release dates come from `upload-time` (the earliest file of a version); yanked-only versions are left out.
 */
export async function listAvailablePip(
  name: string, sources: ManagerSources = {}, opts: { fetch?: FetchFn; timeoutMs?: number } = {},
): Promise<AvailableVersion[]> {
  const fetchFn = opts.fetch ?? (globalThis.fetch as FetchFn);
  const files: IndexFile[] = [];
  for (const link of sources.findLinks ?? []) {
    if (/^https?:/i.test(link)) files.push(...(await fetchProject(link, undefined, fetchFn, opts.timeoutMs)));
    else files.push(...(await scanFolder(link.startsWith('file:') ? fileURLToPath(link) : link)));
  }
  const hasLinks = (sources.findLinks ?? []).length > 0;
  const indexes = sources.noIndex ? [] : [
    ...(sources.indexUrl ? [sources.indexUrl] : hasLinks ? [] : [PYPI]),
    ...(sources.extraIndexUrls ?? []),
  ];
  for (const index of indexes) files.push(...(await fetchProject(index, name, fetchFn, opts.timeoutMs)));
  return collectVersions(files, name);
}

/** Index files → distinct valid versions of `name` with their earliest upload time, ascending. */
export function collectVersions(files: IndexFile[], name: string): AvailableVersion[] {
  const byVersion = new Map<string, { releasedAt?: string; live: boolean }>();
  for (const f of files) {
    const version = versionFromDistFilename(f.filename, name);
    if (!version || !pep440.valid(version)) continue;
    const cur = byVersion.get(version) ?? { live: false };
    cur.live ||= !f.yanked;
    if (f.uploadTime && (!cur.releasedAt || f.uploadTime < cur.releasedAt)) cur.releasedAt = f.uploadTime;
    byVersion.set(version, cur);
  }
  return [...byVersion]
    .filter(([, v]) => v.live)
    .map(([version, v]) => (v.releasedAt ? { version, releasedAt: v.releasedAt } : { version }))
    .sort((a, b) => pep440.compare(a.version, b.version));
}

async function scanFolder(dir: string): Promise<IndexFile[]> {
  try {
    return (await readdir(dir)).map((filename) => ({ filename, yanked: false }));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'E_NOT_FOUND' : 'E_IO';
    throw new GitfleetError(code, `cannot read pip find-links folder ${dir}: ${errorMessage(err)}`, { cause: err });
  }
}

/** GETs a project page (`<index>/<name>/`) or, with no name, a find-links page. Missing project → []. */
async function fetchProject(base: string, name: string | undefined, fetchFn: FetchFn, timeoutMs = 60_000): Promise<IndexFile[]> {
  const root = base.endsWith('/') ? base : `${base}/`;
  // Index URLs may carry credentials as user-info: fetch refuses those, so they go as a header (as pip sends them),
  // and they must not reach messages (fetch's own errors name the URL too).
  const { url, authorization } = splitUserInfo(name ? new URL(`${normalizePipName(name)}/`, root).href : base);
  const shown = withoutCredentials(url);
  const headers: Record<string, string> = authorization ? { Accept: ACCEPT, Authorization: authorization } : { Accept: ACCEPT };
  let res: Response;
  try {
    res = await fetchFn(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    // Not kept as the cause (a logged cause chain would print the URL); its reason goes into the message instead.
    const why = (err as { cause?: unknown }).cause;
    throw new GitfleetError('E_IO', withoutCredentials(`cannot fetch ${shown}: ${errorMessage(err)}${why ? ` (${errorMessage(why)})` : ''}`), { retryable: true });
  }
  if (res.status === 404) return [];
  if (!res.ok) {
    // 401/403: no credentials, or the wrong ones; the index's own words are not shown (they may echo what was sent).
    const why = res.status === 401 || res.status === 403 ? `: check the credentials of this index (${authorization ? 'they were refused' : 'none were given'})` : '';
    throw new GitfleetError('E_IO', `${shown} answered HTTP ${res.status}${why}`, { retryable: res.status >= 500 || res.status === 429 });
  }
  const type = res.headers.get('content-type') ?? '';
  const body = await res.text();
  return /json/i.test(type) ? parseSimpleJson(body, shown) : parseSimpleHtml(body);
}
