// Synthetic fleets for the validation benchmark: realistic, deterministic, and valid by construction.
// Valid by construction means: one version per (manager, package) across the whole fleet (no resolve
// conflicts), includes only within one family and to lower indexes (no cycles), managers only where the
// OS has them, sandboxes defined on every host that applies a baseline targeting them, deny lists that
// name no package in use, and template limits below every policy ceiling.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const OSES = ['linux', 'windows', 'macos'];
const ARCHES = ['x64', 'arm64'];
const WAVES = ['canary', 'early', 'broad'];
const SITES = ['berlin', 'hamburg', 'munich', 'paris', 'austin', 'tokyo'];
const ROLES = ['web', 'db', 'trainer', 'edge', 'workstation', 'laptop', 'build', 'cache'];
const TEAMS = ['platform', 'ml', 'data', 'apps', 'infra'];
const AGE_ALPHABET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** Managers per system family; pip and npm also fill the `py` and `js` sandboxes. */
const SYSTEM_MANAGERS = { linux: ['apt', 'pip', 'npm'], windows: ['choco', 'winget', 'pip', 'npm'], macos: ['brew', 'pip', 'npm'] };
/** Families of baselines: includes stay inside a family, so included packages always fit the target. */
const FAMILIES = [
  { id: 'linux', os: ['linux'], target: 'system', managers: SYSTEM_MANAGERS.linux },
  { id: 'windows', os: ['windows'], target: 'system', managers: SYSTEM_MANAGERS.windows },
  { id: 'macos', os: ['macos'], target: 'system', managers: SYSTEM_MANAGERS.macos },
  { id: 'py', os: OSES, target: 'sandbox:py', managers: ['pip'] },
  { id: 'js', os: OSES, target: 'sandbox:js', managers: ['npm'] },
];

/** A small deterministic PRNG (mulberry32), so every run writes the same fleet. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
const int = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
const pad = (n, w) => String(n).padStart(w, '0');

/** A version valid in the manager's ecosystem, varied in shape like real ones. */
function versionFor(manager, r) {
  const a = int(r, 0, 12), b = int(r, 0, 30), c = int(r, 0, 40);
  switch (manager) {
    case 'pip': return pick(r, [`${a}.${b}.${c}`, `${a}.${b}`, `${a}.${b}.${c}rc1`, `${a}.${b}.post${int(r, 1, 3)}`, `${a}.${b}.${c}.dev${int(r, 0, 3)}`].slice(0, r() < 0.9 ? 2 : 5));
    case 'npm': return r() < 0.9 ? `${a}.${b}.${c}` : `${a}.${b}.${c}-beta.${int(r, 1, 5)}`;
    case 'apt': return pick(r, [`${a}.${b}.${c}-${int(r, 1, 9)}`, `1:${a}.${b}-${int(r, 1, 4)}+deb12u${int(r, 1, 9)}`, `${a}.${b}~rc${int(r, 1, 3)}-1`]);
    case 'choco': return r() < 0.7 ? `${a}.${b}.${c}` : `${a}.${b}.${c}.${int(r, 0, 99)}`;
    default: return `${a}.${b}.${c}`; // winget, brew: loose
  }
}

function packageName(manager, i) {
  switch (manager) {
    case 'npm': return i % 7 === 0 ? `@acme/tool-${i}` : `js-lib-${i}`;
    case 'winget': return `Vendor${i % 13}.App${i}`;
    case 'choco': return `choco-pkg${i}`;
    case 'apt': return `lib${i}-tools`;
    case 'brew': return `brew-formula-${i}`;
    default: return `py_pkg-${i}`;
  }
}

/** One pinned version per (manager, name): baselines that share a package never disagree. */
function makeCatalog(r) {
  const catalog = {};
  for (const m of ['pip', 'npm', 'apt', 'choco', 'winget', 'brew']) {
    catalog[m] = Array.from({ length: 400 }, (_, i) => {
      const roll = r();
      const spec = roll < 0.05 ? 'present' : roll < 0.07 ? 'latest' : versionFor(m, r);
      return { name: packageName(m, i), spec };
    });
  }
  return catalog;
}

const q = (s) => JSON.stringify(s); // a double-quoted YAML scalar

