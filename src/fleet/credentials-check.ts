// Index credentials are named by secret key (`sources.<manager>.credentials: {secret: KEY}`). Caught here rather than on
// a host: a key missing from the secrets file of a host that applies the baseline (its batches would fail and the
// revision be marked bad there), and credentials for a manager whose sources are local folders (nothing to send them to).
import type { FleetModel } from './model.js';
import type { Host } from './model.generated.js';
import { selectorMismatch, type Problem } from './resolve.js';
import { closest } from './suggest.js';

/** The managers that reach an index and so can take credentials; the others' sources are local folders only. */
const WITH_INDEX = new Set(['pip', 'npm']);

/** A `credentials` reference as written: the baseline file, the manager, the key. */
interface Reference {
  file: string;
  manager: string;
  key: string;
}

/** `ref.secret` for each key a host lacks; `source.credentials-local` for credentials of a local-folder manager. */
export function checkCredentials(model: FleetModel, out: Problem[]): void {
  for (const { value: b, doc } of model.baselines.values()) {
    for (const [m, s] of Object.entries(b.sources ?? {}) as [string, { credentials?: unknown } | undefined][]) {
      if (WITH_INDEX.has(m) || !s?.credentials) continue;
      out.push({
        code: 'source.credentials-local', at: { file: doc.file, path: ['sources', m, 'credentials'], via: 'baseline', which: 'key' },
        message: `${m} sources are local folders only (\`findLinks\`): gitfleet sends no credentials for them, so every ${m} batch of this baseline would fail`,
        hint: `remove \`sources.${m}.credentials\`; only pip (indexUrl, extraIndexUrls) and npm (registry) take credentials`,
      });
    }
  }
  // Per reference, the hosts whose secrets file lacks its key: one diagnostic per place, however many hosts.
  const missing = new Map<string, { ref: Reference; hosts: string[] }>();
  const cache = new Map<string, Reference[]>();
  for (const { value: h } of model.hosts.values()) {
    const have = model.secrets.get(h.name)?.value.secrets ?? {};
    for (const ref of effectiveReferences(model, h, cache)) {
      if (Object.hasOwn(have, ref.key)) continue;
      const id = `${ref.file}\n${ref.manager}`;
      (missing.get(id) ?? missing.set(id, { ref, hosts: [] }).get(id)!).hosts.push(h.name);
    }
  }
  for (const { ref, hosts } of missing.values()) out.push(missingKey(model, ref, hosts));
}

/**
 * The references that are in effect on a host, as resolution merges sources: per target and manager, the last one
 * of its applied baselines in host order (each baseline's includes before itself); a later baseline without
 * `credentials` keeps the earlier reference.
 */
function effectiveReferences(model: FleetModel, h: Host, cache: Map<string, Reference[]>): Reference[] {
  const byPlace = new Map<string, Reference>();
  for (const name of h.baselines ?? []) {
    const b = model.baselines.get(name)?.value;
    if (!b || selectorMismatch(b, h, h.capabilities ?? [])) continue;
    const target = b.target ?? 'system';
    // a sandbox the host does not define is its own error (ref.sandbox); nothing of this baseline reaches the host
    if (target.startsWith('sandbox:') && !h.sandboxes?.[target.slice(8)]) continue;
    for (const ref of referencesOf(model, name, cache, new Set())) byPlace.set(`${target}\n${ref.manager}`, ref);
  }
  return [...byPlace.values()];
}

/** A baseline's pip/npm references in merge order: its includes' (recursively, cycles cut), then its own. */
function referencesOf(model: FleetModel, name: string, cache: Map<string, Reference[]>, visiting: Set<string>): Reference[] {
  const hit = cache.get(name);
  if (hit) return hit;
  const entry = model.baselines.get(name)!;
  const refs: Reference[] = [];
  visiting.add(name);
  for (const inc of entry.value.includes ?? []) {
    if (!visiting.has(inc) && model.baselines.has(inc)) refs.push(...referencesOf(model, inc, cache, visiting));
  }
  visiting.delete(name);
  for (const [manager, s] of Object.entries(entry.value.sources ?? {}) as [string, { credentials?: { secret: string } } | undefined][]) {
    if (WITH_INDEX.has(manager) && s?.credentials) refs.push({ file: entry.doc.file, manager, key: s.credentials.secret });
  }
  cache.set(name, refs);
  return refs;
}

function missingKey(model: FleetModel, ref: Reference, hosts: string[]): Problem {
  const at = { file: ref.file, path: ['sources', ref.manager, 'credentials', 'secret'], via: 'baseline' };
  const shown = hosts.length > 6 ? `${hosts.slice(0, 6).join(', ')} and ${hosts.length - 6} more` : hosts.join(', ');
  const where = hosts.length === 1 ? `secrets/${hosts[0]}.yaml, and host "${hosts[0]}" applies this baseline` : `secrets/<host>.yaml of hosts ${shown}, which apply this baseline`;
  const guess = hosts.length === 1 ? closest(ref.key, Object.keys(model.secrets.get(hosts[0]!)?.value.secrets ?? {})) : undefined;
  return {
    code: 'ref.secret', at,
    message: `secret "${ref.key}" (the ${ref.manager} ${ref.manager === 'npm' ? 'registry' : 'index'} credentials) is not in ${where}: its ${ref.manager} batches would fail there`,
    hint: guess
      ? `did you mean "${guess}"?`
      : `set it for ${hosts.length === 1 ? 'the host' : 'each of these hosts'}: \`printf %s "$VALUE" | gitfleet secret set --host ${hosts.length === 1 ? hosts[0] : 'HOST'} ${ref.key}\`, or remove \`credentials\` if the index needs none`,
  };
}
