// One measurement in a fresh process, so that its peak RSS is that of the work alone.
//   node bench/fleet-worker.js validate DIR   → load + schema + meaning of the fleet in DIR
//   node bench/fleet-worker.js resolve DIR    → validate (untimed), then resolveHost for every host (timed)
// Prints one JSON line: {ms, rssMb, diagnostics, first, hosts}.
import { dirSource } from '../dist/fleet/source.js';
import { loadFleet } from '../dist/fleet/load.js';
import { validateFleet } from '../dist/fleet/validate.js';
import { resolveHost } from '../dist/fleet/resolve.js';

const [mode, dir] = process.argv.slice(2);
if (!['validate', 'resolve'].includes(mode) || !dir) {
  process.stderr.write('usage: fleet-worker.js validate|resolve DIR\n');
  process.exit(2);
}

// maxRSS misses nothing, but sampling too lets the number be checked against what the heap did.
let sampled = 0;
const sample = () => { sampled = Math.max(sampled, process.memoryUsage().rss); };
const timer = setInterval(sample, 10);

// CPU time (all threads, user + system) beside wall time: it is steadier on a busy machine.
const cpuSince = (c0) => { const c = process.cpuUsage(c0); return (c.user + c.system) / 1000; };

const validateOnce = async () => validateFleet(await loadFleet(dirSource(dir)));

let ms;
let cpuMs;
let result;
let diagnostics = [];
if (mode === 'validate') {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  result = await validateOnce();
  ms = performance.now() - t0;
  cpuMs = cpuSince(c0);
  diagnostics = result.diagnostics;
} else {
  result = await validateOnce();
  diagnostics = result.diagnostics;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const name of result.model.hosts.keys()) {
    const r = resolveHost(result.model, name);
    if (!r.host) diagnostics.push({ code: 'bench.unresolved', file: `hosts/${name}.yaml`, line: 1, column: 1, message: `host ${name} did not resolve` });
    else diagnostics.push(...r.diagnostics);
  }
  ms = performance.now() - t0;
  cpuMs = cpuSince(c0);
}
sample();
clearInterval(timer);
const maxRssMb = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
process.stdout.write(JSON.stringify({
  ms,
  cpuMs,
  rssMb: Math.max(maxRssMb, sampled / 1024 / 1024),
  diagnostics: diagnostics.length,
  first: diagnostics.slice(0, 5),
  hosts: result.model.hosts.size,
}) + '\n');
