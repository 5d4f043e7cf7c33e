import { readFile } from 'node:fs/promises';
import type { Runner } from '../util/exec.js';
import { errorMessage, GitfleetError } from '../util/errors.js';
import { queryNvidiaSmi } from './nvidia.js';
import { findOnPath } from './path.js';
import { normalizeVendor, pciIdsLookup, pciVendorName, scanPciDisplays, type PciDisplay } from './pci.js';
import type { ProbeContext } from './probe.js';
import { UNKNOWN, type GpuFacts, type Unknown } from './types.js';

/** Where GPU facts come from; injectable so each source can be tested on its own. */
export interface GpuSources {
  runner: Runner;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Linux: the sysfs root, `/sys` on a real host. */
  sysRoot: string;
  /** Linux: pci.ids files to name non-NVIDIA devices; the first that exists is used. */
  pciIdsPaths: string[];
  /** Not Linux: systeminformation's graphics() (system_profiler on macOS, CIM on Windows). */
  graphics: () => Promise<{ controllers: Array<{ vendor: string; model: string; vram: number | null }> }>;
}

/** GPUs from cheap OS sources plus nvidia-smi (driver, compute capability) when it is on PATH. */
export async function probeGpus(src: GpuSources, ctx: ProbeContext): Promise<GpuFacts[]> {
  const smi = await findOnPath('nvidia-smi', src);
  const [os, nvidia] = await Promise.all([
    osGpus(src).catch((err: unknown) => {
      ctx.note(`GPU list: ${errorMessage(err)}`);
      return UNKNOWN;
    }),
    smi === undefined ? undefined : queryNvidiaSmi(src.runner, smi, ctx),
  ]);
  if (os === UNKNOWN && (nvidia === undefined || nvidia === UNKNOWN)) {
    throw new GitfleetError('E_IO', 'no GPU source answered');
  }
  return mergeGpus(os, nvidia, ctx);
}

/** nvidia-smi's rows replace the OS's NVIDIA rows when it answered; otherwise the OS's rows stand. */
export function mergeGpus(os: GpuFacts[] | Unknown, nvidia: GpuFacts[] | Unknown | undefined, ctx: ProbeContext): GpuFacts[] {
  const fromOs = os === UNKNOWN ? [] : os;
  if (Array.isArray(nvidia)) return [...fromOs.filter((g) => g.vendor !== 'NVIDIA'), ...nvidia];
  if (nvidia === undefined && fromOs.some((g) => g.vendor === 'NVIDIA')) {
    ctx.note('NVIDIA GPU present but nvidia-smi is not on PATH: driver and compute capability unknown');
  }
  return fromOs;
}

async function osGpus(src: GpuSources): Promise<GpuFacts[]> {
  if (src.platform === 'linux') return linuxGpus(src);
  const { controllers } = await src.graphics();
  return controllers.map((c) => ({
    vendor: normalizeVendor(c.vendor),
    model: c.model.trim() || UNKNOWN,
    vramMB: typeof c.vram === 'number' && c.vram > 0 ? c.vram : UNKNOWN,
    driver: UNKNOWN,
    computeCapability: UNKNOWN,
  }));
}

async function linuxGpus(src: GpuSources): Promise<GpuFacts[]> {
  const displays = await scanPciDisplays(src.sysRoot);
  const ids = displays.length > 0 ? await readFirst(src.pciIdsPaths) : undefined;
  return displays.map((d) => fromPci(d, ids));
}

/** A GPU row from a PCI display controller, named from pci.ids text when given. */
export function fromPci(d: PciDisplay, pciIds?: string): GpuFacts {
  const names = pciIds === undefined ? {} : pciIdsLookup(pciIds, d.vendorId, d.deviceId);
  return {
    vendor: pciVendorName(d.vendorId, names.vendor),
    model: names.device ?? `pci:${d.vendorId}:${d.deviceId}`,
    vramMB: d.vramBytes === undefined ? UNKNOWN : Math.round(d.vramBytes / 1024 / 1024),
    driver: UNKNOWN,
    computeCapability: UNKNOWN,
  };
}

async function readFirst(paths: string[]): Promise<string | undefined> {
  for (const p of paths) {
    try {
      return await readFile(p, 'utf8');
    } catch {
      // try the next location
    }
  }
  return undefined;
}
