import type { Diagnostic } from '../util/errors.js';
import type { LoadedDocument } from './load.js';
import type { Entry, FleetModel } from './model.js';
import type { ImportedPins } from './imports.js';
import type { Baseline, Host, Limits, Manager, Os, Policy, Sources } from './model.generated.js';
import { MANAGERS, MANAGER_OS, SANDBOX_MANAGERS, parseQuantity } from './platform.js';
import { effectivePolicy, type EffectivePolicy } from './policy-merge.js';
import { expandPath } from './paths.js';
import { mergeSources, mixedProblem, noSources, ownSources, type MergedSources, type MixedCredentials, type SourceOrigins } from './sources-merge.js';

/** Where a desired value was written: a file and the path of the node in it (positions are computed on demand). */
export interface Origin {
  file: string;
  path: (string | number)[];
  /** `baseline <name>`, `import <file>`, `host override`, `host`. */
  via: string;
  /** Point at the key of the node rather than its value. */
  which?: 'key' | 'value';
}

/** One desired package in one target. */
export interface DesiredPackage {
  manager: Manager;
  name: string;
  /** An exact version, `present`, `latest` or `absent`. */
  spec: string;
  origin: Origin;
}

/** The packages of one target (`system` or `sandbox:<name>`), sorted by manager then name. */
export interface DesiredTarget {
  target: string;
  packages: DesiredPackage[];
  sources: Sources;
  /** Where each manager's index URLs and credentials reference were written (the merge keeps credentials only beside their own URLs). */
  sourcesFrom?: SourceOrigins;
}

/** A sandbox of the host with its template applied for the host's OS. */
export interface DesiredSandbox {
  name: string;
  template: string;
  type: 'venv' | 'conda' | 'docker' | 'wsl' | 'node';
  path: string;
  limits?: Limits;
  env: Record<string, string>;
  python?: string;
  node?: string;
  image?: string;
  distribution?: string;
  secrets: string[];
}

/** A host's effective desired state: everything the planner needs, with where each value came from. */
export interface DesiredHost {
  name: string;
  os: Os;
  arch: 'x64' | 'arm64';
  wave?: string;
  labels: Record<string, string>;
  capabilities: string[];
  recipient?: string;
  agent: { interval: string; driftInterval: string };
  baselines: { name: string; applied: boolean; reason?: string }[];
  policies: string[];
  policy: EffectivePolicy;
  sandboxes: DesiredSandbox[];
  targets: DesiredTarget[];
}

export interface ResolveOptions {
  /** Capability labels from live facts, added to the host document's own. */
  capabilities?: readonly string[];
  /** Replaces `{state}` in sandbox paths. */
  stateDir?: string;
}

interface Problem { code: string; at: Origin; message: string; hint?: string }

/** Resolves one host of a schema-valid model; problems come back as diagnostics, never thrown. */
export function resolveHost(model: FleetModel, hostName: string, opts: ResolveOptions = {}): { host?: DesiredHost; diagnostics: Diagnostic[] } {
  const problems: Problem[] = [];
  const host = resolveHostProblems(model, hostName, opts, problems, new Map());
  return { host, diagnostics: problems.map((p) => toDiagnostic(model, p)) };
}

/** Resolves every host, sharing expanded baselines between them; used by validation. */
export function resolveAll(model: FleetModel): Problem[] {
  const problems: Problem[] = [];
  const cache = new Map<string, ExpandedBaseline>();
  // Validation needs only the problems: no host's desired state is built, and hosts share folded policies.
  const fast: FastCache = { policies: new Map(), passes: new Map() };
  for (const name of model.hosts.keys()) resolveHostProblems(model, name, {}, problems, cache, fast);
  return problems;
}

export type { Problem };

/** Where an origin points, as a diagnostic. */
export function toDiagnostic(model: FleetModel, p: Problem): Diagnostic {
  return { code: p.code, file: p.at.file, ...positionOf(model, p.at), message: p.message, hint: p.hint };
}

