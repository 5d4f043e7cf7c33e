import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { execRunner } from '../../src/util/exec.js';
import { probeGpus, type GpuSources } from '../../src/host/gpu.js';
import { normalizeVendor, pciIdsLookup, scanPciDisplays } from '../../src/host/pci.js';
import type { ProbeContext } from '../../src/host/probe.js';
import { fakeSysfs, fixture, removeTempDirs, standInNvidiaSmi } from './stand-ins.js';

afterAll(removeTempDirs);

// A slice of pci.ids in its real layout: vendor lines, tab-indented devices, double-tab subsystems.
const PCI_IDS = [
  '# comment line',
  '1002  Advanced Micro Devices, Inc. [AMD/ATI]',
  '\t744c  Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]',
  '\t\t1002 0e3b  Radeon RX 7900 XTX',
  '10de  NVIDIA Corporation',
  '\t2684  AD102 [GeForce RTX 4090]',
  '\t20b2  GA100 [A100 SXM4 80GB]',
  '8086  Intel Corporation',
  '\t4680  AlderLake-S GT1 [UHD Graphics 770]',
  'C 03  Display controller',
  '\t00  VGA compatible controller',
].join('\n');

const DEVICES = [
  { address: '0000:00:02.0', cls: '0x030000', vendor: '0x8086', device: '0x4680' },
  { address: '0000:00:1f.0', cls: '0x060100', vendor: '0x8086', device: '0x7a84' }, // an ISA bridge: not a GPU
  { address: '0000:01:00.0', cls: '0x030000', vendor: '0x10de', device: '0x2684' },
  { address: '0000:03:00.0', cls: '0x030000', vendor: '0x1002', device: '0x744c', vramBytes: 25753026560 },
];

function context(timeoutMs = 5000): ProbeContext & { notes: string[] } {
  const notes: string[] = [];
  return { timeoutMs, notes, note: (m) => notes.push(m) };
}

async function sources(over: Partial<GpuSources>): Promise<GpuSources> {
  const idsDir = await fakeSysfs([]);
  await writeFile(join(idsDir, 'pci.ids'), PCI_IDS);
  return {
    runner: execRunner,
    env: { PATH: '/nonexistent' },
    platform: 'linux',
    sysRoot: await fakeSysfs(DEVICES),
    pciIdsPaths: [join(idsDir, 'missing.ids'), join(idsDir, 'pci.ids')],
    graphics: () => Promise.reject(new Error('graphics() must not be called on Linux')),
    ...over,
  };
}

describe('scanPciDisplays', () => {
  it('lists display controllers only, in address order, with amdgpu VRAM', async () => {
    const root = await fakeSysfs([...DEVICES].reverse());
    expect(await scanPciDisplays(root)).toEqual([
      { address: '0000:00:02.0', vendorId: '8086', deviceId: '4680' },
      { address: '0000:01:00.0', vendorId: '10de', deviceId: '2684' },
      { address: '0000:03:00.0', vendorId: '1002', deviceId: '744c', vramBytes: 25753026560 },
    ]);
  });

  it('is empty when there is no PCI bus in sysfs', async () => {
    expect(await scanPciDisplays(await fakeSysfs([]))).toEqual([]);
  });
});

describe('pciIdsLookup', () => {
  it.each([
    ['10de', '2684', { vendor: 'NVIDIA Corporation', device: 'AD102 [GeForce RTX 4090]' }],
    ['8086', '4680', { vendor: 'Intel Corporation', device: 'AlderLake-S GT1 [UHD Graphics 770]' }],
    ['1002', '744c', { vendor: 'Advanced Micro Devices, Inc. [AMD/ATI]', device: 'Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]' }],
    // A device id of another vendor must not be found under this one.
    ['8086', '2684', { vendor: 'Intel Corporation', device: undefined }],
    ['1234', '1111', {}],
  ])('%s:%s', (v, d, expected) => {
    expect(pciIdsLookup(PCI_IDS, v, d)).toEqual(expected);
  });
});

