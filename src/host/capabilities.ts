import { UNKNOWN, type GpuFacts, type HostFacts } from './types.js';

/*
 * The capability vocabulary. Baselines and templates select hosts with
 * `appliesTo.capabilities`, matched by exact string equality against this list
 * (also documented in docs/facts.md). A fact that is `unknown` grants nothing.
 *
 *   os.<platform>        os.linux | os.windows | os.macos (another platform: os.<node name>)
 *   arch.<arch>          arch.x64 | arch.arm64 (another architecture: arch.<node name>)
 *   cpu.cores>=N         N in 2 4 8 16 32; logical processors
 *   mem.gb>=N            N in 4 8 16 32 64 128; total memory >= 0.9 x N GiB
 *   gpu.nvidia | gpu.amd | gpu.intel
 *                        a GPU of that vendor is present
 *   gpu.cuda             an NVIDIA GPU whose driver answered nvidia-smi
 *   gpu.cuda.cc>=X.Y     X.Y in 5.0 6.0 7.0 7.5 8.0 8.6 8.9 9.0 10.0 12.0, up to the highest
 *                        CUDA compute capability among the host's GPUs
 *   runtime.docker | runtime.podman | runtime.wsl
 *                        the runtime's executable is on PATH
 */

/** Thresholds offered for `cpu.cores>=N`. */
export const CORE_THRESHOLDS = [2, 4, 8, 16, 32] as const;
/** Thresholds offered for `mem.gb>=N`, in GiB. */
export const MEMORY_GB_THRESHOLDS = [4, 8, 16, 32, 64, 128] as const;
/** Compute capabilities offered for `gpu.cuda.cc>=X.Y` (Maxwell 5.0 … Blackwell 12.0). */
export const CUDA_CC_THRESHOLDS = ['5.0', '6.0', '7.0', '7.5', '8.0', '8.6', '8.9', '9.0', '10.0', '12.0'] as const;

// The OS reports less than the installed memory (firmware, kernel, integrated-GPU carve-outs):
// a "16 GB" machine shows 15.3-15.7 GiB, and should still count as 16.
const MEMORY_SLACK = 0.9;
const GIB = 1024 ** 3;
const VENDOR_CAPS: Record<string, string> = { NVIDIA: 'gpu.nvidia', AMD: 'gpu.amd', Intel: 'gpu.intel' };

/** The host's capability labels: pure, without duplicates, in natural order (mem.gb>=8 before mem.gb>=16). */
export function deriveCapabilities(facts: HostFacts): string[] {
  const caps = new Set<string>([`os.${facts.os.platform}`, `arch.${facts.arch}`]);
  const cores = facts.cpu.cores;
  if (cores !== UNKNOWN) for (const n of CORE_THRESHOLDS) if (cores >= n) caps.add(`cpu.cores>=${n}`);
  const mem = facts.memory.totalBytes;
  if (mem !== UNKNOWN) for (const n of MEMORY_GB_THRESHOLDS) if (mem >= n * GIB * MEMORY_SLACK) caps.add(`mem.gb>=${n}`);
  if (facts.gpus !== UNKNOWN) for (const c of gpuCapabilities(facts.gpus)) caps.add(c);
  if (facts.runtimes !== UNKNOWN) for (const r of facts.runtimes) caps.add(`runtime.${r.name}`);
  return [...caps].sort(naturalCompare);
}

function gpuCapabilities(gpus: GpuFacts[]): string[] {
  const caps: string[] = [];
  for (const g of gpus) {
    const vendorCap = VENDOR_CAPS[g.vendor];
    if (vendorCap) caps.push(vendorCap);
    if (g.vendor === 'NVIDIA' && (g.driver !== UNKNOWN || g.computeCapability !== UNKNOWN)) caps.push('gpu.cuda');
    const cc = parseCc(g.computeCapability);
    if (g.vendor !== 'NVIDIA' || cc === undefined) continue;
    for (const t of CUDA_CC_THRESHOLDS) if (compareCc(cc, parseCc(t)!) >= 0) caps.push(`gpu.cuda.cc>=${t}`);
  }
  return caps;
}

// Compared as (major, minor) integers: 10.0 is above 9.0, which a float or string comparison can get wrong.
function parseCc(s: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(s);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function compareCc(a: [number, number], b: [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

/** Orders strings with runs of digits compared as numbers; locale-free so every host sorts alike. */
export function naturalCompare(a: string, b: string): number {
  const ta = a.match(/\d+|\D+/g) ?? [];
  const tb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i]!;
    const y = tb[i]!;
    if (x === y) continue;
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    if (numeric && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return ta.length - tb.length;
}