/** Line and column of an origin (re-parses that one file on first use). */
export function positionOf(model: FleetModel, o: Origin): { line: number; column: number } {
  const doc = findDoc(model, o.file);
  if (doc) return doc.at(o.path, o.which ?? 'value');
  const imp = model.imports.get(o.file);
  const line = typeof o.path[0] === 'number' ? o.path[0] : 1;
  return imp ? { line, column: 1 } : { line: 1, column: 1 };
}

// Documents by file, per model: a fleet with a problem on every host would otherwise scan every document per diagnostic.
const docIndex = new WeakMap<FleetModel, { count: number; byFile: Map<string, LoadedDocument> }>();

function findDoc(model: FleetModel, file: string): LoadedDocument | undefined {
  const kinds = [model.hosts, model.baselines, model.templates, model.policies, model.secrets];
  const count = kinds.reduce((n, m) => n + m.size, model.fleet ? 1 : 0);
  let index = docIndex.get(model);
  if (index?.count !== count) {
    // rebuilt when documents were added or removed since; the first document of a file wins, as in a scan
    const byFile = new Map<string, LoadedDocument>();
    for (const m of kinds) for (const e of m.values()) if (!byFile.has(e.doc.file)) byFile.set(e.doc.file, e.doc);
    if (model.fleet && !byFile.has(model.fleet.doc.file)) byFile.set(model.fleet.doc.file, model.fleet.doc);
    index = { count, byFile };
    docIndex.set(model, index);
  }
  return index.byFile.get(file);
}

interface ExpandedBaseline {
  target: string;
  /** Never written to once expanded (it may be shared between hosts): callers copy it. */
  packages: Map<string, DesiredPackage>;
  sources: MergedSources;
  /** Credentials of this baseline or an include dropped while merging its includes (see sources-merge.ts). */
  mixed: readonly MixedCredentials[];
  /**
   * What the expansion read from the model, with what it found (undefined: not there), so that a shared expansion
   * is reused only while the model still holds the same. Undefined when an include was skipped because it was being
   * expanded (a cycle, itself an error): the result then depends on the order baselines were reached in.
   */
  reads?: { baselines: Map<string, Entry<Baseline> | undefined>; imports: Map<string, ImportedPins | undefined> };
}

/** What almost every baseline drops: nothing (one shared array rather than one per host). */
const NO_MIXED: readonly MixedCredentials[] = Object.freeze([]);

// Expanded baselines by name, per model, shared by every resolveHost and resolveAll of it: a baseline expands the same
// on every host (only those with `reads` are kept here), and expanding it again per host was most of resolving.
const sharedExpansions = new WeakMap<FleetModel, Map<string, ExpandedBaseline>>();

/** Shared by the hosts of one resolveAll: folded policies by their names, and whether a baseline passes the package checks in a context. */
interface FastCache {
  policies: Map<string, EffectivePolicy>;
  passes: Map<string, boolean>;
}

