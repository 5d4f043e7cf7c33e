import { errorMessage } from '../util/errors.js';
import {
  UNKNOWN, type CpuFacts, type DiskFacts, type GpuFacts, type MemoryFacts, type ProbeName, type ProbeReport,
  type RuntimeFacts, type Unknown,
} from './types.js';

/** What a probe is given: its time limit (to pass on to any command it runs) and a place for notes. */
export interface ProbeContext {
  timeoutMs: number;
  note(message: string): void;
}

/** One source of facts. It may be slow or fail; runProbe turns both into `unknown`. */
export type Probe<T> = (ctx: ProbeContext) => Promise<T>;

/** What the OS probe adds to the identity that Node already knows. */
export interface OsProbeFacts {
  distro: string | Unknown;
  release: string | Unknown;
}

/** Every source of facts, one probe each; tests replace any of them (a slow one, a failing one). */
export interface FactsProbes {
  os: Probe<OsProbeFacts>;
  cpu: Probe<CpuFacts>;
  memory: Probe<MemoryFacts>;
  disks: Probe<DiskFacts[]>;
  gpus: Probe<GpuFacts[]>;
  runtimes: Probe<RuntimeFacts[]>;
}

export interface ProbeOutcome<T> {
  value: T | Unknown;
  report: ProbeReport;
}

const TIMED_OUT = Symbol('timed out');

/** Runs one probe with its own time limit; never throws and never waits past the limit. */
export async function runProbe<T>(name: ProbeName, probe: Probe<T>, timeoutMs: number): Promise<ProbeOutcome<T>> {
  const notes: string[] = [];
  const started = performance.now();
  const report = (status: ProbeReport['status']): ProbeReport => ({
    name, status, ms: Math.round(performance.now() - started), notes: [...notes],
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  try {
    // A synchronous throw inside the probe becomes a rejection here rather than escaping.
    const work = Promise.resolve().then(() => probe({ timeoutMs, note: (m) => notes.push(m) }));
    const result = await Promise.race([work.then((value) => ({ value })), deadline]);
    if (result === TIMED_OUT) {
      notes.push(`no answer within ${timeoutMs} ms`);
      return { value: UNKNOWN, report: report('timeout') };
    }
    return { value: result.value, report: report('ok') };
  } catch (err) {
    notes.push(errorMessage(err));
    return { value: UNKNOWN, report: report('error') };
  } finally {
    clearTimeout(timer);
  }
}
