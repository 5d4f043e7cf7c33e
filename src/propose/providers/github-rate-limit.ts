/*
 * GitHub's primary rate limit on GraphQL. GitHub (and GitHub Enterprise Server) answers a spent quota with HTTP 200,
 * `errors: [{type: "RATE_LIMITED"}]` (lately also `RATE_LIMIT`) and x-ratelimit-remaining: 0 / x-ratelimit-reset.
 * @octokit/plugin-throttling retries that only when the request path starts with /graphql (github.com), never GHES's
 * /api/graphql, so the github provider waits it out itself; these pure helpers say whether and how long.
 */

/** Response headers as Octokit hands them over. */
export type ResponseHeaders = Record<string, string | number | undefined>;

/** How long to wait before the next try, and the moment GitHub named. */
export interface RateLimitWait {
  seconds: number;
  /** When the quota resets (x-ratelimit-reset), or when retry-after runs out. */
  at: Date;
  /** Which header said so; `none` when GitHub sent neither and a minute is assumed. */
  from: 'retry-after' | 'x-ratelimit-reset' | 'none';
}

interface ErrorShape {
  status?: unknown;
  message?: unknown;
  errors?: { type?: unknown }[];
  headers?: ResponseHeaders;
  response?: { headers?: ResponseHeaders; data?: { errors?: { type?: unknown }[] } };
}

const LIMIT_TYPES = new Set(['RATE_LIMITED', 'RATE_LIMIT']);

/** The response headers of a call that GitHub's primary rate limit refused, or undefined for any other failure. */
export function primaryRateLimit(err: unknown): ResponseHeaders | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as ErrorShape;
  // GraphqlResponseError keeps the body's errors and the headers on itself; the throttling plugin's own
  // "GraphQL Rate Limit Exceeded" error (github.com's /graphql path) keeps the whole response.
  const headers = e.headers ?? e.response?.headers ?? {};
  const errors = e.errors ?? e.response?.data?.errors ?? [];
  if (errors.some((x) => LIMIT_TYPES.has(String(x.type)))) return headers;
  // The REST-style refusal (403/429, quota spent); a secondary limit says so in its message and is the plugin's to retry.
  const secondary = /\bsecondary rate\b/i.test(String(e.message ?? ''));
  if ((e.status === 403 || e.status === 429) && String(headers['x-ratelimit-remaining']) === '0' && !secondary) return headers;
  return undefined;
}

/**
 * The wait GitHub asks for: retry-after when sent; else until one second past x-ratelimit-reset, as the throttling
 * plugin computes it for REST; else a minute, GitHub's advice when it names no time.
 */
export function rateLimitWait(headers: ResponseHeaders, nowMs: number): RateLimitWait {
  const retryAfter = seconds(headers['retry-after']);
  if (retryAfter !== undefined) return { seconds: Math.ceil(retryAfter), at: new Date(nowMs + Math.ceil(retryAfter) * 1000), from: 'retry-after' };
  const reset = seconds(headers['x-ratelimit-reset']);
  if (reset !== undefined) {
    return { seconds: Math.max(Math.ceil((reset * 1000 - nowMs) / 1000) + 1, 0), at: new Date(reset * 1000), from: 'x-ratelimit-reset' };
  }
  return { seconds: 60, at: new Date(nowMs + 60_000), from: 'none' };
}

/** A time for a message: ISO 8601 in UTC, to the second. */
export function isoSecond(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function seconds(v: string | number | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
