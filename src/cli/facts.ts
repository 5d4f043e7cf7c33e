import { parseFlags } from './args.js';
import type { CliCommand } from './types.js';
import { GitfleetError } from '../util/errors.js';
import { collectFacts, DEFAULT_FACTS_TIMEOUT_MS } from '../host/facts.js';
import { factsDocument, type FactsDocument } from '../host/document.js';
import { UNKNOWN, type GpuFacts } from '../host/types.js';

const HELP = `Usage: gitfleet facts [--json] [--timeout-ms N]

Shows what this host is (OS, architecture, CPU, memory, disks, GPUs, container
runtimes) and the capability labels that baselines select on with
appliesTo.capabilities. A probe that does not answer in time is shown as
"unknown" with a note; it never blocks the command.

Flags:
  --json           print the facts as JSON (schemaVersion 1, see docs/facts.md)
  --timeout-ms N   time limit of each probe in milliseconds (default ${DEFAULT_FACTS_TIMEOUT_MS});
                   probes run in parallel, so this is also the total budget
  -h, --help       show this help

Examples:
  gitfleet facts
  gitfleet facts --json | jq -r '.capabilities[]'
`;

/** `gitfleet facts`: this host's facts and capabilities. */
export const factsCommand: CliCommand = {
  name: 'facts',
  summary: "show this host's facts and capability labels",
  help: HELP,
  async run(ctx) {
    const { values } = parseFlags(ctx.argv, { json: { type: 'boolean' }, 'timeout-ms': { type: 'string' } }, false);
    const timeoutMs = parseTimeout(values['timeout-ms']);
    const doc = factsDocument(await collectFacts({ env: ctx.env, timeoutMs }));
    ctx.stdout.write(values.json ? `${JSON.stringify(doc, null, 2)}\n` : renderFacts(doc));
    return 0;
  },
};

function parseTimeout(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 600_000) {
    throw new GitfleetError('E_USAGE', `--timeout-ms must be a whole number of milliseconds between 1 and 600000, got "${raw}"`);
  }
  return n;
}

/** The human summary: one aligned line per area, then capabilities and any probe notes. */
export function renderFacts(d: FactsDocument): string {
  const rows: Array<[string, string]> = [
    ['host', `${d.hostname} (${d.os.platform} ${d.arch})`],
    ['os', `${[d.os.distro, d.os.release].filter((s) => s !== UNKNOWN).join(' ') || UNKNOWN}, kernel ${d.os.kernel}`],
    ['cpu', `${d.cpu.model}, ${d.cpu.cores} cores${d.cpu.speedGHz === UNKNOWN ? '' : ` @ ${d.cpu.speedGHz} GHz`}`],
    ['memory', gib(d.memory.totalBytes)],
    ['disks', d.disks === UNKNOWN ? UNKNOWN : d.disks.map((k) => `${k.mount} ${gib(k.sizeBytes)} (${gib(k.freeBytes)} free)`).join(', ') || 'none'],
    ['gpus', d.gpus === UNKNOWN ? UNKNOWN : d.gpus.map(gpuLine).join(', ') || 'none'],
    ['runtimes', d.runtimes === UNKNOWN ? UNKNOWN : d.runtimes.map((r) => r.name).join(', ') || 'none'],
    ['capabilities', d.capabilities.join(' ')],
  ];
  for (const p of d.probes) if (p.notes.length > 0) rows.push([`note (${p.name})`, p.notes.join('; ')]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}\n`).join('');
}

function gpuLine(g: GpuFacts): string {
  const extra = [g.vramMB === UNKNOWN ? '' : `${g.vramMB} MiB`, g.computeCapability === UNKNOWN ? '' : `cc ${g.computeCapability}`]
    .filter(Boolean).join(', ');
  const name = g.model.toLowerCase().includes(g.vendor.toLowerCase()) ? g.model : `${g.vendor} ${g.model}`;
  return `${name}${extra ? ` (${extra})` : ''}`;
}

function gib(bytes: number | typeof UNKNOWN): string {
  if (bytes === UNKNOWN) return UNKNOWN;
  const g = bytes / 1024 ** 3;
  return g >= 1024 ? `${(g / 1024).toFixed(1)} TiB` : `${g.toFixed(1)} GiB`;
}
