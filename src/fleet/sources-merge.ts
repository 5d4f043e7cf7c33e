// Baselines that reach the same target merge their sources per manager, field by field, later ones winning. A
// credentials reference is the exception: it is bound to the URLs written in the same source object, so it survives a
// merge only while the merged URLs are still exactly those. Otherwise one baseline's secret would be sent to an index
// another baseline chose (a corp token to pypi.org, because a later baseline set `indexUrl: https://pypi.org/simple/`).
import type { Manager, Sources } from './model.generated.js';
import type { Origin, Problem } from './resolve.js';

/** The fields holding the URLs a credentials reference is bound to. */
export const CREDENTIAL_URL_FIELDS = ['indexUrl', 'extraIndexUrls', 'registry'] as const;

/** A field that holds URLs credentials can go to. */
export type CredentialUrlField = (typeof CREDENTIAL_URL_FIELDS)[number];

/** Per manager, where its URL fields and its credentials reference were written. */
export type SourceOrigins = Partial<Record<Manager, Partial<Record<CredentialUrlField | 'credentials', Origin>>>>;

/** Sources merged so far, with where the values that decide where credentials go came from. */
export interface MergedSources {
  sources: Sources;
  from: SourceOrigins;
}

/** Credentials of a later source dropped because URLs it did not write (`foreign`) would have gone beside them. */
export interface MixedCredentials {
  manager: Manager;
  credentials: Origin;
  foreign: { field: CredentialUrlField; at: Origin }[];
}

type Loose = Record<string, unknown>;

/** No sources yet. */
export function noSources(): MergedSources {
  return { sources: {}, from: {} };
}

/** One baseline's own `sources`, as written in `file` (`via`: `baseline <name>`). */
export function ownSources(sources: Sources | undefined, file: string, via: string): MergedSources {
  const from: SourceOrigins = {};
  for (const [m, s] of Object.entries(sources ?? {}) as [Manager, Loose][]) {
    const f: NonNullable<SourceOrigins[Manager]> = {};
    for (const k of [...CREDENTIAL_URL_FIELDS, 'credentials'] as const) {
      if (s[k] !== undefined) f[k] = { file, path: ['sources', m, k], via, ...(k === 'credentials' ? { which: 'key' as const } : {}) };
    }
    if (Object.keys(f).length) from[m] = f;
  }
  return { sources: sources ?? {}, from };
}

/**
 * `b` merged over `a`. Credentials survive only bound to their own URLs: inherited ones are dropped when `b` writes
 * other URLs without credentials of its own; `b`'s are dropped when `a` brings URL fields that `b` does not set
 * (reported in `mixed` when `b` has URLs of its own; credentials with none are refused where they are written).
 */
export function mergeSources(a: MergedSources, b: MergedSources, mixed?: MixedCredentials[]): MergedSources {
  const sources = { ...a.sources } as Record<string, Loose>;
  const from: SourceOrigins = { ...a.from };
  for (const [m, next] of Object.entries(b.sources) as [Manager, Loose][]) {
    const prev = (a.sources as Record<string, Loose | undefined>)[m] ?? {};
    const out: Loose = { ...prev, ...next };
    const f = { ...a.from[m], ...b.from[m] };
    if (next.credentials !== undefined) {
      const foreign = CREDENTIAL_URL_FIELDS.filter((k) => next[k] === undefined && prev[k] !== undefined);
      if (foreign.length) {
        delete out.credentials;
        delete f.credentials;
        const at = b.from[m]?.credentials;
        if (mixed && at && CREDENTIAL_URL_FIELDS.some((k) => next[k] !== undefined)) {
          mixed.push({ manager: m, credentials: at, foreign: foreign.flatMap((k) => (a.from[m]?.[k] ? [{ field: k, at: a.from[m]![k]! }] : [])) });
        }
      }
    } else if (prev.credentials !== undefined && CREDENTIAL_URL_FIELDS.some((k) => next[k] !== undefined && !sameValue(next[k], prev[k]))) {
      delete out.credentials;
      delete f.credentials;
    }
    sources[m] = out;
    if (Object.keys(f).length) from[m] = f;
    else delete from[m];
  }
  return { sources: sources as Sources, from };
}

/** `source.credentials-mixed`: a baseline's credentials met URLs another baseline wrote, so they were dropped. */
export function mixedProblem(m: MixedCredentials, hosts: readonly string[]): Problem {
  const foreign = m.foreign.map((f) => `\`${f.field}\` from ${f.at.file}`).join(', ');
  const on = hosts.length === 1 ? `host "${hosts[0]}"` : `hosts ${hosts.length > 6 ? `${hosts.slice(0, 6).join(', ')} and ${hosts.length - 6} more` : hosts.join(', ')}`;
  return {
    code: 'source.credentials-mixed', at: m.credentials,
    message: `on ${on} these ${m.manager} credentials would be merged with ${foreign || 'URLs of another baseline'}: credentials go only to the URLs written beside them, so they are dropped there and the private index would be asked without them`,
    hint: `write every index URL of this target's ${m.manager} source beside \`credentials\` in this baseline (the same values override the other baseline's), or move the other baseline to another target`,
  };
}

function sameValue(x: unknown, y: unknown): boolean {
  return JSON.stringify(x) === JSON.stringify(y);
}
