// Helpers for bench modules: timing and peak RSS of a child process (GNU time when present).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';

const pexec = promisify(execFile);

/** Runs a command `reps` times and returns { medianMs, minMs, maxMs, peakRssMb }. */
export async function timeCommand(file, args, { reps = 3, env, cwd, rss = true } = {}) {
  const times = [];
  let peak = 0;
  // /usr/bin/time costs an extra exec (about 1-2 ms): leave it out (rss: false) where the peer is that fast.
  const useTime = rss && existsSync('/usr/bin/time');
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const res = useTime
      ? await pexec('/usr/bin/time', ['-f', '%M', file, ...args], { env, cwd, maxBuffer: 512 * 1024 * 1024 })
      : await pexec(file, args, { env, cwd, maxBuffer: 512 * 1024 * 1024 });
    times.push(performance.now() - t0);
    if (useTime) {
      const kb = Number(res.stderr.trim().split('\n').pop());
      if (Number.isFinite(kb)) peak = Math.max(peak, kb / 1024);
    }
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)], minMs: times[0], maxMs: times[times.length - 1], peakRssMb: peak || undefined };
}

/** Times an async function `reps` times in this process; returns the median in ms. */
export async function timeFn(fn, reps = 5) {
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Writes wheels with the project's one wheel writer (scripts/write-wheels.py); specs: [{name, version}]. */
export async function writeWheels(python, projectDir, outDir, specs) {
  await new Promise((resolve, reject) => {
    const child = execFile(python, [`${projectDir}/scripts/write-wheels.py`, outDir], { maxBuffer: 16 * 1024 * 1024 }, (err) => (err ? reject(err) : resolve()));
    child.stdin.end(JSON.stringify(specs));
  });
}
