import { afterAll, describe, expect, it } from 'vitest';
import { execRunner } from '../../src/util/exec.js';
import { nvidiaSmiCommand, parseNvidiaSmiCsv, queryNvidiaSmi } from '../../src/host/nvidia.js';
import type { ProbeContext } from '../../src/host/probe.js';
import type { GpuFacts } from '../../src/host/types.js';
import { fixture, removeTempDirs, standInNvidiaSmi } from './stand-ins.js';
import { join } from 'node:path';

afterAll(removeTempDirs);

const nv = (model: string, vramMB: number, driver: string, computeCapability: string): GpuFacts =>
  ({ vendor: 'NVIDIA', model, vramMB, driver, computeCapability });

function context(timeoutMs = 5000): ProbeContext & { notes: string[] } {
  const notes: string[] = [];
  return { timeoutMs, notes, note: (m) => notes.push(m) };
}

describe('parseNvidiaSmiCsv', () => {
  it.each([
    ['a100-sxm4-80gb.csv', [nv('NVIDIA A100-SXM4-80GB', 81920, '535.129.03', '8.0')]],
    ['rtx-4090.csv', [nv('NVIDIA GeForce RTX 4090', 24564, '550.54.14', '8.9')]],
    ['mixed-t4-a10g.csv', [nv('Tesla T4', 15360, '535.183.01', '7.5'), nv('NVIDIA A10G', 23028, '535.183.01', '8.6')]],
    ['h100-x8.csv', Array.from({ length: 8 }, () => nv('NVIDIA H100 80GB HBM3', 81559, '550.90.07', '9.0'))],
  ])('%s', async (name, gpus) => {
    expect(parseNvidiaSmiCsv(await fixture(name))).toEqual({ gpus, rejected: [] });
  });

  it.each(['garbage.txt', 'driver-not-loaded.txt', 'old-driver-compute-cap-error.txt'])('%s is unknown, with the lines rejected', async (name) => {
    const text = await fixture(name);
    const res = parseNvidiaSmiCsv(text);
    expect(res.gpus).toBe('unknown');
    expect(res.rejected.length).toBe(text.split('\n').filter((l) => l.trim()).length);
  });

  it('reads the three-field fallback query', async () => {
    const res = parseNvidiaSmiCsv(await fixture('k80-x2-no-compute-cap.csv'), false);
    expect(res.gpus).toEqual([nv('Tesla K80', 11441, '470.82.01', 'unknown'), nv('Tesla K80', 11441, '470.82.01', 'unknown')]);
    // The same text read as the four-field query is not a GPU row.
    expect(parseNvidiaSmiCsv(await fixture('k80-x2-no-compute-cap.csv')).gpus).toBe('unknown');
  });

  it.each([
    ['empty output means no GPUs', '\n', { gpus: [], rejected: [] }],
    ['[N/A] markers become unknown', 'NVIDIA A100-SXM4-40GB, [N/A], 535.129.03, [N/A]\r\n',
      { gpus: [{ vendor: 'NVIDIA', model: 'NVIDIA A100-SXM4-40GB', vramMB: 'unknown', driver: '535.129.03', computeCapability: 'unknown' }], rejected: [] }],
    ['a warning line beside a GPU row is rejected, the row kept', 'WARNING: infoROM is corrupted at gpu 0000:01:00.0\nTesla T4, 15360, 535.183.01, 7.5\n',
      { gpus: [nv('Tesla T4', 15360, '535.183.01', '7.5')], rejected: ['WARNING: infoROM is corrupted at gpu 0000:01:00.0'] }],
    ['a malformed compute capability rejects the row', 'Tesla T4, 15360, 535.183.01, seven\n',
      { gpus: 'unknown', rejected: ['Tesla T4, 15360, 535.183.01, seven'] }],
  ])('%s', (_, text, expected) => {
    expect(parseNvidiaSmiCsv(text)).toEqual(expected);
  });
});

describe('nvidiaSmiCommand', () => {
  it('is an argument array with the documented query', () => {
    expect(nvidiaSmiCommand('/usr/bin/nvidia-smi', 900)).toEqual({
      file: '/usr/bin/nvidia-smi',
      args: ['--query-gpu=name,memory.total,driver_version,compute_cap', '--format=csv,noheader,nounits'],
      timeoutMs: 900,
    });
    expect(nvidiaSmiCommand('nvidia-smi', 900, false).args[0]).toBe('--query-gpu=name,memory.total,driver_version');
  });
});

describe('queryNvidiaSmi (a stand-in nvidia-smi run as a real process)', () => {
  it('returns the GPUs it prints', async () => {
    const dir = await standInNvidiaSmi({ full: { stdout: await fixture('rtx-4090.csv') } });
    const ctx = context();
    expect(await queryNvidiaSmi(execRunner, join(dir, 'nvidia-smi'), ctx)).toEqual([nv('NVIDIA GeForce RTX 4090', 24564, '550.54.14', '8.9')]);
    expect(ctx.notes).toEqual([]);
  });

  it('falls back to the query without compute_cap on an old driver', async () => {
    const dir = await standInNvidiaSmi({
      full: { stdout: await fixture('old-driver-compute-cap-error.txt'), exitCode: 2 },
      fallback: { stdout: await fixture('k80-x2-no-compute-cap.csv') },
    });
    const ctx = context();
    const gpus = await queryNvidiaSmi(execRunner, join(dir, 'nvidia-smi'), ctx);
    expect(gpus).toHaveLength(2);
    expect(gpus).toContainEqual(nv('Tesla K80', 11441, '470.82.01', 'unknown'));
    expect(ctx.notes.join()).toMatch(/compute_cap/);
  });

  it('is unknown with a note when the driver is not loaded', async () => {
    const dir = await standInNvidiaSmi({ full: { stdout: await fixture('driver-not-loaded.txt'), exitCode: 9 } });
    const ctx = context();
    expect(await queryNvidiaSmi(execRunner, join(dir, 'nvidia-smi'), ctx)).toBe('unknown');
    expect(ctx.notes).toEqual([expect.stringMatching(/^nvidia-smi exited with 9: NVIDIA-SMI has failed/)]);
  });

  it('is unknown with a note, not a throw, when nvidia-smi hangs past the limit', async () => {
    const dir = await standInNvidiaSmi({ full: { stdout: await fixture('rtx-4090.csv') }, sleepMs: 10_000 });
    const ctx = context(300);
    const started = Date.now();
    expect(await queryNvidiaSmi(execRunner, join(dir, 'nvidia-smi'), ctx)).toBe('unknown');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(ctx.notes.join()).toMatch(/timed out/);
  });
});