/** With `fast` (validation), only problems are wanted: returns undefined and may skip merging when nothing can be found. */
function resolveHostProblems(model: FleetModel, hostName: string, opts: ResolveOptions, problems: Problem[], cache: Map<string, ExpandedBaseline>, fast?: FastCache): DesiredHost | undefined {
  const entry = model.hosts.get(hostName);
  if (!entry) return undefined;
  const h = entry.value;
  const file = entry.doc.file;
  const fleet = model.fleet?.value;
  const capabilities = [...new Set([...(h.capabilities ?? []), ...(opts.capabilities ?? [])])].sort();
  const policyNames = [...new Set([...(fleet?.defaults?.policies ?? []), ...(h.policies ?? [])])];
  const policyKey = policyNames.join('\n');
  let policy = fast?.policies.get(policyKey);
  if (!policy) {
    const policies = policyNames.map((n) => model.policies.get(n)).filter((p): p is Entry<Policy> => p !== undefined);
    policy = effectivePolicy(policies.map((p) => p.value));
    fast?.policies.set(policyKey, policy);
  }

  const sandboxes: DesiredSandbox[] = [];
  for (const [name, inst] of Object.entries(h.sandboxes ?? {})) {
    const tpl = model.templates.get(inst.template)?.value;
    if (!tpl) continue; // a dangling template is reported by the reference checks
    const type = tpl.type[h.os];
    if (!type) {
      problems.push({ code: 'template.os', at: { file, path: ['sandboxes', name, 'template'], via: 'host' }, message: `template "${tpl.name}" has no sandbox type for ${h.os}`, hint: `add \`type.${h.os}\` to sandboxes/${tpl.name}.yaml or use another template` });
      continue;
    }
    const rawPath = inst.path ?? tpl.path[h.os];
    if (!rawPath) {
      problems.push({ code: 'template.os', at: { file, path: ['sandboxes', name, 'template'], via: 'host' }, message: `template "${tpl.name}" has no path for ${h.os}`, hint: `add \`path.${h.os}\` to sandboxes/${tpl.name}.yaml` });
      continue;
    }
    const limits = inst.limits ?? tpl.limits;
    sandboxes.push({
      name, template: tpl.name, type, path: expandPath(rawPath, { name, state: opts.stateDir }), limits,
      env: { ...(tpl.env ?? {}), ...(inst.env ?? {}) }, python: tpl.python, node: tpl.node, image: tpl.image,
      distribution: tpl.distribution, secrets: tpl.secrets ?? [],
    });
    if (limits && policy.limits) {
      // point at the limit where it was written: the host's override, or the template
      const tplDoc = model.templates.get(inst.template)!.doc;
      const at = inst.limits ? { file, path: ['sandboxes', name, 'limits'], via: 'host' } : { file: tplDoc.file, path: ['limits'], via: 'template' };
      checkLimits(limits, policy.limits, at, problems, name);
    }
  }

  const baselines: DesiredHost['baselines'] = [];
  // In host order: a baseline to merge, or a problem to report at that point (kept in order with conflicts).
  const steps: ({ bName: string; i: number; exp: ExpandedBaseline } | { problem: Problem })[] = [];
  (h.baselines ?? []).forEach((bName, i) => {
    const b = model.baselines.get(bName);
    if (!b) return;
    const skip = selectorMismatch(b.value, h, capabilities);
    if (skip) { baselines.push({ name: bName, applied: false, reason: skip }); return; }
    baselines.push({ name: bName, applied: true });
    const exp = expand(model, bName, cache, new Set());
    const sandboxName = exp.target.startsWith('sandbox:') ? exp.target.slice(8) : undefined;
    if (sandboxName && !h.sandboxes?.[sandboxName]) {
      steps.push({ problem: { code: 'ref.sandbox', at: { file, path: ['baselines', i], via: 'host' }, message: `baseline "${bName}" targets ${exp.target}, which host "${h.name}" does not define`, hint: `add \`sandboxes: {${sandboxName}: {template: ...}}\` to the host, or change the baseline's target` } });
      return;
    }
    steps.push({ bName, i, exp });
  });

  const sandboxByName = new Map(sandboxes.map((s) => [s.name, s]));
  if (fast && !h.overrides && passesWithoutMerge(steps.filter((st) => 'exp' in st), h, sandboxByName, policy, policyKey, fast)) {
    for (const st of steps) if ('problem' in st) problems.push(st.problem);
    return undefined;
  }

  // `from`: the baseline that last set each package, for conflict messages; packages of `first` are not recorded in it.
  const targets = new Map<string, { packages: Map<string, DesiredPackage>; sources: MergedSources; from: Map<string, string>; first?: string }>();
  // Validation finds mixed credentials itself (credentials-check.ts), for every host, whether or not it merges here.
  const mixed: MixedCredentials[] | undefined = fast ? undefined : [];
  for (const step of steps) {
    if ('problem' in step) { problems.push(step.problem); continue; }
    const { bName, i, exp } = step;
    if (mixed && exp.mixed.length) mixed.push(...exp.mixed);
    const t = targets.get(exp.target);
    if (!t) {
      // the first baseline of a target cannot conflict: copy its packages whole (most hosts have one or two per target)
      // merged sources are never written to, so the baseline's are taken as they are
      targets.set(exp.target, { packages: new Map(exp.packages), sources: exp.sources, from: new Map(), first: bName });
      continue;
    }
    t.sources = mergeSources(t.sources, exp.sources, mixed);
    for (const [key, pkg] of exp.packages) {
      const prev = t.packages.get(key);
      if (prev && prev.spec !== pkg.spec) {
        problems.push({ code: 'resolve.conflict', at: { file, path: ['baselines', i], via: 'host' }, message: `${pkg.manager} package "${pkg.name}" in ${exp.target} is ${pkg.spec} in baseline "${bName}" but ${prev.spec} in baseline "${t.from.get(key) ?? t.first}"`, hint: 'pin it in one baseline only, or set it in the host\'s `overrides`' });
        continue;
      }
      t.packages.set(key, pkg);
      t.from.set(key, bName);
    }
  }
  for (const [target, set] of Object.entries(h.overrides ?? {})) {
    const t = targets.get(target) ?? { packages: new Map(), sources: noSources(), from: new Map() };
    targets.set(target, t);
    for (const m of MANAGERS) {
      for (const [name, spec] of Object.entries(set[m] ?? {})) {
        t.packages.set(`${m}:${name}`, { manager: m, name, spec, origin: { file, path: ['overrides', target, m, name], via: 'host override', which: 'key' } });
      }
    }
  }

  const reported = new Set<string>();
  for (const [target, t] of targets) {
    const sb = target.startsWith('sandbox:') ? sandboxByName.get(target.slice(8)) : undefined;
    for (const [key, pkg] of t.packages) checkPackage(key, pkg, h, target, sb, policy, problems, reported);
  }
  if (fast) return undefined;
  for (const m of mixed ?? []) reportOnce(problems, reported, mixedProblem(m, [h.name]));

  return {
    name: h.name, os: h.os, arch: h.arch, wave: h.wave ?? fleet?.rollout?.waves?.at(-1)?.name, labels: h.labels ?? {}, capabilities,
    recipient: h.recipient,
    agent: {
      interval: h.agent?.interval ?? fleet?.defaults?.interval ?? '30s',
      driftInterval: h.agent?.driftInterval ?? fleet?.defaults?.driftInterval ?? '5m',
    },
    baselines, policies: policyNames, policy, sandboxes,
    targets: [...targets.entries()].sort(([a], [b]) => (a === 'system' ? -1 : b === 'system' ? 1 : a.localeCompare(b)))
      .map(([target, t]) => {
        const { sources, from } = t.sources;
        const packages = [...t.packages.values()].sort(byManagerName);
        return hasKeys(from) ? { target, sources, sourcesFrom: from, packages } : { target, sources, packages };
      }),
  };
}

