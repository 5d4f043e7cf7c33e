import { describe, expect, it } from 'vitest';
import { collectFacts, normalizeArch, normalizePlatform } from '../../src/host/facts.js';
import { factsDocument } from '../../src/host/document.js';
import type { FactsProbes } from '../../src/host/probe.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Instant stand-ins for every probe, so a test can swap in one slow or failing probe.
const quick: FactsProbes = {
  os: async () => ({ distro: 'Debian GNU/Linux', release: '12' }),
  cpu: async () => ({ model: 'AMD EPYC', cores: 8, physicalCores: 4, speedGHz: 2.45 }),
  memory: async () => ({ totalBytes: 32 * 1024 ** 3 }),
  disks: async () => [{ mount: '/', fs: '/dev/vda', type: 'ext4', sizeBytes: 100, freeBytes: 40 }],
  gpus: async () => [],
  runtimes: async () => [{ name: 'docker', path: '/usr/bin/docker' }],
};
const identity = { platform: 'linux' as const, arch: 'x64', hostname: 'h1', kernel: '6.1.0-18-amd64' };

describe('collectFacts on this machine (real probes)', () => {
  it('finds linux, x64, memory, cores and disks within the default budget', async () => {
    const started = performance.now();
    const f = await collectFacts();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(f.schemaVersion).toBe(1);
    expect(f.os.platform).toBe('linux');
    expect(f.arch).toBe('x64');
    expect(f.memory.totalBytes).toBeGreaterThan(0);
    expect(f.cpu.cores).toBeGreaterThan(0);
    expect(f.os.distro).not.toBe('unknown');
    expect(Array.isArray(f.disks) && f.disks.some((d) => d.mount === '/' && d.sizeBytes > d.freeBytes)).toBe(true);
    expect(f.probes.map((p) => [p.name, p.status])).toEqual(
      ['os', 'cpu', 'memory', 'disks', 'gpus', 'runtimes'].map((n) => [n, 'ok']),
    );
    expect(factsDocument(f).capabilities).toEqual(expect.arrayContaining(['os.linux', 'arch.x64', 'mem.gb>=4']));
  });
});

describe('collectFacts with injected probes', () => {
  it('gives unknown for a probe that sleeps past its limit, quickly, and keeps the rest', async () => {
    const started = performance.now();
    const f = await collectFacts({
      identity,
      timeoutMs: 150,
      probes: { ...quick, gpus: async () => { await sleep(5000); return []; } },
    });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(f.gpus).toBe('unknown');
    expect(f.cpu.cores).toBe(8);
    expect(f.runtimes).toEqual([{ name: 'docker', path: '/usr/bin/docker' }]);
    expect(f.probes.find((p) => p.name === 'gpus')).toMatchObject({ status: 'timeout', notes: ['no answer within 150 ms'] });
    expect(f.probes.filter((p) => p.status !== 'ok')).toHaveLength(1);
  });

  it('keeps the shape of an object fact whose probe failed: every field unknown', async () => {
    const f = await collectFacts({
      identity,
      probes: { ...quick, cpu: () => Promise.reject(new Error('lscpu crashed')), os: async () => { await sleep(1000); return { distro: 'x', release: 'y' }; } },
      timeoutMs: 100,
    });
    expect(f.cpu).toEqual({ model: 'unknown', cores: 'unknown', physicalCores: 'unknown', speedGHz: 'unknown' });
    expect(f.os).toEqual({ platform: 'linux', distro: 'unknown', release: 'unknown', kernel: '6.1.0-18-amd64' });
    expect(f.probes.find((p) => p.name === 'cpu')).toMatchObject({ status: 'error', notes: ['lscpu crashed'] });
  });

  it('fills a field a probe left out with unknown and drops fields it added', async () => {
    const f = await collectFacts({
      identity,
      probes: { ...quick, cpu: async () => ({ model: 'X', cores: 2, extra: true }) as never },
    });
    expect(f.cpu).toEqual({ model: 'X', cores: 2, physicalCores: 'unknown', speedGHz: 'unknown' });
  });

  it('normalises the identity and stamps the time it was given', async () => {
    const f = await collectFacts({
      identity: { ...identity, platform: 'win32', arch: 'arm64' },
      probes: quick,
      now: () => new Date('2025-03-04T05:06:07Z'),
    });
    expect([f.os.platform, f.arch, f.hostname, f.collectedAt]).toEqual(['windows', 'arm64', 'h1', '2025-03-04T05:06:07.000Z']);
  });
});

describe('normalizePlatform / normalizeArch', () => {
  it.each([['linux', 'linux'], ['win32', 'windows'], ['darwin', 'macos'], ['freebsd', 'freebsd']])('%s → %s', (a, b) => {
    expect(normalizePlatform(a)).toBe(b);
  });
  it.each([['x64', 'x64'], ['x86_64', 'x64'], ['AMD64', 'x64'], ['arm64', 'arm64'], ['aarch64', 'arm64'], ['ia32', 'ia32']])('%s → %s', (a, b) => {
    expect(normalizeArch(a)).toBe(b);
  });
});