function baselineDoc(b) {
  const lines = [
    '# yaml-language-server: $schema=../../schemas/baseline.schema.json',
    'apiVersion: gitfleet/v1',
    'kind: Baseline',
    `name: ${b.name}`,
    `description: ${q(`Synthetic ${b.family.id} baseline ${b.index}.`)}`,
    `appliesTo: {os: [${b.family.os.join(', ')}]${b.arch ? `, arch: [${b.arch}]` : ''}}`,
  ];
  if (b.family.target !== 'system') lines.push(`target: ${q(b.family.target)}`);
  if (b.includes.length) lines.push(`includes: [${b.includes.join(', ')}]`);
  if (b.family.managers.includes('pip') && b.index % 5 === 0) lines.push('sources:', '  pip: {indexUrl: "https://pypi.org/simple"}');
  lines.push('packages:');
  for (const [m, pkgs] of Object.entries(b.packages)) {
    lines.push(`  ${m}:`);
    for (const p of pkgs) lines.push(`    ${q(p.name)}: ${q(p.spec)}`);
  }
  if (b.imports.length) {
    lines.push('imports:');
    for (const imp of b.imports) lines.push(imp.kind === 'requirements' ? `  - requirements: ${imp.path}` : `  - packageJson: ${imp.path}`);
  }
  return lines.join('\n') + '\n';
}

function templateDoc(t) {
  const lines = [
    '# yaml-language-server: $schema=../../schemas/sandbox-template.schema.json',
    'apiVersion: gitfleet/v1',
    'kind: SandboxTemplate',
    `name: ${t.name}`,
    `description: ${q(`A ${t.type} sandbox for ${t.os}.`)}`,
  ];
  if (t.type === 'venv' || t.type === 'docker') lines.push(`python: "3.${int(t.r, 9, 12)}"`);
  if (t.type === 'node') lines.push(`node: "${pick(t.r, ['18', '20', '22'])}"`);
  if (t.type === 'docker') lines.push('image: python:3.11-slim');
  lines.push(`type: {${t.os}: ${t.type}}`);
  const path = t.os === 'windows' ? `'C:\\gitfleet\\sandboxes\\{name}'` : t.os === 'macos' ? '/usr/local/gitfleet/sandboxes/{name}' : '/opt/gitfleet/sandboxes/{name}';
  lines.push('path:', `  ${t.os}: ${path}`);
  lines.push(`limits: {cpus: ${int(t.r, 1, 4)}, memory: ${int(t.r, 1, 8)}Gi}`);
  lines.push('env: {PYTHONUNBUFFERED: "1", GITFLEET_SANDBOX: "yes"}');
  return lines.join('\n') + '\n';
}

function policyDoc(i, r) {
  const lines = [
    '# yaml-language-server: $schema=../../schemas/policy.schema.json',
    'apiVersion: gitfleet/v1',
    'kind: Policy',
    `name: policy-${pad(i, 2)}`,
    `description: ${q(`Synthetic policy ${i}.`)}`,
    `drift: ${pick(r, ['enforce', 'propose', 'report'])}`,
    // every manager a generated baseline uses on that OS stays allowed
    'managers: {linux: [apt, pip, npm, brew], windows: [choco, winget, pip, npm], macos: [brew, pip, npm]}',
    `deny: [telnetd, rsh-server, "apt:ftp-${i}", "pip:insecure-${i}", "npm:left-pad-evil"]`,
    `limits: {sandbox: {cpus: ${int(r, 8, 32)}, memory: ${int(r, 16, 64)}Gi}}`,
    'updates:',
    '  allow: [patch, minor]',
    `  minimumReleaseAge: ${int(r, 1, 7)}d`,
    `  maxOpenPRs: ${int(r, 1, 10)}`,
    '  autoMerge: [patch]',
    '  groups:',
    '    - {name: python-stack, match: ["py_pkg-*"], managers: [pip]}',
    'maintenance:',
    `  - {cron: "0 ${int(r, 0, 5)} * * *", duration: ${int(r, 1, 4)}h, timezone: Europe/Berlin}`,
    '  - {cron: "30 1 * * 6", duration: 2h}',
    'healthChecks:',
    '  - {name: python-imports, command: [python, -c, "import json"], target: "sandbox:py", timeout: 30s}',
    '  - {name: agent-http, http: {url: "http://127.0.0.1:8080/healthz", expectStatus: 200}, timeout: 10s}',
    `rollback: ${pick(r, ['onFailedHealth', 'never'])}`,
  ];
  return lines.join('\n') + '\n';
}

