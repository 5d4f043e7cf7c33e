// Listing a venv with 500 packages: the pip adapter reading dist-info files vs `pip list --format=json`.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { timeCommand, timeFn, writeWheels } from './lib.js';

const pexec = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const N = 500;

function pipEnv() {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', PIP_CONFIG_FILE: '/dev/null', PIP_NO_CACHE_DIR: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONDONTWRITEBYTECODE: '1' };
}

/** Builds (once per tmpDir) a wheelhouse of N wheels and a venv with all of them installed by one pip call. */
async function fixture(tmpDir, log) {
  const root = join(tmpDir, 'listing-pip');
  const venv = join(root, 'venv');
  if (existsSync(join(root, 'ready'))) return venv;
  const wheels = join(root, 'wheels');
  await mkdir(root, { recursive: true });
  log(`writing ${N} wheels`);
  const specs = Array.from({ length: N }, (_, i) => ({ name: `fleetpkg-${String(i).padStart(3, '0')}`, version: '1.0.0' }));
  await writeWheels(PYTHON, join(import.meta.dirname, '..'), wheels, specs);
  log('creating the venv and installing every wheel with one pip call');
  await pexec(PYTHON, ['-m', 'venv', venv], { env: pipEnv() });
  const req = join(root, 'requirements.txt');
  await writeFile(req, Array.from({ length: N }, (_, i) => `fleetpkg-${String(i).padStart(3, '0')}==1.0.0`).join('\n') + '\n');
  await pexec(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--no-index', '--find-links', wheels, '-r', req],
    { env: pipEnv(), maxBuffer: 64 * 1024 * 1024 });
  await writeFile(join(root, 'ready'), '');
  return venv;
}

export async function bench({ projectDir, tmpDir, log }) {
  const { pipAdapter } = await import(join(projectDir, 'dist/managers/pip/index.js'));
  const { execRunner } = await import(join(projectDir, 'dist/util/exec.js'));
  const venv = await fixture(tmpDir, log);
  const target = { kind: 'venv', path: venv };
  const ctx = { runner: execRunner, env: pipEnv() };

  // Correctness first: the fast path must give pip's own answer. This first call is also the cold-start figure.
  const t0 = performance.now();
  const listed = await pipAdapter.listInstalled(target, ctx);
  const cold = performance.now() - t0;
  const ref = JSON.parse((await pexec(join(venv, 'bin', 'python'), ['-m', 'pip', 'list', '--format=json'], { env: pipEnv(), maxBuffer: 64 * 1024 * 1024 })).stdout);
  const same = listed.via === 'database' && ref.length === Object.keys(listed.packages).length
    && ref.every((e) => listed.packages[e.name.replace(/[-_.]+/g, '-').toLowerCase()] === e.version);
  if (!same) throw new Error('listInstalled differs from pip list --format=json');

  // The agent lists on every loop, so the steady state is what counts; two warm-up calls settle the JIT.
  for (let i = 0; i < 2; i++) await pipAdapter.listInstalled(target, ctx);
  const ours = await timeFn(() => pipAdapter.listInstalled(target, ctx), 5);
  const peer = await timeCommand(join(venv, 'bin', 'python'), ['-m', 'pip', 'list', '--format=json'], { reps: 3, env: pipEnv() });
  const ratio = peer.medianMs / ours;
  log(`adapter ${ours.toFixed(1)} ms (first call ${cold.toFixed(1)} ms), pip list ${peer.medianMs.toFixed(0)} ms, ${ref.length} packages`);
  return [
    {
      area: 'listing-pip', case: `venv with ${ref.length} packages, first call`, value: cold, unit: 'ms',
      peer: 'pip list --format=json (median of 3)', peerValue: peer.medianMs, ratio: peer.medianMs / cold,
    },
    {
      area: 'listing-pip', case: `venv with ${ref.length} packages (median of 5)`, value: ours, unit: 'ms',
      peer: 'pip list --format=json (median of 3)', peerValue: peer.medianMs, ratio, target: '>= 20x faster', ok: ratio >= 20,
    },
  ];
}
