// Index credentials are named by secret key (`sources.<manager>.credentials: {secret: KEY}`). Caught here rather than on
// a host: credentials for a manager whose sources are local folders (nothing to send them to); a source whose
// credentials would reach the wrong URL (none of its own, an ambiguous or public index, plain http: credential-rules.ts);
// a baseline whose credentials another baseline's URLs would be merged with on some host; and a key missing from the
// secrets file of a host that applies the baseline (its batches would fail and the revision be marked bad there).
import type { FleetModel } from './model.js';
import type { Host, Manager } from './model.generated.js';
import { credentialTargets, type CredentialedSource } from './credential-rules.js';
import { selectorMismatch, type Origin, type Problem } from './resolve.js';
import { mergeSources, mixedProblem, noSources, ownSources, type MergedSources, type MixedCredentials } from './sources-merge.js';
import { closest } from './suggest.js';

/** The managers that reach an index and so can take credentials; the others' sources are local folders only. */
const WITH_INDEX = new Set(['pip', 'npm']);

/** A `credentials` reference in effect on a host: where it is written, the manager, the key. */
interface Reference {
  at: Origin;
  manager: string;
  key: string;
}

/** A baseline's sources with its includes merged in, and the credentials dropped while merging them. */
interface Expanded {
  sources: MergedSources;
  mixed: MixedCredentials[];
  credentials: boolean;
}

/** Every problem of index credentials, in the model's order: per baseline, then per place a host merges or lacks. */
export function checkCredentials(model: FleetModel, out: Problem[]): void {
  let any = false;
  for (const { value: b, doc } of model.baselines.values()) {
    for (const [m, s] of Object.entries(b.sources ?? {}) as [string, CredentialedSource | undefined][]) {
      if (!s?.credentials) continue;
      any = true;
      if (WITH_INDEX.has(m)) {
        for (const p of credentialTargets(m as 'pip' | 'npm', s).problems) {
          out.push({ code: p.code, at: { file: doc.file, path: ['sources', m, ...p.path], via: 'baseline', which: p.which }, message: p.message, hint: p.hint });
        }
        continue;
      }
      out.push({
        code: 'source.credentials-local', at: { file: doc.file, path: ['sources', m, 'credentials'], via: 'baseline', which: 'key' },
        message: `${m} sources are local folders only (\`findLinks\`): gitfleet sends no credentials for them, so every ${m} batch of this baseline would fail`,
        hint: `remove \`sources.${m}.credentials\`; only pip (indexUrl, extraIndexUrls) and npm (registry) take credentials`,
      });
    }
  }
  if (!any) return;
  // Per place, the hosts it concerns: one diagnostic per place, however many hosts.
  const missing = new Map<string, { ref: Reference; hosts: string[] }>();
  const mixed = new Map<string, { m: MixedCredentials; hosts: string[] }>();
  const cache = new Map<string, Expanded>();
  for (const { value: h } of model.hosts.values()) {
    const effective = effectiveSources(model, h, cache);
    for (const m of effective.mixed) {
      const id = `${m.credentials.file}\n${m.manager}`;
      const seen = mixed.get(id) ?? mixed.set(id, { m, hosts: [] }).get(id)!;
      if (!seen.hosts.includes(h.name)) seen.hosts.push(h.name);
    }
    const have = model.secrets.get(h.name)?.value.secrets ?? {};
    for (const ref of effective.refs) {
      if (Object.hasOwn(have, ref.key)) continue;
      const id = `${ref.at.file}\n${ref.manager}`;
      (missing.get(id) ?? missing.set(id, { ref, hosts: [] }).get(id)!).hosts.push(h.name);
    }
  }
  for (const { m, hosts } of mixed.values()) out.push(mixedProblem(m, hosts));
  for (const { ref, hosts } of missing.values()) out.push(missingKey(model, ref, hosts));
}

/**
 * The references in effect on a host and the credentials dropped on the way, merging sources as resolution does: per
 * target, its applied baselines in host order (each baseline's includes before itself).
 */
