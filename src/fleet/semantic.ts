import type { FleetModel } from './model.js';
import type { Os } from './model.generated.js';
import type { Problem } from './resolve.js';
import { closest } from './suggest.js';
import { MANAGERS, MANAGER_OS, DEFAULT_SANDBOX_ROOTS } from './platform.js';
import { pathProblem } from './paths.js';
import { schemeFor } from '../managers/versioning/index.js';
import { compileWindow, parseCron } from '../policy/windows.js';
import { errorMessage } from '../util/errors.js';
import { isAgeX25519Recipient } from '../secrets/bech32.js';
import { looksAgeEncrypted } from '../secrets/armor-check.js';
import { checkCredentials } from './credentials-check.js';

const KEYWORDS = new Set(['present', 'latest', 'absent']);

const VERSION_EXAMPLES: Record<string, string> = {
  pep440: 'PEP 440 versions look like 1.26.4, 2.0rc1, 1!2.0.post1',
  semver: 'semver versions look like 1.2.3 or 2.0.0-beta.1',
  debian: 'Debian versions look like 1.2-3, 1:2.0~rc1-1',
  rpm: 'RPM versions look like 1.2-3.el9 or 1:2.0-1',
  rubygems: 'RubyGems versions look like 1.2.3 or 2.0.0.pre1',
  nuget: 'NuGet versions look like 1.2.3 or 1.2.3.4-beta',
  loose: 'versions look like 1.2.3',
};

/** The meaning checks of a schema-valid model: references, cycles, managers per OS, versions, paths, policies, secrets. */
export function semanticProblems(model: FleetModel): Problem[] {
  const out: Problem[] = [];
  checkReferences(model, out);
  checkIncludeCycles(model, out);
  checkBaselines(model, out);
  checkTemplates(model, out);
  checkPolicies(model, out);
  checkSecrets(model, out);
  checkCredentials(model, out);
  return out;
}

function refProblem(out: Problem[], code: string, file: string, path: (string | number)[], what: string, name: string, known: Iterable<string>, folder: string): void {
  const names = [...known];
  const guess = closest(name, names);
  out.push({ code, at: { file, path, via: 'ref' }, message: `${what} "${name}" does not exist`, hint: guess ? `did you mean "${guess}"?` : `add ${folder}/${name}.yaml${names.length ? ` or use one of: ${names.slice(0, 8).join(', ')}` : ''}` });
}

function checkReferences(model: FleetModel, out: Problem[]): void {
  const fleet = model.fleet;
  const waves = new Set((fleet?.value.rollout?.waves ?? []).map((w) => w.name));
  if (fleet) {
    (fleet.value.defaults?.policies ?? []).forEach((p, i) => {
      if (!model.policies.has(p)) refProblem(out, 'ref.policy', fleet.doc.file, ['defaults', 'policies', i], 'policy', p, model.policies.keys(), 'policies');
    });
    const seen = new Set<string>();
    (fleet.value.rollout?.waves ?? []).forEach((w, i) => {
      if (seen.has(w.name)) out.push({ code: 'ref.duplicate-wave', at: { file: fleet.doc.file, path: ['rollout', 'waves', i, 'name'], via: 'ref' }, message: `wave "${w.name}" is listed twice`, hint: 'give each wave its own name' });
      seen.add(w.name);
    });
  }
  for (const { value: h, doc } of model.hosts.values()) {
    (h.baselines ?? []).forEach((b, i) => { if (!model.baselines.has(b)) refProblem(out, 'ref.baseline', doc.file, ['baselines', i], 'baseline', b, model.baselines.keys(), 'baselines'); });
    (h.policies ?? []).forEach((p, i) => { if (!model.policies.has(p)) refProblem(out, 'ref.policy', doc.file, ['policies', i], 'policy', p, model.policies.keys(), 'policies'); });
    for (const [name, inst] of Object.entries(h.sandboxes ?? {})) {
      if (!model.templates.has(inst.template)) refProblem(out, 'ref.template', doc.file, ['sandboxes', name, 'template'], 'sandbox template', inst.template, model.templates.keys(), 'sandboxes');
      if (inst.path) pathCheck(out, model, doc.file, ['sandboxes', name, 'path'], inst.path, h.os);
    }
    if (h.wave !== undefined && !waves.has(h.wave)) {
      const guess = closest(h.wave, [...waves]);
      out.push({ code: 'ref.wave', at: { file: doc.file, path: ['wave'], via: 'ref' }, message: `wave "${h.wave}" is not a wave of fleet.yaml`, hint: guess ? `did you mean "${guess}"?` : waves.size ? `one of: ${[...waves].join(', ')}` : 'add `rollout.waves` to fleet.yaml' });
    }
  }
  for (const { value: b, doc } of model.baselines.values()) {
    (b.includes ?? []).forEach((inc, i) => { if (!model.baselines.has(inc)) refProblem(out, 'ref.baseline', doc.file, ['includes', i], 'included baseline', inc, model.baselines.keys(), 'baselines'); });
  }
}