/**
 * True when merging the host's baselines would find nothing: no two of a target disagree on a version, and each
 * passes the package checks in this host's context (so any of its packages that survive the merge do too).
 * False means "merge and see", never "there is a problem".
 */
function passesWithoutMerge(applied: readonly { bName: string; exp: ExpandedBaseline }[], h: Host, sandboxByName: ReadonlyMap<string, DesiredSandbox>, policy: EffectivePolicy, policyKey: string, fast: FastCache): boolean {
  for (let j = 0; j < applied.length; j++) {
    const { bName, exp } = applied[j]!;
    const sb = exp.target.startsWith('sandbox:') ? sandboxByName.get(exp.target.slice(8)) : undefined;
    // checkPackage depends on the host only through its OS (and its name, in messages)
    const key = `${bName}\n${exp.target}\n${h.os}\n${sb?.type ?? ''}\n${policyKey}`;
    let passes = fast.passes.get(key);
    if (passes === undefined) {
      const found: Problem[] = [];
      const reported = new Set<string>();
      for (const [k, pkg] of exp.packages) checkPackage(k, pkg, h, exp.target, sb, policy, found, reported);
      passes = found.length === 0;
      fast.passes.set(key, passes);
    }
    if (!passes) return false;
    for (let k = 0; k < j; k++) {
      const other = applied[k]!.exp;
      if (other.target !== exp.target || other === exp) continue;
      const [small, large] = other.packages.size < exp.packages.size ? [other, exp] : [exp, other];
      for (const [name, pkg] of small.packages) {
        const seen = large.packages.get(name);
        if (seen !== undefined && seen.spec !== pkg.spec) return false;
      }
    }
  }
  return true;
}