function effectiveSources(model: FleetModel, h: Host, cache: Map<string, Expanded>): { refs: Reference[]; mixed: MixedCredentials[] } {
  const byTarget = new Map<string, MergedSources>();
  const mixed: MixedCredentials[] = [];
  let credentials = false;
  for (const name of h.baselines ?? []) {
    const b = model.baselines.get(name)?.value;
    if (!b || selectorMismatch(b, h, h.capabilities ?? [])) continue;
    const target = b.target ?? 'system';
    // a sandbox the host does not define is its own error (ref.sandbox); nothing of this baseline reaches the host
    if (target.startsWith('sandbox:') && !h.sandboxes?.[target.slice(8)]) continue;
    const exp = expand(model, name, cache, new Set());
    credentials ||= exp.credentials;
    mixed.push(...exp.mixed);
    byTarget.set(target, mergeSources(byTarget.get(target) ?? noSources(), exp.sources, mixed));
  }
  if (!credentials) return { refs: [], mixed };
  const refs: Reference[] = [];
  for (const merged of byTarget.values()) {
    for (const [manager, s] of Object.entries(merged.sources) as [Manager, CredentialedSource | undefined][]) {
      const at = merged.from[manager]?.credentials;
      if (WITH_INDEX.has(manager) && s?.credentials && at) refs.push({ at, manager, key: s.credentials.secret });
    }
  }
  return { refs, mixed };
}

/** A baseline's sources merged with its includes' (recursively, cycles cut: they are reported by the reference checks). */
function expand(model: FleetModel, name: string, cache: Map<string, Expanded>, visiting: Set<string>): Expanded {
  const hit = cache.get(name);
  if (hit) return hit;
  const entry = model.baselines.get(name)!;
  const out: Expanded = { sources: noSources(), mixed: [], credentials: false };
  visiting.add(name);
  for (const inc of entry.value.includes ?? []) {
    if (visiting.has(inc) || !model.baselines.has(inc)) continue;
    const sub = expand(model, inc, cache, visiting);
    out.mixed.push(...sub.mixed);
    out.credentials ||= sub.credentials;
    out.sources = mergeSources(out.sources, sub.sources, out.mixed);
  }
  visiting.delete(name);
  const own = entry.value.sources ?? {};
  out.credentials ||= Object.values(own).some((s) => s?.credentials !== undefined);
  out.sources = mergeSources(out.sources, ownSources(own, entry.doc.file, `baseline ${name}`), out.mixed);
  cache.set(name, out);
  return out;
}

function missingKey(model: FleetModel, ref: Reference, hosts: string[]): Problem {
  const at = { ...ref.at, path: [...ref.at.path, 'secret'], which: 'value' as const };
  const shown = hosts.length > 6 ? `${hosts.slice(0, 6).join(', ')} and ${hosts.length - 6} more` : hosts.join(', ');
  const where = hosts.length === 1 ? `secrets/${hosts[0]}.yaml, and host "${hosts[0]}" applies this baseline` : `secrets/<host>.yaml of hosts ${shown}, which apply this baseline`;
  const guess = hosts.length === 1 ? closest(ref.key, Object.keys(model.secrets.get(hosts[0]!)?.value.secrets ?? {})) : undefined;
  return {
    code: 'ref.secret', at,
    message: `secret "${ref.key}" (the ${ref.manager} ${ref.manager === 'npm' ? 'registry' : 'index'} credentials) is not in ${where}: its ${ref.manager} batches would fail there`,
    hint: guess
      ? `did you mean "${guess}"?`
      : `set it for ${hosts.length === 1 ? 'the host' : 'each of these hosts'}: \`printf %s "$VALUE" | gitfleet secret set --host ${hosts.length === 1 ? hosts[0] : 'HOST'} ${ref.key}\` (for a host being registered, on its registration branch: the host file carries the recipient), or remove \`credentials\` if the index needs none`,
  };
}