describe('normalizeVendor', () => {
  it.each([
    ['NVIDIA Corporation', 'NVIDIA'], ['Advanced Micro Devices, Inc. [AMD/ATI]', 'AMD'], ['AMD', 'AMD'],
    ['Intel Corporation', 'Intel'], ['Apple', 'Apple'], ['Microsoft', 'Microsoft'], ['', 'unknown'],
  ])('%s → %s', (raw, name) => expect(normalizeVendor(raw)).toBe(name));
});

describe('probeGpus on Linux', () => {
  it('names PCI GPUs from pci.ids and notes an NVIDIA GPU without nvidia-smi', async () => {
    const ctx = context();
    expect(await probeGpus(await sources({}), ctx)).toEqual([
      { vendor: 'Intel', model: 'AlderLake-S GT1 [UHD Graphics 770]', vramMB: 'unknown', driver: 'unknown', computeCapability: 'unknown' },
      { vendor: 'NVIDIA', model: 'AD102 [GeForce RTX 4090]', vramMB: 'unknown', driver: 'unknown', computeCapability: 'unknown' },
      { vendor: 'AMD', model: 'Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]', vramMB: 24560, driver: 'unknown', computeCapability: 'unknown' },
    ]);
    expect(ctx.notes).toEqual([expect.stringMatching(/nvidia-smi is not on PATH/)]);
  });

  it('shows PCI ids when no pci.ids file exists', async () => {
    const gpus = await probeGpus(await sources({ pciIdsPaths: ['/nonexistent/pci.ids'] }), context());
    expect(gpus.map((g) => `${g.vendor} ${g.model}`)).toEqual(['Intel pci:8086:4680', 'NVIDIA pci:10de:2684', 'AMD pci:1002:744c']);
  });

  it('replaces the PCI NVIDIA rows with what nvidia-smi (found on PATH) reports', async () => {
    const bin = await standInNvidiaSmi({ full: { stdout: await fixture('rtx-4090.csv') } });
    const ctx = context();
    const gpus = await probeGpus(await sources({ env: { PATH: `/nonexistent:${bin}` } }), ctx);
    expect(gpus.map((g) => [g.vendor, g.computeCapability])).toEqual([['Intel', 'unknown'], ['AMD', 'unknown'], ['NVIDIA', '8.9']]);
    expect(ctx.notes).toEqual([]);
  });

  it('keeps the PCI NVIDIA row and notes why when nvidia-smi fails', async () => {
    const bin = await standInNvidiaSmi({ full: { stdout: await fixture('driver-not-loaded.txt'), exitCode: 9 } });
    const ctx = context();
    const gpus = await probeGpus(await sources({ env: { PATH: bin } }), ctx);
    expect(gpus.filter((g) => g.vendor === 'NVIDIA')).toEqual([
      { vendor: 'NVIDIA', model: 'AD102 [GeForce RTX 4090]', vramMB: 'unknown', driver: 'unknown', computeCapability: 'unknown' },
    ]);
    expect(ctx.notes).toEqual([expect.stringMatching(/exited with 9/)]);
  });
});

describe('probeGpus elsewhere', () => {
  it('maps systeminformation graphics() controllers on macOS', async () => {
    const src = await sources({
      platform: 'darwin',
      graphics: async () => ({ controllers: [{ vendor: 'Apple', model: 'Apple M2 Pro', vram: null }, { vendor: 'AMD', model: 'Radeon Pro 5500M', vram: 8192 }] }),
    });
    expect(await probeGpus(src, context())).toEqual([
      { vendor: 'Apple', model: 'Apple M2 Pro', vramMB: 'unknown', driver: 'unknown', computeCapability: 'unknown' },
      { vendor: 'AMD', model: 'Radeon Pro 5500M', vramMB: 8192, driver: 'unknown', computeCapability: 'unknown' },
    ]);
  });

  it('throws (so the probe reports unknown) when no source answers', async () => {
    const src = await sources({ platform: 'darwin', graphics: () => Promise.reject(new Error('system_profiler failed')) });
    const ctx = context();
    await expect(probeGpus(src, ctx)).rejects.toThrow(/no GPU source answered/);
    expect(ctx.notes).toEqual(['GPU list: system_profiler failed']);
  });
});