/** `key` is the package's `manager:name` key in its target. Runs for every package of every host: nothing is allocated unless a problem is found. */
function checkPackage(key: string, pkg: DesiredPackage, h: Host, target: string, sb: DesiredSandbox | undefined, policy: EffectivePolicy, problems: Problem[], reported: Set<string>): void {
  const missingOnOs = target === 'system' && !MANAGER_OS[pkg.manager].includes(h.os);
  if (missingOnOs) {
    reportOnce(problems, reported, { code: 'manager.os', at: managerOrigin(pkg), message: `${pkg.manager} does not exist on ${h.os} (host "${h.name}")`, hint: `${pkg.manager} runs on ${MANAGER_OS[pkg.manager].join(', ')}; restrict the baseline with \`appliesTo.os\` or use a manager of ${h.os}` });
  }
  if (sb && !SANDBOX_MANAGERS[sb.type].includes(pkg.manager)) {
    reportOnce(problems, reported, { code: 'manager.sandbox', at: managerOrigin(pkg), message: `${pkg.manager} packages cannot go into a ${sb.type} sandbox (${target} on host "${h.name}")`, hint: `a ${sb.type} sandbox takes ${SANDBOX_MANAGERS[sb.type].join(', ')}` });
  }
  const allowed = policy.managers?.[h.os];
  // whether policy allows a manager the OS does not have is moot: manager.os above says what to fix
  if (allowed && !missingOnOs && !allowed.includes(pkg.manager)) {
    reportOnce(problems, reported, { code: 'policy.manager', at: managerOrigin(pkg), message: `policy allows only ${allowed.join(', ') || 'no managers'} on ${h.os}, not ${pkg.manager} (host "${h.name}")`, hint: 'remove these packages for this host or allow the manager in its policy' });
  }
  if (pkg.spec !== 'absent' && policy.deny.size > 0 && (policy.deny.has(pkg.name) || policy.deny.has(key))) {
    reportOnce(problems, reported, { code: 'policy.denied', at: pkg.origin, message: `${pkg.manager} package "${pkg.name}" is denied by policy (host "${h.name}")`, hint: 'remove it, or set it to `absent`' });
  }
}

/** Where the manager's map of a package was written: the package's origin minus its last path segment. */
function managerOrigin(pkg: DesiredPackage): Origin {
  return { ...pkg.origin, path: pkg.origin.path.slice(0, -1) };
}

function reportOnce(problems: Problem[], reported: Set<string>, p: Problem): void {
  const k = `${p.code}:${p.at.file}:${p.at.path.join('.')}`;
  if (!reported.has(k)) { reported.add(k); problems.push(p); }
}

function checkLimits(limits: Limits, ceiling: Limits, at: Origin, problems: Problem[], name: string): void {
  if (ceiling.cpus !== undefined && limits.cpus !== undefined && limits.cpus > ceiling.cpus) {
    problems.push({ code: 'policy.limit', at: { ...at, path: [...at.path, 'cpus'] }, message: `sandbox "${name}" asks for ${limits.cpus} cpus, above the policy ceiling of ${ceiling.cpus}`, hint: `set \`limits.cpus\` to ${ceiling.cpus} or less` });
  }
  if (ceiling.memory !== undefined && limits.memory !== undefined && parseQuantity(limits.memory) > parseQuantity(ceiling.memory)) {
    problems.push({ code: 'policy.limit', at: { ...at, path: [...at.path, 'memory'] }, message: `sandbox "${name}" asks for ${limits.memory} of memory, above the policy ceiling of ${ceiling.memory}`, hint: `set \`limits.memory\` to ${ceiling.memory} or less` });
  }
}

/** Why a baseline's `appliesTo` does not select a host (undefined: it applies). */
export function selectorMismatch(b: Baseline, h: Host, capabilities: readonly string[]): string | undefined {
  const s = b.appliesTo;
  if (!s) return undefined;
  if (s.os && !s.os.includes(h.os)) return `appliesTo.os is [${s.os.join(', ')}], host is ${h.os}`;
  if (s.arch && !s.arch.includes(h.arch)) return `appliesTo.arch is [${s.arch.join(', ')}], host is ${h.arch}`;
  for (const [k, v] of Object.entries(s.labels ?? {})) if (h.labels?.[k] !== v) return `appliesTo.labels needs ${k}=${v}`;
  for (const c of s.capabilities ?? []) if (!capabilities.includes(c)) return `appliesTo.capabilities needs ${c}`;
  return undefined;
}