function checkIncludeCycles(model: FleetModel, out: Problem[]): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const visit = (name: string, stack: string[]) => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      const key = [...cycle].sort().join(',');
      if (!reported.has(key)) {
        reported.add(key);
        const from = model.baselines.get(stack[stack.length - 1]!)!;
        const i = (from.value.includes ?? []).indexOf(name);
        out.push({ code: 'ref.include-cycle', at: { file: from.doc.file, path: ['includes', i], via: 'ref' }, message: `baselines include each other in a cycle: ${cycle.join(' → ')}`, hint: 'remove one of these includes' });
      }
      return;
    }
    state.set(name, 'visiting');
    for (const inc of model.baselines.get(name)?.value.includes ?? []) if (model.baselines.has(inc)) visit(inc, [...stack, name]);
    state.set(name, 'done');
  };
  for (const name of model.baselines.keys()) visit(name, []);
}

function checkBaselines(model: FleetModel, out: Problem[]): void {
  for (const { value: b, doc } of model.baselines.values()) {
    const oses = b.appliesTo?.os;
    for (const m of MANAGERS) {
      const pkgs = b.packages?.[m];
      if (!pkgs) continue;
      const wrong = (b.target ?? 'system') === 'system' ? oses?.filter((os) => !MANAGER_OS[m].includes(os)) ?? [] : [];
      if (wrong.length) out.push({ code: 'manager.os', at: { file: doc.file, path: ['packages', m], via: 'baseline', which: 'key' }, message: `${m} does not exist on ${wrong.join(', ')}, which appliesTo.os includes`, hint: `${m} runs on ${MANAGER_OS[m].join(', ')}` });
      const scheme = schemeFor(m);
      for (const [name, spec] of Object.entries(pkgs)) {
        if (KEYWORDS.has(spec) || scheme.valid(spec)) continue;
        out.push({ code: 'version.invalid', at: { file: doc.file, path: ['packages', m, name], via: 'baseline' }, message: `${m} package "${name}": "${spec}" is not a valid ${scheme.id} version`, hint: `${VERSION_EXAMPLES[scheme.id]}; or present, latest, absent` });
      }
    }
  }
  for (const imp of model.imports.values()) {
    const scheme = schemeFor(imp.manager);
    for (const p of imp.pins) {
      if (!scheme.valid(p.version)) out.push({ code: 'version.invalid', at: { file: imp.file, path: [p.line], via: 'import' }, message: `${imp.manager} package "${p.name}": "${p.version}" is not a valid ${scheme.id} version`, hint: VERSION_EXAMPLES[scheme.id] });
    }
  }
}

function checkTemplates(model: FleetModel, out: Problem[]): void {
  for (const { value: t, doc } of model.templates.values()) {
    for (const [os, path] of Object.entries(t.path) as [Os, string][]) pathCheck(out, model, doc.file, ['path', os], path, os);
    for (const os of Object.keys(t.type) as Os[]) {
      if (!t.path[os]) out.push({ code: 'template.path', at: { file: doc.file, path: ['path'], via: 'template', which: 'key' }, message: `template has a ${os} type but no ${os} path`, hint: `add \`path.${os}\`` });
      if (t.type[os] === 'docker' && !t.image) out.push({ code: 'template.image', at: { file: doc.file, path: ['type', os], via: 'template' }, message: 'a docker sandbox needs an image', hint: 'add `image:`, e.g. python:3.11-slim' });
      if (t.type[os] === 'wsl' && os !== 'windows') out.push({ code: 'template.wsl', at: { file: doc.file, path: ['type', os], via: 'template' }, message: `wsl sandboxes exist only on windows, not ${os}`, hint: 'use venv, conda, docker or node' });
    }
  }
}

