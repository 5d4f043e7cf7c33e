// `gitfleet status` as a cold process over 1,000 hosts: a fleet with 1,000 host documents at the branch head and
// 1,000 status refs (one orphan commit each), all written in one `git fast-import` stream.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { timeCommand } from './lib.js';

const pexec = promisify(execFile);
const HOSTS = 1000;
const TARGET_MS = 2000;
const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

/** Rows: status with a cold cache (the first run on a machine) and with a warm cache (every later run), both cold processes. */
export async function bench({ projectDir, tmpDir, log }) {
  const repo = join(tmpDir, 'fleet.git');
  await pexec('git', ['init', '-q', '--bare', '-b', 'main', repo], { env: GIT_ENV });
  const t0 = performance.now();
  await fastImport(repo, importStream());
  log(`status: wrote a fleet of ${HOSTS} hosts and ${HOSTS} status refs in ${(performance.now() - t0).toFixed(0)} ms`);

  const bin = join(projectDir, 'bin', 'gitfleet.js');
  const args = (cache) => [bin, 'status', '--repo', repo, '--cache-dir', cache];
  // cold cache: a fresh cache directory per run, so every run fetches all 1,000 refs
  const cold = [];
  for (let i = 0; i < 3; i++) cold.push((await timeCommand(process.execPath, args(await mkdtemp(join(tmpDir, 'cache-'))), { reps: 1, env: GIT_ENV })).medianMs);
  cold.sort((a, b) => a - b);
  const coldMs = cold[1];
  const warmCache = await mkdtemp(join(tmpDir, 'warm-'));
  const { stdout } = await pexec(process.execPath, [...args(warmCache), '--json'], { env: GIT_ENV, maxBuffer: 64 * 1024 * 1024 });
  const view = JSON.parse(stdout);
  const shown = view.hosts.filter((h) => h.health !== 'pending').length;
  if (view.hosts.length !== HOSTS || shown !== HOSTS) throw new Error(`status showed ${view.hosts.length} hosts, ${shown} with a status; expected ${HOSTS}`);
  const warm = await timeCommand(process.execPath, args(warmCache), { reps: 5, env: GIT_ENV });
  log(`status: cold cache median ${coldMs.toFixed(0)} ms; warm cache median ${warm.medianMs.toFixed(0)} ms${warm.peakRssMb ? `, peak RSS ${warm.peakRssMb.toFixed(0)} MB` : ''}`);
  return [
    { area: 'status', case: `gitfleet status, ${HOSTS} status refs, cold process, empty cache`, value: coldMs, unit: 'ms', target: `< ${TARGET_MS} ms`, ok: coldMs < TARGET_MS },
    { area: 'status', case: `gitfleet status, ${HOSTS} status refs, cold process, warm cache`, value: warm.medianMs, unit: 'ms', target: `< ${TARGET_MS} ms`, ok: warm.medianMs < TARGET_MS },
  ];
}

function* importStream() {
  const now = Math.floor(Date.now() / 1000);
  const name = (i) => `host-${String(i).padStart(4, '0')}`;
  const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  let fleet = 'commit refs/heads/main\ncommitter Bench <bench@example.invalid> ' + `${now} +0000\n` + data('fleet');
  fleet += 'M 100644 inline fleet.yaml\n' + data('apiVersion: gitfleet/v1\nkind: Fleet\nname: bench\nstaleAfter: 5m\nrollout:\n  waves: [{name: canary, soak: 10m}, {name: broad}]\n');
  for (let i = 0; i < HOSTS; i++) {
    fleet += `M 100644 inline hosts/${name(i)}.yaml\n` + data(`apiVersion: gitfleet/v1\nkind: Host\nname: ${name(i)}\nos: linux\narch: x64\n${i < 10 ? 'wave: canary\n' : ''}`);
  }
  yield fleet + '\n';
  for (let i = 0; i < HOSTS; i++) {
    const h = name(i);
    const status = {
      schemaVersion: 1, host: h, os: 'linux', arch: 'x64', health: i % 50 === 0 ? 'degraded' : 'healthy',
      revision: { applied: null, appliedAt: null, attempted: null, healthySince: null },
      conditions: [], drift: i % 7, lastError: i % 50 === 0 ? { code: 'E_GIT', message: 'fetch failed', at: new Date().toISOString() } : null,
      heartbeat: new Date(Date.now() - (i % 600) * 1000).toISOString(),
      agent: { version: '0.1.0', pid: 1000 + i, cycles: i, lastCycleMs: 120, lastSuccessAt: null },
    };
    yield `commit refs/gitfleet/status/${h}\ncommitter ${h} <${h}@gitfleet.invalid> ${now} +0000\n${data(`status ${h}`)}M 100644 inline status.json\n${data(JSON.stringify(status, null, 2) + '\n')}\n`;
  }
}

async function fastImport(repo, chunks) {
  const child = execFile('git', ['fast-import', '--quiet'], { cwd: repo, env: GIT_ENV });
  const done = new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import exited ${code}`)))));
  for (const chunk of chunks) if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
  child.stdin.end();
  await done;
}