function expand(model: FleetModel, name: string, cache: Map<string, ExpandedBaseline>, visiting: Set<string>): ExpandedBaseline {
  const hit = cache.get(name);
  if (hit) return hit;
  let shared = sharedExpansions.get(model);
  if (!shared) sharedExpansions.set(model, (shared = new Map()));
  const known = shared.get(name);
  if (known?.reads && stillReads(model, known.reads)) {
    cache.set(name, known);
    return known;
  }
  const b = model.baselines.get(name)!;
  const packages = new Map<string, DesiredPackage>();
  let sources = noSources();
  // short-lived: a baseline keeps an array of its own only when it drops credentials (see the end)
  const mixed: MixedCredentials[] = [];
  let reads: ExpandedBaseline['reads'] = { baselines: new Map([[name, b]]), imports: new Map() };
  visiting.add(name);
  // Included baselines first, so that this baseline's own entries win; cycles are reported by the reference checks.
  for (const inc of b.value.includes ?? []) {
    if (visiting.has(inc)) { reads = undefined; continue; }
    const entry = model.baselines.get(inc);
    reads?.baselines.set(inc, entry);
    if (!entry) continue;
    const sub = expand(model, inc, cache, visiting);
    if (!sub.reads) reads = undefined;
    else if (reads) {
      for (const [k, v] of sub.reads.baselines) reads.baselines.set(k, v);
      for (const [k, v] of sub.reads.imports) reads.imports.set(k, v);
    }
    for (const [k, v] of sub.packages) packages.set(k, v);
    if (sub.mixed.length) mixed.push(...sub.mixed);
    sources = mergeSources(sources, sub.sources, mixed);
  }
  visiting.delete(name);
  // Packages are frozen: an expansion's are shared by the hosts that apply it, and consumers only read them.
  for (const imp of b.value.imports ?? []) {
    const path = imp.requirements ?? imp.packageJson;
    const pins = path ? model.imports.get(path) : undefined;
    if (path) reads?.imports.set(path, pins);
    for (const p of pins?.pins ?? []) {
      packages.set(`${pins!.manager}:${p.name}`, Object.freeze({ manager: pins!.manager, name: p.name, spec: p.version, origin: frozenOrigin({ file: pins!.file, path: [p.line], via: `import ${pins!.file}` }) }));
    }
  }
  const via = `baseline ${name}`;
  for (const m of MANAGERS) {
    for (const [pkg, spec] of Object.entries(b.value.packages?.[m] ?? {})) {
      packages.set(`${m}:${pkg}`, Object.freeze({ manager: m, name: pkg, spec, origin: frozenOrigin({ file: b.doc.file, path: ['packages', m, pkg], via, which: 'key' }) }));
    }
  }
  sources = mergeSources(sources, ownSources(b.value.sources, b.doc.file, via), mixed);
  const out: ExpandedBaseline = Object.freeze({ target: b.value.target ?? 'system', packages, sources, mixed: mixed.length ? Object.freeze(mixed) : NO_MIXED, reads });
  cache.set(name, out);
  if (reads) shared.set(name, out);
  return out;
}

/** Whether the model still has what an expansion read. */
function stillReads(model: FleetModel, reads: NonNullable<ExpandedBaseline['reads']>): boolean {
  for (const [name, entry] of reads.baselines) if (model.baselines.get(name) !== entry) return false;
  for (const [path, pins] of reads.imports) if (model.imports.get(path) !== pins) return false;
  return true;
}

function frozenOrigin(o: Origin): Origin {
  Object.freeze(o.path);
  return Object.freeze(o);
}

function hasKeys(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
}

const MANAGER_RANK = new Map(MANAGERS.map((m, i) => [m, i]));

function byManagerName(a: DesiredPackage, b: DesiredPackage): number {
  return a.manager === b.manager ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : MANAGER_RANK.get(a.manager)! - MANAGER_RANK.get(b.manager)!;
}