// A real-looking age X25519 recipient: bech32 of 32 seeded bytes with a valid checksum (validation checks it).
function recipient(r) {
  const words = [];
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < 32; i++) {
    acc = (acc << 8) | Math.floor(r() * 256);
    bits += 8;
    while (bits >= 5) { bits -= 5; words.push((acc >>> bits) & 31); }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) words.push((acc << (5 - bits)) & 31);
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  const polymod = (values) => {
    let chk = 1;
    for (const v of values) {
      const top = chk >>> 25;
      chk = ((chk & 0x1ffffff) << 5) ^ v;
      for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= gen[i];
    }
    return chk >>> 0;
  };
  const hrp = [3, 3, 3, 0, 1, 7, 5]; // 'age' expanded: high bits, 0, low bits
  const mod = polymod([...hrp, ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const check = [0, 1, 2, 3, 4, 5].map((i) => (mod >>> (5 * (5 - i))) & 31);
  return 'age1' + [...words, ...check].map((w) => AGE_ALPHABET[w]).join('');
}

/**
 * Writes a valid synthetic fleet into `dir`: fleet.yaml, `hosts` hosts, `baselines` baselines, `templates`
 * sandbox templates, `policies` policies, and a few requirements.txt / package.json imports.
 * Returns the counts written.
 */
export async function generateFleet(dir, { hosts = 1000, baselines = 200, templates = 20, policies = 10, seed = 42 } = {}) {
  const r = rng(seed);
  const catalog = makeCatalog(r);
  const files = new Map();

  files.set('fleet.yaml', [
    '# yaml-language-server: $schema=../schemas/fleet.schema.json',
    'apiVersion: gitfleet/v1',
    'kind: Fleet',
    'name: synthetic',
    `description: "A synthetic fleet of ${hosts} hosts for the validation benchmark."`,
    'branch: main',
    'staleAfter: 5m',
    'defaults: {interval: 30s, driftInterval: 5m, policies: [policy-00]}',
    'rollout:',
    '  waves: [{name: canary, soak: 10m}, {name: early, soak: 30m}, {name: broad}]',
    '  maxUnavailable: 0',
    'provider: {git: {}}',
  ].join('\n') + '\n');

  // Imports: pins taken from the catalog so they agree with every baseline.
  const imports = [];
  for (let i = 0; i < 4; i++) {
    const pins = Array.from({ length: 6 }, (_, k) => catalog.pip[(i * 37 + k * 11) % 400]).filter((p) => !['present', 'latest'].includes(p.spec));
    const path = `requirements/stack-${i}.txt`;
    files.set(path, `# synthetic pins ${i}\n` + pins.map((p) => `${p.name}==${p.spec}`).join('\n') + '\n');
    imports.push({ kind: 'requirements', path, manager: 'pip' });
  }
  for (let i = 0; i < 3; i++) {
    const pins = Array.from({ length: 5 }, (_, k) => catalog.npm[(i * 41 + k * 13) % 400]).filter((p) => !['present', 'latest'].includes(p.spec));
    const path = `node/app-${i}/package.json`;
    files.set(path, JSON.stringify({ name: `app-${i}`, private: true, dependencies: Object.fromEntries(pins.map((p) => [p.name, p.spec])) }, null, 2) + '\n');
    imports.push({ kind: 'packageJson', path, manager: 'npm' });
  }

  // Baselines, round-robin over families; includes point to earlier baselines of the same family.
  const byFamily = new Map(FAMILIES.map((f) => [f.id, []]));
  const allBaselines = [];
  for (let i = 0; i < baselines; i++) {
    const family = FAMILIES[i % FAMILIES.length];
    const name = `${family.id}-base-${pad(i, 3)}`;
    const siblings = byFamily.get(family.id);
    const includes = siblings.length >= 2 && r() < 0.3 ? [pick(r, siblings).name] : [];
    const packages = {};
    const total = int(r, 10, 30);
    for (let k = 0; k < total; k++) {
      const m = family.managers[k % family.managers.length];
      const p = catalog[m][int(r, 0, 399)];
      (packages[m] ??= []);
      if (!packages[m].some((x) => x.name === p.name)) packages[m].push(p);
    }
    const usable = imports.filter((imp) => family.managers.includes(imp.manager));
    const baselineImports = usable.length && i % 25 === 3 ? [pick(r, usable)] : [];
    const arch = family.target === 'system' && i % 17 === 0 ? pick(r, ARCHES) : undefined;
    const b = { name, index: i, family, includes, packages, imports: baselineImports, arch };
    siblings.push(b);
    allBaselines.push(b);
    files.set(`baselines/${name}.yaml`, baselineDoc(b));
  }

  // Templates: one OS each; the `py` sandbox takes venv (or docker on linux), `js` takes node.
  const tplByOsKind = new Map();
  for (let i = 0; i < templates; i++) {
    const os = OSES[i % 3];
    const kind = Math.floor(i / 3) % 2 === 0 ? 'py' : 'js';
    const type = kind === 'js' ? 'node' : os === 'linux' && i % 4 === 0 ? 'docker' : 'venv';
    const name = `${kind}-${os}-${pad(i, 2)}`;
    files.set(`sandboxes/${name}.yaml`, templateDoc({ name, os, type, r }));
    const key = `${os}:${kind}`;
    if (!tplByOsKind.has(key)) tplByOsKind.set(key, []);
    tplByOsKind.get(key).push(name);
  }

  for (let i = 0; i < policies; i++) files.set(`policies/policy-${pad(i, 2)}.yaml`, policyDoc(i, r));

  // Hosts: 3-6 baselines each from those that fit the host's OS; sandboxes for the ones that need them.
  for (let i = 0; i < hosts; i++) {
    const os = OSES[i % 3];
    const arch = i % 5 < 3 ? 'x64' : 'arm64';
    const name = `host-${pad(i, 5)}`;
    const candidates = allBaselines.filter((b) => b.family.os.includes(os) && (b.family.target === 'system'
      ? b.family.id === os
      : tplByOsKind.has(`${os}:${b.family.target.slice('sandbox:'.length)}`))); // a sandbox needs a template for this OS
    // With few baselines a host may fit fewer than three: take what there is (this looped forever).
    const n = Math.min(int(r, 3, 6), candidates.length);
    const chosen = [];
    while (chosen.length < n) {
      const b = pick(r, candidates);
      if (!chosen.includes(b)) chosen.push(b);
    }
    const needs = new Set(chosen.map((b) => b.family.target).filter((t) => t !== 'system').map((t) => t.slice('sandbox:'.length)));
    const lines = [
      '# yaml-language-server: $schema=../../schemas/host.schema.json',
      'apiVersion: gitfleet/v1',
      'kind: Host',
      `name: ${name}`,
      `description: ${q(`Synthetic ${os}/${arch} host ${i}.`)}`,
      `os: ${os}`,
      `arch: ${arch}`,
      `wave: ${WAVES[i % 10 === 0 ? 0 : i % 10 < 4 ? 1 : 2]}`,
      `labels: {role: ${pick(r, ROLES)}, site: ${pick(r, SITES)}, team: ${pick(r, TEAMS)}}`,
    ];
    if (os === 'linux' && i % 7 === 0) lines.push('capabilities: [gpu.cuda, gpu.nvidia, mem.gb>=64]');
    lines.push(`baselines: [${chosen.map((b) => b.name).join(', ')}]`);
    if (needs.size) {
      lines.push('sandboxes:');
      for (const kind of [...needs].sort()) {
        const tpl = pick(r, tplByOsKind.get(`${os}:${kind}`));
        lines.push(i % 11 === 0 ? `  ${kind}: {template: ${tpl}, env: {HOST_INDEX: "${i}"}}` : `  ${kind}: {template: ${tpl}}`);
      }
    }
    if (i % 4 === 0 && policies > 1) lines.push(`policies: [policy-${pad(1 + (i % (policies - 1)), 2)}]`);
    if (i % 3 === 0) lines.push(`recipient: ${recipient(r)}`);
    if (i % 13 === 0) lines.push('agent: {interval: 1m, driftInterval: 15m}');
    if (i % 9 === 0) lines.push('overrides:', '  system:', '    pip:', `      py_pkg-override-${i % 50}: "1.${i % 50}.0"`);
    files.set(`hosts/${name}.yaml`, lines.join('\n') + '\n');
  }

  const dirs = new Set([...files.keys()].map((f) => join(dir, f, '..')));
  for (const d of dirs) await mkdir(d, { recursive: true });
  const entries = [...files];
  const PARALLEL = 64;
  for (let i = 0; i < entries.length; i += PARALLEL) {
    await Promise.all(entries.slice(i, i + PARALLEL).map(([f, text]) => writeFile(join(dir, f), text)));
  }
  return { hosts, baselines, templates, policies, files: files.size };
}
