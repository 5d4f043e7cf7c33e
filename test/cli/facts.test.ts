// `gitfleet facts` through the real CLI entry point, with captured streams.
// (Lives in test/host/ beside the facts it prints; src/cli/facts.ts is its subject.)
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const run = (argv: string[]) => runCli(argv, { env: process.env });

// The documented top-level keys of docs/facts.md, in their documented order.
const KEYS = ['schemaVersion', 'collectedAt', 'hostname', 'arch', 'os', 'cpu', 'memory', 'disks', 'gpus', 'runtimes', 'capabilities', 'probes'];

describe('gitfleet facts', () => {
  it('--json prints one JSON document with the documented keys', async () => {
    const { code, out, err } = await run(['facts', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(out) as Record<string, unknown> & { os: object; cpu: object; memory: object; probes: Array<{ name: string }> };
    expect(Object.keys(doc)).toEqual(KEYS);
    expect(doc.schemaVersion).toBe(1);
    expect(Object.keys(doc.os)).toEqual(['platform', 'distro', 'release', 'kernel']);
    expect(Object.keys(doc.cpu)).toEqual(['model', 'cores', 'physicalCores', 'speedGHz']);
    expect(Object.keys(doc.memory)).toEqual(['totalBytes']);
    expect(doc.probes.map((p) => p.name)).toEqual(['os', 'cpu', 'memory', 'disks', 'gpus', 'runtimes']);
    expect(doc.capabilities).toEqual(expect.arrayContaining(['os.linux', 'arch.x64']));
    expect(Number.isNaN(Date.parse(doc.collectedAt as string))).toBe(false);
  });

  it('prints an aligned human summary by default', async () => {
    const { code, out } = await run(['facts']);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/\s{2,}/)[0])).toEqual(
      expect.arrayContaining(['host', 'os', 'cpu', 'memory', 'disks', 'gpus', 'runtimes', 'capabilities']),
    );
    const valueColumn = new Set(lines.map((l) => /^\S+(?: \(\w+\))?\s+/.exec(l)?.[0].length));
    expect(valueColumn.size).toBe(1);
    expect(out).toMatch(/^host +\S+ \(linux x64\)$/m);
  });

  it('has help with an example', async () => {
    const { code, out } = await run(['facts', '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/Usage: gitfleet facts/);
    expect(out).toMatch(/gitfleet facts --json/);
  });

  it.each([['--timeout-ms', 'soon'], ['--timeout-ms', '0'], ['--bogus']])('rejects %s %s as a usage error', async (...argv) => {
    const { code, err } = await run(['facts', ...argv.filter((a): a is string => a !== undefined)]);
    expect(code).toBe(1);
    expect(err).toMatch(/gitfleet facts: .*(timeout-ms|bogus)/);
  });
});

describe('renderFacts', () => {
  it('summarises GPUs, sizes and probe notes in aligned lines', async () => {
    const { renderFacts } = await import('../../src/cli/facts.js');
    const out = renderFacts({
      schemaVersion: 1, collectedAt: '2025-01-01T00:00:00.000Z', hostname: 'gpu-01', arch: 'x64',
      os: { platform: 'linux', distro: 'Ubuntu', release: '22.04', kernel: '6.5.0' },
      cpu: { model: 'AMD EPYC 7763', cores: 128, physicalCores: 64, speedGHz: 2.45 },
      memory: { totalBytes: 512 * 1024 ** 3 },
      disks: [{ mount: '/data', fs: '/dev/md0', type: 'xfs', sizeBytes: 7 * 1024 ** 4, freeBytes: 1024 ** 4 / 2 }],
      gpus: [
        { vendor: 'NVIDIA', model: 'NVIDIA A100-SXM4-80GB', vramMB: 81920, driver: '535.129.03', computeCapability: '8.0' },
        { vendor: 'Intel', model: 'pci:8086:4680', vramMB: 'unknown', driver: 'unknown', computeCapability: 'unknown' },
      ],
      runtimes: 'unknown',
      capabilities: ['arch.x64', 'gpu.cuda'],
      probes: [{ name: 'runtimes', status: 'timeout', ms: 1200, notes: ['no answer within 1200 ms'] }],
    });
    expect(out).toBe([
      'host             gpu-01 (linux x64)',
      'os               Ubuntu 22.04, kernel 6.5.0',
      'cpu              AMD EPYC 7763, 128 cores @ 2.45 GHz',
      'memory           512.0 GiB',
      'disks            /data 7.0 TiB (512.0 GiB free)',
      'gpus             NVIDIA A100-SXM4-80GB (81920 MiB, cc 8.0), Intel pci:8086:4680',
      'runtimes         unknown',
      'capabilities     arch.x64 gpu.cuda',
      'note (runtimes)  no answer within 1200 ms',
      '',
    ].join('\n'));
  });
});
