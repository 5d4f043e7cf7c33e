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

/** The fields whose origins are kept. */
const ORIGIN_FIELDS = [...CREDENTIAL_URL_FIELDS, 'credentials'] as const;

// Every MergedSources is frozen, down to its per-manager objects and origins: an expanded baseline's are shared by
// every host that applies it, and merging never writes to its inputs (consumers of resolved hosts only read).
// Most baselines have no sources, so most merges are of nothing and return this one object.
const NO_SOURCES: MergedSources = frozen({ sources: frozen({}), from: frozen({}) });

/** No sources yet (one shared, frozen object). */
export function noSources(): MergedSources {
  return NO_SOURCES;
}

/** One baseline's own `sources`, as written in `file` (`via`: `baseline <name>`); frozen copies, never the model's objects. */
export function ownSources(sources: Sources | undefined, file: string, via: string): MergedSources {
  if (sources === undefined || isEmpty(sources)) return NO_SOURCES;
  const own: Loose = {};
  const from: SourceOrigins = {};
  for (const [m, s] of Object.entries(sources) as [Manager, Loose][]) {
    own[m] = s !== null && typeof s === 'object' ? deepFrozenCopy(s) : s;
    const f: NonNullable<SourceOrigins[Manager]> = {};
    for (const k of ORIGIN_FIELDS) {
      if (s[k] !== undefined) f[k] = frozen({ file, path: frozen(['sources', m, k]), via, ...(k === 'credentials' ? { which: 'key' as const } : {}) });
    }
    if (!isEmpty(f)) from[m] = frozen(f);
  }
  return frozen({ sources: frozen(own) as Sources, from: frozen(from) });
}

// The model's values are copied, not frozen in place: resolved sources are shared by hosts, so a write to one of their
// nested arrays or credential objects must throw rather than change every other host (and the model).
function deepFrozenCopy<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return Object.freeze(v.map(deepFrozenCopy)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = deepFrozenCopy(x);
  return Object.freeze(out) as T;
}

/**
 * `b` merged over `a`. Credentials survive only bound to their own URLs: inherited ones are dropped when `b` writes
 * other URLs without credentials of its own; `b`'s are dropped when `a` brings URL fields that `b` does not set
 * (reported in `mixed` when `b` has URLs of its own; credentials with none are refused where they are written).
 */
export function mergeSources(a: MergedSources, b: MergedSources, mixed?: MixedCredentials[]): MergedSources {
  // Over or with nothing, the merge is the other side as it is: no URLs meet, so neither credentials rule applies.
  if (isEmpty(b.sources)) return a;
  if (isEmpty(a.sources)) return b;
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
          mixed.push(frozen({ manager: m, credentials: at, foreign: frozen(foreign.flatMap((k) => (a.from[m]?.[k] ? [frozen({ field: k, at: a.from[m]![k]! })] : []))) }));
        }
      }
    } else if (prev.credentials !== undefined && CREDENTIAL_URL_FIELDS.some((k) => next[k] !== undefined && !sameValue(next[k], prev[k]))) {
      delete out.credentials;
      delete f.credentials;
    }
    sources[m] = frozen(out);
    if (!isEmpty(f)) from[m] = frozen(f);
    else delete from[m];
  }
  return frozen({ sources: frozen(sources) as Sources, from: frozen(from) });
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

/** No own keys, without allocating an array of them. */
function isEmpty(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return false;
  return true;
}

/** `o` frozen, typed as it was (the types say nothing about frozenness; see NO_SOURCES). */
function frozen<T extends object>(o: T): T {
  return Object.freeze(o) as T;
}

function sameValue(x: unknown, y: unknown): boolean {
  return JSON.stringify(x) === JSON.stringify(y);
}
