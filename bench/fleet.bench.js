// Fleet validation at scale (issue 2): synthetic fleets of 1,000 and 10,000 hosts, each measured in a
// fresh process: validate (load + schema + meaning), resolve every host, and the cold CLI.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { generateFleet } from './gen-fleet.js';
import { timeCommand } from './lib.js';

const pexec = promisify(execFile);
const SIZES = [1000, 10000];
const REPS = 5;
const TARGET_MS = 2000;
const TARGET_MB = 300;

/** Runs the worker `REPS` times in fresh processes; median time, highest peak RSS, and the diagnostics seen. */
async function measure(worker, mode, dir) {
  const runs = [];
  for (let i = 0; i < REPS; i++) {
    const { stdout } = await pexec(process.execPath, [worker, mode, dir], { maxBuffer: 64 * 1024 * 1024 });
    runs.push(JSON.parse(stdout.trim().split('\n').pop()));
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { ms: median(runs.map((r) => r.ms)), cpuMs: median(runs.map((r) => r.cpuMs)), rssMb: Math.max(...runs.map((r) => r.rssMb)), last: runs[runs.length - 1] };
}

function assertClean(what, run) {
  if (run.diagnostics === 0) return;
  throw new Error(`${what}: generated fleet is not valid (${run.diagnostics} diagnostics), first: ${JSON.stringify(run.first)}`);
}

/** Rows: fixed cost; per size validate ms + RSS, resolve-all ms + RSS, cold CLI ms; the 10k/1k ratio and per-host CPU early and late. */
export async function bench({ projectDir, tmpDir, log }) {
  const worker = join(projectDir, 'bench', 'fleet-worker.js');
  const bin = join(projectDir, 'bin', 'gitfleet.js');
  const rows = [];
  const validateMs = new Map();
  const validateCpu = new Map();

  // The same fleet without hosts: what validation costs whatever the host count (schema compilation,
  // 200 baselines, templates, policies), to tell per-host cost from fixed cost in the linearity rows.
  const fixedDir = join(tmpDir, 'fleet-0');
  await generateFleet(fixedDir, { hosts: 0, baselines: 200, templates: 20, policies: 10 });
  await measure(worker, 'validate', fixedDir); // warm-up: the page cache and freshly built dist/ files
  const fixed = await measure(worker, 'validate', fixedDir);
  assertClean('validate 0 hosts', fixed.last);
  log(`validate 0 hosts (fixed cost): ${fixed.ms.toFixed(0)} ms, cpu ${fixed.cpuMs.toFixed(0)} ms`);
  rows.push({ area: 'fleet', case: 'validate 0 hosts (fixed cost)', value: fixed.ms, unit: 'ms' });

  for (const hosts of SIZES) {
    const dir = join(tmpDir, `fleet-${hosts}`);
    const t0 = performance.now();
    const written = await generateFleet(dir, { hosts, baselines: 200, templates: 20, policies: 10 });
    log(`generated ${written.files} files for ${hosts} hosts in ${(performance.now() - t0).toFixed(0)} ms`);
    const label = hosts.toLocaleString('en-US');

    const v = await measure(worker, 'validate', dir);
    assertClean(`validate ${label} hosts`, v.last);
    if (v.last.hosts !== hosts) throw new Error(`validate ${label} hosts: the model has ${v.last.hosts} hosts`);
    log(`validate ${label}: ${v.ms.toFixed(0)} ms (cpu ${v.cpuMs.toFixed(0)} ms), ${v.rssMb.toFixed(0)} MB`);
    validateMs.set(hosts, v.ms);
    validateCpu.set(hosts, v.cpuMs);
    rows.push({ area: 'fleet', case: `validate ${label} hosts`, value: v.ms, unit: 'ms', target: `< ${TARGET_MS} ms`, ok: v.ms < TARGET_MS });
    rows.push({ area: 'fleet', case: `validate ${label} hosts peak RSS`, value: v.rssMb, unit: 'MB', target: `< ${TARGET_MB} MB`, ok: v.rssMb < TARGET_MB });

    const r = await measure(worker, 'resolve', dir);
    assertClean(`resolve ${label} hosts`, r.last);
    log(`resolve ${label}: ${r.ms.toFixed(0)} ms, ${r.rssMb.toFixed(0)} MB`);
    rows.push({ area: 'fleet', case: `resolve all ${label} hosts`, value: r.ms, unit: 'ms', target: `< ${TARGET_MS} ms`, ok: r.ms < TARGET_MS });
    rows.push({ area: 'fleet', case: `resolve all ${label} hosts peak RSS`, value: r.rssMb, unit: 'MB', target: `< ${TARGET_MB} MB`, ok: r.rssMb < TARGET_MB });

    // The CLI exits 1 on an invalid fleet, which execFile turns into a rejection: validity is checked too.
    const cli = await timeCommand(process.execPath, [bin, 'validate', dir], { reps: REPS, cwd: projectDir });
    log(`cli validate ${label}: ${cli.medianMs.toFixed(0)} ms${cli.peakRssMb ? `, ${cli.peakRssMb.toFixed(0)} MB` : ''}`);
    rows.push({ area: 'fleet', case: `gitfleet validate ${label} hosts (cold CLI)`, value: cli.medianMs, unit: 'ms', target: `< ${TARGET_MS + 500} ms`, ok: cli.medianMs < TARGET_MS + 500 });
  }
  // Linear growth shows in the cost above the fixed one (schemas, 200 baselines, templates, policies are the
  // same at both sizes): (t10k - t0) / (t1k - t0) is about 10 when each host costs the same.
  const ratio = validateMs.get(10000) / validateMs.get(1000);
  rows.push({ area: 'fleet', case: 'validate time 10k / 1k hosts (raw, incl. fixed cost)', value: ratio, unit: 'x' });
  const marginal = (validateMs.get(10000) - fixed.ms) / (validateMs.get(1000) - fixed.ms);
  // Below 10 is better than linear: the 1k run still pays JIT warm-up that the 10k run spreads over more hosts.
  rows.push({ area: 'fleet', case: 'validate time above fixed cost, 10k / 1k', value: marginal, unit: 'x', target: '≤ 14 (linear or better)', ok: marginal <= 14 });
  // The CPU cost of one more host, early and late (CPU time: the differences are too small for wall time on a
  // shared machine). Anything O(hosts²) makes the late one grow; in a cold process the early hosts also pay for
  // JIT warm-up, so the late cost is normally the lower one.
  const early = (validateCpu.get(1000) - fixed.cpuMs) / 1000 * 1000;
  const late = (validateCpu.get(10000) - validateCpu.get(1000)) / 9000 * 1000;
  rows.push({ area: 'fleet', case: 'validate CPU per host, 0 → 1k hosts', value: early, unit: 'µs' });
  rows.push({ area: 'fleet', case: 'validate CPU per host, 1k → 10k hosts', value: late, unit: 'µs', target: '≤ 1.5 × the 0 → 1k cost', ok: late <= 1.5 * early });
  return rows;
}
