// `gitfleet facts --json` as a cold process: Node start-up, CLI load, every probe in parallel.
import { join } from 'node:path';
import { timeCommand } from './lib.js';

const TARGET_MS = 1500;

/** One row: the median of 5 cold runs of `node bin/gitfleet.js facts --json`. */
export async function bench({ projectDir, log }) {
  const bin = join(projectDir, 'bin', 'gitfleet.js');
  const t = await timeCommand(process.execPath, [bin, 'facts', '--json'], { reps: 5, cwd: projectDir });
  log(`facts: median ${t.medianMs.toFixed(0)} ms (min ${t.minMs.toFixed(0)}, max ${t.maxMs.toFixed(0)})${t.peakRssMb ? `, peak RSS ${t.peakRssMb.toFixed(0)} MB` : ''}`);
  return [{
    area: 'facts',
    case: 'gitfleet facts (cold process)',
    value: t.medianMs,
    unit: 'ms',
    target: `< ${TARGET_MS} ms`,
    ok: t.medianMs < TARGET_MS,
  }];
}
