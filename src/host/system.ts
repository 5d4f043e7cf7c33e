import * as nodeOs from 'node:os';
import type { Runner } from '../util/exec.js';
import { probeLinuxDisks } from './disks.js';
import { probeGpus } from './gpu.js';
import { probeOsRelease } from './os-release.js';
import type { FactsProbes } from './probe.js';
import { probeRuntimes } from './runtimes.js';
import { UNKNOWN, type CpuFacts, type DiskFacts, type Unknown } from './types.js';

export interface SystemProbeDeps {
  runner: Runner;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** The sysfs root for the Linux GPU scan; `/sys` unless a test says otherwise. */
  sysRoot?: string;
}

// Loaded on first use so that other gitfleet commands do not pay for it at start-up.
const si = () => import('systeminformation');

/**
 * The real probes. Each uses the cheapest source that answers on its platform: Node's `os` where
 * it suffices, files (os-release, sysfs), and systeminformation only where it neither spawns
 * PowerShell or lspci nor blocks the event loop (measured on Linux: cpu() ~25 ms).
 */
export function systemProbes(deps: SystemProbeDeps): FactsProbes {
  const windows = deps.platform === 'win32';
  return {
    os: () => probeOsRelease({ platform: deps.platform }),
    cpu: async () => (windows ? nodeCpu() : fromSiCpu(await (await si()).cpu())),
    memory: async () => ({ totalBytes: nodeOs.totalmem() }),
    disks: async (ctx) => (deps.platform === 'linux' ? probeLinuxDisks(ctx) : fromFsSize(await (await si()).fsSize())),
    gpus: (ctx) => probeGpus({
      runner: deps.runner,
      env: deps.env,
      platform: deps.platform,
      sysRoot: deps.sysRoot ?? '/sys',
      pciIdsPaths: ['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids', '/usr/share/pci.ids'],
      graphics: async () => (await si()).graphics(),
    }, ctx),
    runtimes: () => probeRuntimes({ env: deps.env, platform: deps.platform }),
  };
}

function fromSiCpu(c: { manufacturer: string; brand: string; cores: number; physicalCores: number; speed: number; speedMax: number }): CpuFacts {
  return {
    model: known([c.manufacturer, c.brand].map((s) => s.trim()).filter(Boolean).join(' ')),
    cores: positive(c.cores),
    physicalCores: positive(c.physicalCores),
    speedGHz: positive(c.speed > 0 ? c.speed : c.speedMax),
  };
}

function nodeCpu(): CpuFacts {
  const cpus = nodeOs.cpus();
  const first = cpus[0];
  return {
    model: known(first?.model ?? ''),
    cores: positive(cpus.length),
    physicalCores: UNKNOWN,
    speedGHz: positive(first ? Math.round(first.speed / 10) / 100 : 0),
  };
}

function fromFsSize(list: Array<{ fs: string; type: string; size: number; available: number; mount: string }>): DiskFacts[] {
  return list
    .filter((d) => d.mount && d.size > 0)
    .map((d) => ({ mount: d.mount, fs: d.fs, type: d.type, sizeBytes: d.size, freeBytes: d.available }))
    .sort((a, b) => (a.mount < b.mount ? -1 : a.mount > b.mount ? 1 : 0));
}

function known(s: string): string | Unknown {
  const t = s.trim();
  return t === '' ? UNKNOWN : t;
}

function positive(n: number): number | Unknown {
  return Number.isFinite(n) && n > 0 ? n : UNKNOWN;
}
