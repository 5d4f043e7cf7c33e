// `gitfleet propose updates --dry-run` over 200 baselines x 20 pinned packages, against local find-links folders.
// pip's listAvailable reads file names only, so zero-byte files named like wheels are a complete source of versions.
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { timeCommand } from './lib.js';

const BASELINES = 200;
const PACKAGES = 20;
const HOSTS = 20;

/** The fleet folder: each baseline pins its own 20 packages at 1.0.0 and has a folder offering 1.0.1, 1.1.0 (and 2.0.0 for every tenth). */
async function fixture(tmpDir, log) {
  const root = join(tmpDir, 'propose-fleet');
  if (existsSync(join(root, '.ready'))) return root;
  log(`writing a fleet of ${BASELINES} baselines x ${PACKAGES} packages and ${BASELINES * PACKAGES * 3}+ wheel names`);
  for (const d of ['hosts', 'baselines', 'policies', 'wheels']) await mkdir(join(root, d), { recursive: true });
  await writeFile(join(root, 'fleet.yaml'), 'apiVersion: gitfleet/v1\nkind: Fleet\nname: bench\nrollout: {waves: [{name: canary, soak: 10m}, {name: broad}]}\nprovider: {git: {}}\ndefaults: {policies: [updates]}\n');
  await writeFile(join(root, 'policies/updates.yaml'), 'apiVersion: gitfleet/v1\nkind: Policy\nname: updates\nupdates: {allow: [patch, minor, major], maxOpenPRs: 1000}\n');
  for (let b = 0; b < BASELINES; b++) {
    const name = `b${String(b).padStart(3, '0')}`;
    const dir = join(root, 'wheels', name);
    await mkdir(dir, { recursive: true });
    const pins = [];
    for (let p = 0; p < PACKAGES; p++) {
      const pkg = `${name}_pkg${String(p).padStart(2, '0')}`;
      pins.push(`    # package ${p}\n    ${pkg.replace('_', '-')}: "1.0.0"`);
      const versions = ['1.0.0', '1.0.1', '1.1.0', ...(p % 10 === 0 ? ['2.0.0'] : [])];
      await Promise.all(versions.map((v) => writeFile(join(dir, `${pkg}-${v}-py3-none-any.whl`), '')));
    }
    await writeFile(join(root, 'baselines', `${name}.yaml`),
      `apiVersion: gitfleet/v1\nkind: Baseline\nname: ${name}\nsources: {pip: {findLinks: [wheels/${name}], noIndex: true}}\npackages:\n  pip:\n${pins.join('\n')}\n`);
  }
  for (let h = 0; h < HOSTS; h++) {
    const bl = Array.from({ length: BASELINES / HOSTS }, (_, i) => `b${String(h * (BASELINES / HOSTS) + i).padStart(3, '0')}`);
    await writeFile(join(root, 'hosts', `h${h}.yaml`), `apiVersion: gitfleet/v1\nkind: Host\nname: h${h}\nos: linux\narch: x64\nwave: ${h === 0 ? 'canary' : 'broad'}\nbaselines: [${bl.join(', ')}]\n`);
  }
  await writeFile(join(root, '.ready'), '');
  return root;
}

export async function bench({ projectDir, tmpDir, log }) {
  const fleet = await fixture(tmpDir, log);
  const cli = join(projectDir, 'bin/gitfleet.js');
  const args = [cli, 'propose', 'updates', '--dry-run', '--json', '--repo', fleet, '--state-dir', join(tmpDir, 'propose-state')];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', GITFLEET_LOG_LEVEL: 'error' };
  // correctness first: every baseline gets one non-major proposal (its pins' newest minor or patch, as
  // Renovate does by default), and every tenth package a major one
  const { execFile } = await import('node:child_process');
  const out = await new Promise((resolve, reject) => execFile(process.execPath, args, { env, maxBuffer: 512 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout))));
  const res = JSON.parse(out);
  const expected = BASELINES + BASELINES * (PACKAGES / 10);
  const would = res.outcomes.filter((o) => o.action === 'would-propose').length;
  if (would !== expected) throw new Error(`expected ${expected} proposals, got ${would}`);
  const t = await timeCommand(process.execPath, args, { reps: 3, env });
  log(`propose updates --dry-run: ${t.medianMs.toFixed(0)} ms for ${would} proposals (${BASELINES * PACKAGES} pins)`);
  return [{
    area: 'propose', case: `propose updates --dry-run, ${BASELINES} baselines x ${PACKAGES} packages, ${would} proposals (median of 3, whole CLI)`,
    value: t.medianMs, unit: 'ms', target: '< 5000 ms', ok: t.medianMs < 5000,
  }, ...(t.peakRssMb ? [{ area: 'propose', case: 'peak RSS of that run', value: t.peakRssMb, unit: 'MB' }] : [])];
}
