import { describe, expect, it } from 'vitest';
import { deriveCapabilities, naturalCompare } from '../../src/host/capabilities.js';
import type { GpuFacts, HostFacts } from '../../src/host/types.js';

const GIB = 1024 ** 3;

function host(over: Partial<HostFacts> = {}): HostFacts {
  return {
    schemaVersion: 1,
    collectedAt: '2025-01-01T00:00:00.000Z',
    hostname: 'h',
    arch: 'x64',
    os: { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', kernel: '6.1.0' },
    cpu: { model: 'unknown', cores: 'unknown', physicalCores: 'unknown', speedGHz: 'unknown' },
    memory: { totalBytes: 'unknown' },
    disks: [],
    gpus: [],
    runtimes: [],
    probes: [],
    ...over,
  };
}

const nvidia = (computeCapability: string, driver = '550.54.14'): GpuFacts =>
  ({ vendor: 'NVIDIA', model: 'NVIDIA GPU', vramMB: 24564, driver, computeCapability });

describe('deriveCapabilities', () => {
  it.each<[string, Partial<HostFacts>, string[]]>([
    ['only os and arch when everything else is unknown or empty', {}, ['arch.x64', 'os.linux']],
    ['windows arm64', { arch: 'arm64', os: { platform: 'windows', distro: 'unknown', release: 'unknown', kernel: '10.0.22631' } },
      ['arch.arm64', 'os.windows']],
    ['macos', { os: { platform: 'macos', distro: 'macOS', release: '14.4', kernel: '23.4.0' }, arch: 'arm64' }, ['arch.arm64', 'os.macos']],
    ['6 cores', { cpu: { model: 'x', cores: 6, physicalCores: 6, speedGHz: 3 } }, ['arch.x64', 'cpu.cores>=2', 'cpu.cores>=4', 'os.linux']],
    ['1 core', { cpu: { model: 'x', cores: 1, physicalCores: 1, speedGHz: 3 } }, ['arch.x64', 'os.linux']],
    ['64 cores', { cpu: { model: 'x', cores: 64, physicalCores: 32, speedGHz: 3 } },
      ['arch.x64', 'cpu.cores>=2', 'cpu.cores>=4', 'cpu.cores>=8', 'cpu.cores>=16', 'cpu.cores>=32', 'os.linux']],
    ['a "16 GB" machine that reports 15.5 GiB', { memory: { totalBytes: 15.5 * GIB } },
      ['arch.x64', 'mem.gb>=4', 'mem.gb>=8', 'mem.gb>=16', 'os.linux']],
    ['14 GiB is not 16', { memory: { totalBytes: 14 * GIB } }, ['arch.x64', 'mem.gb>=4', 'mem.gb>=8', 'os.linux']],
    ['3 GiB reaches no threshold', { memory: { totalBytes: 3 * GIB } }, ['arch.x64', 'os.linux']],
    ['512 GiB', { memory: { totalBytes: 512 * GIB } },
      ['arch.x64', 'mem.gb>=4', 'mem.gb>=8', 'mem.gb>=16', 'mem.gb>=32', 'mem.gb>=64', 'mem.gb>=128', 'os.linux']],
    ['A100 (8.0)', { gpus: [nvidia('8.0')] },
      ['arch.x64', 'gpu.cuda', 'gpu.cuda.cc>=5.0', 'gpu.cuda.cc>=6.0', 'gpu.cuda.cc>=7.0', 'gpu.cuda.cc>=7.5', 'gpu.cuda.cc>=8.0', 'gpu.nvidia', 'os.linux']],
    ['RTX 4090 (8.9)', { gpus: [nvidia('8.9')] },
      ['arch.x64', 'gpu.cuda', 'gpu.cuda.cc>=5.0', 'gpu.cuda.cc>=6.0', 'gpu.cuda.cc>=7.0', 'gpu.cuda.cc>=7.5', 'gpu.cuda.cc>=8.0',
        'gpu.cuda.cc>=8.6', 'gpu.cuda.cc>=8.9', 'gpu.nvidia', 'os.linux']],
    ['T4 and H100: the highest counts, nothing twice', { gpus: [nvidia('7.5'), nvidia('9.0'), nvidia('9.0')] },
      ['arch.x64', 'gpu.cuda', 'gpu.cuda.cc>=5.0', 'gpu.cuda.cc>=6.0', 'gpu.cuda.cc>=7.0', 'gpu.cuda.cc>=7.5', 'gpu.cuda.cc>=8.0',
        'gpu.cuda.cc>=8.6', 'gpu.cuda.cc>=8.9', 'gpu.cuda.cc>=9.0', 'gpu.nvidia', 'os.linux']],
    ['RTX 5090 (12.0) compares as numbers, above 9.0', { gpus: [nvidia('12.0')] },
      ['arch.x64', 'gpu.cuda', 'gpu.cuda.cc>=5.0', 'gpu.cuda.cc>=6.0', 'gpu.cuda.cc>=7.0', 'gpu.cuda.cc>=7.5', 'gpu.cuda.cc>=8.0',
        'gpu.cuda.cc>=8.6', 'gpu.cuda.cc>=8.9', 'gpu.cuda.cc>=9.0', 'gpu.cuda.cc>=10.0', 'gpu.cuda.cc>=12.0', 'gpu.nvidia', 'os.linux']],
    ['Kepler (3.7) is CUDA but below every threshold', { gpus: [nvidia('3.7')] }, ['arch.x64', 'gpu.cuda', 'gpu.nvidia', 'os.linux']],
    ['old driver: CUDA without a known compute capability', { gpus: [nvidia('unknown')] }, ['arch.x64', 'gpu.cuda', 'gpu.nvidia', 'os.linux']],
    ['NVIDIA seen on PCI only (no driver answered): not CUDA', { gpus: [nvidia('unknown', 'unknown')] }, ['arch.x64', 'gpu.nvidia', 'os.linux']],
    ['AMD and Intel', {
      gpus: [
        { vendor: 'AMD', model: 'Navi 31', vramMB: 24560, driver: 'unknown', computeCapability: 'unknown' },
        { vendor: 'Intel', model: 'UHD 770', vramMB: 'unknown', driver: 'unknown', computeCapability: '9.0' },
        { vendor: 'ASPEED', model: 'AST2600', vramMB: 'unknown', driver: 'unknown', computeCapability: 'unknown' },
      ],
    }, ['arch.x64', 'gpu.amd', 'gpu.intel', 'os.linux']],
    ['runtimes', { runtimes: [{ name: 'podman', path: '/usr/bin/podman' }, { name: 'docker', path: '/usr/bin/docker' }] },
      ['arch.x64', 'os.linux', 'runtime.docker', 'runtime.podman']],
    ['unknown lists grant nothing', { gpus: 'unknown', runtimes: 'unknown', disks: 'unknown' }, ['arch.x64', 'os.linux']],
  ])('%s', (_, over, expected) => {
    expect(deriveCapabilities(host(over))).toEqual(expected);
  });

  it('is deterministic whatever the order of the facts', () => {
    const a = host({ gpus: [nvidia('9.0'), nvidia('7.5')], runtimes: [{ name: 'docker', path: 'd' }, { name: 'wsl', path: 'w' }] });
    const b = host({ gpus: [nvidia('7.5'), nvidia('9.0')], runtimes: [{ name: 'wsl', path: 'w' }, { name: 'docker', path: 'd' }] });
    expect(deriveCapabilities(a)).toEqual(deriveCapabilities(b));
    expect(deriveCapabilities(a)).toContain('runtime.wsl');
  });
});

describe('naturalCompare', () => {
  it.each([
    ['mem.gb>=8', 'mem.gb>=16', -1],
    ['gpu.cuda.cc>=9.0', 'gpu.cuda.cc>=10.0', -1],
    ['gpu.cuda.cc>=8.6', 'gpu.cuda.cc>=8.9', -1],
    ['gpu.cuda', 'gpu.cuda.cc>=5.0', -1],
    ['os.linux', 'arch.x64', 1],
    ['a', 'a', 0],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(naturalCompare(a, b))).toBe(sign);
    expect(Math.sign(naturalCompare(b, a))).toBe(-sign || 0);
  });
});
