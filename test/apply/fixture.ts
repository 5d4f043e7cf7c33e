// A small real fleet for apply tests: a venv and a node prefix filled from a local wheelhouse and npm tarballs.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { PYTHON, writeWheels, pipEnv } from '../helpers/wheels.js';
import { packAll, npmEnv } from '../managers/npm/pack.js';
import { testRepo, type TestRepo } from '../helpers/git.js';
import type { HostRunOptions } from '../../src/apply/run.js';
import { execRunner, runChecked } from '../../src/util/exec.js';

export interface ApplyFixture {
  tmp: string;
  repo: TestRepo;
  state: string;
  /** Fleet files for the given pins (pip into sandbox py, npm into sandbox node), plus extras. */
  files(pins: { pip?: Record<string, string>; npm?: Record<string, string> }, extra?: Record<string, string>): Record<string, string>;
  options(over?: Partial<HostRunOptions>): HostRunOptions;
}

/** Builds wheels (alpha 1.0.0/1.1.0, beta 2.0.0/2.1.0, stray 1.0) and tarballs (banner 1.0.0/1.1.0) into a fresh repo's artifacts. */
export async function applyFixture(): Promise<ApplyFixture> {
  const tmp = await mkdtemp(join(tmpdir(), 'gitfleet-apply-'));
  const repo = await testRepo(join(tmp, 'repo'));
  const wheels = join(repo.work, 'artifacts/wheels');
  await writeWheels(wheels, [
    { name: 'alpha', version: '1.0.0' }, { name: 'alpha', version: '1.1.0' },
    { name: 'beta', version: '2.0.0' }, { name: 'beta', version: '2.1.0' },
    { name: 'stray', version: '1.0' },
  ]);
  await packAll(tmp, join(repo.work, 'artifacts/npm'), [{ name: 'banner', version: '1.0.0' }, { name: 'banner', version: '1.1.0' }]);
  const state = join(tmp, 'state');
  const log = pino({ level: 'silent' });
  return {
    tmp, repo, state,
    files(pins, extra = {}) {
      const yamlMap = (m: Record<string, string>) => Object.entries(m).map(([k, v]) => `    ${k}: "${v}"`).join('\n');
      return {
        'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nrollout: {waves: [{name: canary}]}\n',
        'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nbaselines: [py, js]\npolicies: [p]\nsandboxes: {py: {template: venv}, node: {template: node}}\n',
        'sandboxes/venv.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: venv\ntype: {linux: venv}\npath: {linux: "{state}/sandboxes/{name}"}\n',
        'sandboxes/node.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: node\ntype: {linux: node}\npath: {linux: "{state}/sandboxes/{name}"}\n',
        'baselines/py.yaml': `apiVersion: gitfleet/v1\nkind: Baseline\nname: py\ntarget: sandbox:py\nsources: {pip: {findLinks: [artifacts/wheels], noIndex: true}}\n${pins.pip && Object.keys(pins.pip).length ? `packages:\n  pip:\n${yamlMap(pins.pip)}\n` : ''}`,
        'baselines/js.yaml': `apiVersion: gitfleet/v1\nkind: Baseline\nname: js\ntarget: sandbox:node\nsources: {npm: {findLinks: [artifacts/npm]}}\n${pins.npm && Object.keys(pins.npm).length ? `packages:\n  npm:\n${yamlMap(pins.npm)}\n` : ''}`,
        'policies/p.yaml': 'apiVersion: gitfleet/v1\nkind: Policy\nname: p\n',
        ...extra,
      };
    },
    options(over = {}) {
      return {
        host: 'h1', repo: repo.remote, stateDir: state, runner: execRunner, log,
        env: { ...pipEnv(), ...npmEnv(tmp), PIP_FIND_LINKS: '' }, batchTimeoutMs: 120_000, ...over,
      };
    },
  };
}

// Rewrites a wheel so that pip resolves it (it requires alpha, so alpha installs first) but fails to install
// it: its first member points outside site-packages, which pip refuses before writing anything of it.
const BREAK_WHEEL = `
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
    zout.writestr("../../escape.py", "x = 1\\n")
    for info in zin.infolist():
        data = zin.read(info.filename)
        if info.filename.endswith("/METADATA"):
            data = data.replace(b"Summary:", b"Requires-Dist: alpha\\nSummary:", 1)
        zout.writestr(info, data)
`;

/** Adds `broken 1.0` to the fixture's wheelhouse: pip installs its dependency alpha, then fails on it (a real failing batch). */
export async function addBrokenWheel(f: ApplyFixture): Promise<void> {
  const scratch = await mkdtemp(join(f.tmp, 'broken-'));
  await writeWheels(scratch, [{ name: 'broken', version: '1.0' }]);
  const name = 'broken-1.0-py3-none-any.whl';
  await runChecked(execRunner, { file: PYTHON, args: ['-c', BREAK_WHEEL, join(scratch, name), join(f.repo.work, 'artifacts/wheels', name)] });
}