function pathCheck(out: Problem[], model: FleetModel, file: string, path: (string | number)[], value: string, os: Os): void {
  const roots = model.fleet?.value.sandboxRoots?.[os] ?? DEFAULT_SANDBOX_ROOTS[os];
  const why = pathProblem(value, os, roots);
  if (why) out.push({ code: 'path.outside-root', at: { file, path, via: 'path' }, message: `sandbox path "${value}" is not allowed on ${os}`, hint: why });
}

function checkPolicies(model: FleetModel, out: Problem[]): void {
  for (const { value: p, doc } of model.policies.values()) {
    (p.maintenance ?? []).forEach((w, i) => {
      try {
        compileWindow(w);
      } catch (err) {
        out.push({ code: 'policy.window', at: { file: doc.file, path: ['maintenance', i], via: 'policy' }, message: `maintenance window ${i + 1}: ${errorMessage(err)}`, hint: 'cron is five fields (minute hour day month weekday), e.g. "0 2 * * *"; timezone an IANA name like Europe/Berlin' });
      }
    });
    (p.updates?.schedule ?? []).forEach((cron, i) => {
      try {
        parseCron(cron);
      } catch (err) {
        out.push({ code: 'policy.schedule', at: { file: doc.file, path: ['updates', 'schedule', i], via: 'policy' }, message: `update schedule: ${errorMessage(err)}`, hint: 'five cron fields, e.g. "0 6 * * 1"' });
      }
    });
    (p.healthChecks ?? []).forEach((hc, i) => {
      const n = Number(hc.command !== undefined) + Number(hc.http !== undefined);
      // with both, the `http` key is the one to look at (and likely delete); with neither, the check itself
      const at = n === 2 ? { file: doc.file, path: ['healthChecks', i, 'http'], via: 'policy', which: 'key' as const } : { file: doc.file, path: ['healthChecks', i], via: 'policy' };
      if (n !== 1) out.push({ code: 'policy.health-check', at, message: `health check "${hc.name}" must have exactly one of \`command\` and \`http\`${n ? ', not both' : ''}`, hint: 'command: [python, -c, "import x"]  or  http: {url: http://127.0.0.1:8080/healthz}' });
      if (hc.http && hc.target) out.push({ code: 'policy.health-check', at: { file: doc.file, path: ['healthChecks', i, 'target'], via: 'policy', which: 'key' }, message: `health check "${hc.name}": \`target\` applies to commands only`, hint: 'remove `target`' });
    });
  }
}

function checkSecrets(model: FleetModel, out: Problem[]): void {
  const badRecipient = (file: string, path: (string | number)[], r: string) => out.push({ code: 'recipient.invalid', at: { file, path, via: 'recipient' }, message: `"${r}" is not a valid age X25519 recipient (its bech32 checksum or length is wrong)`, hint: 'copy the recipient printed by `gitfleet host keygen` (or `age-keygen -y`) exactly' });
  for (const { value: h, doc } of model.hosts.values()) if (h.recipient && !isAgeX25519Recipient(h.recipient)) badRecipient(doc.file, ['recipient'], h.recipient);
  const fleet = model.fleet;
  if (fleet) (fleet.value.recipients ?? []).forEach((r, i) => { if (!isAgeX25519Recipient(r)) badRecipient(fleet.doc.file, ['recipients', i], r); });
  for (const { value: s, doc } of model.secrets.values()) {
    for (const [key, v] of Object.entries(s.secrets)) {
      // The schema saw armor; here the armor must also hold an age file. The value itself is never echoed.
      if (!looksAgeEncrypted(v.value)) out.push({ code: 'secrets.not-encrypted', at: { file: doc.file, path: ['secrets', key, 'value'], via: 'secrets' }, message: `the value of secret "${key}" is not encrypted: the armored block does not hold an age file (not shown here: it may be clear text)`, hint: 'set it with `gitfleet secret set`; a clear-text value is now in the git history, so rotate it' });
    }
    const host = model.hosts.get(s.name);
    if (!host) {
      refProblem(out, 'ref.secrets-host', doc.file, ['name'], 'host', s.name, model.hosts.keys(), 'hosts');
      continue;
    }
    if (!host.value.recipient) out.push({ code: 'secrets.no-recipient', at: { file: host.doc.file, path: ['name'], via: 'host' }, message: `host "${s.name}" has secrets but no \`recipient\``, hint: 'run `gitfleet host keygen` on the host and add its age public key as `recipient:`' });
  }
}
