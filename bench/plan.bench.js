// Planning a host with 1,000 desired pip packages in one venv (500 as desired, 300 drifted, 200 missing;
// the venv also holds 200 packages the fleet does not mention): the pure plan(), planHost() in process,
// and a whole `gitfleet plan` process from a bare git repo, as a host would run it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { timeCommand, timeFn, writeWheels } from './lib.js';

const pexec = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const DESIRED = 1000;
const OK = 500;
const DRIFTED = 300; // installed at 1.1.0, desired at 1.0.0
const EXTRA = 200; // installed, not in the fleet: left alone
const name = (i) => `fleetpkg-${String(i).padStart(4, '0')}`;

function cleanEnv() {
  return { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1', PYTHONDONTWRITEBYTECODE: '1', LANG: 'C.UTF-8' };
}

const git = (args, cwd) => pexec('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', '-c', 'init.defaultBranch=main', ...args], { cwd, env: cleanEnv() });

/** Wheelhouse, venv with one pip call, and a bare fleet repo rendered by bench/s1-render. */
async function fixture(projectDir, tmpDir, log) {
  const root = join(tmpDir, 'plan-1000');
  const venv = join(root, 'venv');
  const wheels = join(root, 'wheels');
  const repo = join(root, 'repo.git');
  if (existsSync(join(root, 'ready'))) return { root, venv, repo };
  await mkdir(root, { recursive: true });
  log(`writing ${DESIRED + EXTRA} x 2 wheels`);
  const specs = Array.from({ length: DESIRED + EXTRA }, (_, i) => ['1.0.0', '1.1.0'].map((version) => ({ name: name(i), version }))).flat();
  await writeWheels(PYTHON, projectDir, wheels, specs);
  log(`creating the venv; one pip install of ${OK + DRIFTED + EXTRA} wheels`);
  await pexec(PYTHON, ['-m', 'venv', venv], { env: cleanEnv() });
  const pins = [];
  for (let i = 0; i < OK; i++) pins.push(`${name(i)}==1.0.0`);
  for (let i = OK; i < OK + DRIFTED; i++) pins.push(`${name(i)}==1.1.0`);
  for (let i = DESIRED; i < DESIRED + EXTRA; i++) pins.push(`${name(i)}==1.0.0`);
  await writeFile(join(root, 'requirements.txt'), pins.join('\n') + '\n');
  await pexec(join(venv, 'bin', 'pip'), ['install', '-q', '--no-index', '--find-links', wheels, '-r', join(root, 'requirements.txt')], { env: cleanEnv(), maxBuffer: 64 << 20 });

  const seed = join(root, 'seed');
  await mkdir(seed, { recursive: true });
  const packages = Object.fromEntries(Array.from({ length: DESIRED }, (_, i) => [name(i), '1.0.0']));
  await writeFile(join(seed, 's1.json'), JSON.stringify({ scenario: 'plan-1000', venv, find_links: wheels, packages }, null, 1) + '\n');
  await pexec(process.execPath, [join(projectDir, 'bench', 's1-render'), join(seed, 's1.json')], { env: cleanEnv() });
  await git(['init', '-q', '--bare', repo]);
  await git(['init', '-q', seed]);
  await git(['add', '-A'], seed);
  await git(['commit', '-qm', 'plan bench: 1000 pins'], seed);
  await git(['push', '-q', repo, 'HEAD:refs/heads/main'], seed);
  await writeFile(join(root, 'ready'), '');
  return { root, venv, repo };
}

export async function bench({ projectDir, tmpDir, log }) {
  const { root, repo } = await fixture(projectDir, tmpDir, log);
  const { planHost } = await import(join(projectDir, 'dist/apply/run.js'));
  const { plan } = await import(join(projectDir, 'dist/plan/plan.js'));
  const { execRunner } = await import(join(projectDir, 'dist/util/exec.js'));
  const { pino } = await import('pino');
  const stateDir = join(root, 'state');
  const opts = { host: 's1', repo, branch: 'main', stateDir, runner: execRunner, log: pino({ level: 'silent' }), env: cleanEnv() };

  const planned = await planHost(opts);
  const count = (k) => planned.plan.actions.filter((a) => a.kind === k).length;
  const shape = `${count('install')} install, ${count('downgrade')} downgrade, ${planned.plan.unchanged ?? '?'} unchanged`;
  log(`plan: ${shape}`);
  const right = count('install') === DESIRED - OK - DRIFTED && count('downgrade') === DRIFTED && planned.plan.actions.length === DESIRED - OK;
  if (!right) throw new Error(`unexpected plan: ${shape}`);

  // The pure planner on the inputs planHost observed (re-observed inputs are identical; plan() is pure).
  const { observe, chooseVersions } = await import(join(projectDir, 'dist/apply/observe.js'));
  const deps = planned.deps;
  const actual = await observe(planned.desired, planned.inventory, deps);
  const chosen = await chooseVersions(planned.desired, actual, deps);
  const inputs = { desired: planned.desired, actual, inventory: planned.inventory, revision: planned.revision, chosen, normalize: (m, n) => deps.manager(m).normalizeName(n) };
  for (let i = 0; i < 5; i++) plan(inputs);
  const pureMs = await timeFn(() => plan(inputs), 21);
  const observeMs = await timeFn(() => observe(planned.desired, planned.inventory, deps), 7);
  for (let i = 0; i < 2; i++) await planHost(opts);
  const hostMs = await timeFn(() => planHost(opts), 7);

  const cli = await timeCommand(process.execPath, [join(projectDir, 'bin', 'gitfleet.js'), 'plan', '--host', 's1', '--repo', repo, '--branch', 'main', '--state-dir', stateDir], { reps: 5, env: cleanEnv() });
  log(`plan() ${pureMs.toFixed(2)} ms, observe ${observeMs.toFixed(1)} ms, planHost ${hostMs.toFixed(1)} ms, gitfleet plan process ${cli.medianMs.toFixed(0)} ms (min ${cli.minMs.toFixed(0)}, max ${cli.maxMs.toFixed(0)})`);
  return [
    { area: 'plan', case: 'plan() pure, 1000 pkgs (500 ok/300 drifted/200 missing)', value: pureMs, unit: 'ms' },
    { area: 'plan', case: 'observe: venv with 1000 dists (dist-info read)', value: observeMs, unit: 'ms' },
    { area: 'plan', case: 'planHost in process (git fetch+load+validate+observe+plan)', value: hostMs, unit: 'ms' },
    { area: 'plan', case: '`gitfleet plan` cold process, 1000 pkgs, bare repo', value: cli.medianMs, unit: 'ms', target: `max RSS ${cli.peakRssMb?.toFixed(0) ?? '?'} MB` },
  ];
}
