import type { Command, Runner } from '../util/exec.js';
import { errorMessage } from '../util/errors.js';
import type { ProbeContext } from './probe.js';
import { UNKNOWN, type GpuFacts, type Unknown } from './types.js';

const FIELDS = ['name', 'memory.total', 'driver_version', 'compute_cap'] as const;
// Drivers older than ~510 reject the compute_cap field; they still answer the other three.
const FIELDS_WITHOUT_CC = FIELDS.slice(0, 3);

/** The nvidia-smi query gitfleet runs: one CSV line per GPU, MiB without units. */
export function nvidiaSmiCommand(file: string, timeoutMs: number, withComputeCap = true): Command {
  const fields = withComputeCap ? FIELDS : FIELDS_WITHOUT_CC;
  return { file, args: [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'], timeoutMs };
}

export interface NvidiaSmiParse {
  /** `unknown` when the output had lines but none was a GPU. */
  gpus: GpuFacts[] | Unknown;
  /** Lines that were not a GPU row (warnings, errors, garbage). */
  rejected: string[];
}

/** Parses `nvidia-smi --query-gpu=name,memory.total,driver_version[,compute_cap] --format=csv,noheader,nounits`. */
export function parseNvidiaSmiCsv(text: string, withComputeCap = true): NvidiaSmiParse {
  const width = withComputeCap ? 4 : 3;
  const gpus: GpuFacts[] = [];
  const rejected: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    const gpu = parseRow(line.split(',').map((f) => f.trim()), width);
    if (gpu) gpus.push(gpu);
    else rejected.push(line);
  }
  return { gpus: gpus.length === 0 && rejected.length > 0 ? UNKNOWN : gpus, rejected };
}

function parseRow(fields: string[], width: number): GpuFacts | undefined {
  if (fields.length !== width) return undefined;
  const [name = '', memory = '', driver = '', cc = '[N/A]'] = fields;
  if (name === '' || isMarker(name)) return undefined;
  // Each value must be well formed or nvidia-smi's own "[N/A]"-style marker; anything else is not a GPU row.
  const checks: Array<[string, RegExp]> = [[memory, /^\d+$/], [driver, /^\d+(\.\d+)+$/], [cc, /^\d+\.\d+$/]];
  if (!checks.every(([v, re]) => re.test(v) || isMarker(v))) return undefined;
  return {
    vendor: 'NVIDIA',
    model: name,
    vramMB: isMarker(memory) ? UNKNOWN : Number(memory),
    driver: isMarker(driver) ? UNKNOWN : driver,
    computeCapability: isMarker(cc) ? UNKNOWN : cc,
  };
}

function isMarker(v: string): boolean {
  return /^\[[^\]]*\]$/.test(v);
}

/** Runs nvidia-smi through the runner; any failure is a note and `unknown`, never a throw. */
export async function queryNvidiaSmi(runner: Runner, file: string, ctx: ProbeContext): Promise<GpuFacts[] | Unknown> {
  try {
    let withCc = true;
    let res = await runner.run(nvidiaSmiCommand(file, ctx.timeoutMs, withCc));
    if (res.exitCode !== 0 && /compute_cap/i.test(res.stdout + res.stderr)) {
      ctx.note('nvidia-smi does not know compute_cap (driver older than 510); compute capability unknown');
      withCc = false;
      res = await runner.run(nvidiaSmiCommand(file, ctx.timeoutMs, withCc));
    }
    if (res.exitCode !== 0) {
      ctx.note(`nvidia-smi exited with ${res.exitCode}: ${firstLine(res.stdout.trim() || res.stderr.trim())}`);
      return UNKNOWN;
    }
    const parsed = parseNvidiaSmiCsv(res.stdout, withCc);
    for (const line of parsed.rejected) ctx.note(`nvidia-smi: not a GPU row: ${firstLine(line)}`);
    return parsed.gpus;
  } catch (err) {
    ctx.note(`nvidia-smi: ${errorMessage(err)}`);
    return UNKNOWN;
  }
}

function firstLine(s: string): string {
  const line = s.split(/\r?\n/, 1)[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}
