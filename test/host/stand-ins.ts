// Helpers for host tests: a stand-in nvidia-smi (no NVIDIA GPU exists on the development machine)
// and a fake sysfs tree. Both are real files and processes in a temp dir.
import { chmod, mkdir, mkdtemp as mkdtempFs, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];

async function mkdtemp(prefix: string): Promise<string> {
  const dir = await mkdtempFs(prefix);
  created.push(dir);
  return dir;
}

/** Removes every temp dir these helpers made (call from afterAll). */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

export const FIXTURES = new URL('../fixtures/nvidia-smi/', import.meta.url);

/** The text of a fixture in test/fixtures/nvidia-smi. */
export function fixture(name: string): Promise<string> {
  return readFile(new URL(name, FIXTURES), 'utf8');
}

export interface StandIn {
  /** Printed (exit 0) for the full query with compute_cap. */
  full?: { stdout: string; exitCode?: number };
  /** Printed for the fallback query without compute_cap. */
  fallback?: { stdout: string; exitCode?: number };
  sleepMs?: number;
}

/** Writes an executable `nvidia-smi` into a fresh temp dir that answers like the real one would; returns the dir. */
export async function standInNvidiaSmi(spec: StandIn): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gitfleet-nvsmi-'));
  const script = `#!${process.execPath}
const spec = ${JSON.stringify(spec)};
const args = process.argv.slice(2);
const query = args.find((a) => a.startsWith('--query-gpu=')) ?? '';
if (args[1] !== '--format=csv,noheader,nounits') { process.stdout.write('unexpected args ' + args.join(' ')); process.exit(64); }
const answer = query.includes('compute_cap') ? spec.full : spec.fallback;
setTimeout(() => {
  process.stdout.write(answer ? answer.stdout : 'no answer configured');
  process.exitCode = answer ? (answer.exitCode ?? 0) : 70;
}, spec.sleepMs ?? 0);
`;
  await writeFile(join(dir, 'nvidia-smi'), script);
  await chmod(join(dir, 'nvidia-smi'), 0o755);
  return dir;
}

export interface FakePciDevice {
  address: string;
  cls: string;
  vendor: string;
  device: string;
  vramBytes?: number;
}

/** A sysfs root with `bus/pci/devices/<address>/{class,vendor,device}` as the kernel writes them. */
export async function fakeSysfs(devices: FakePciDevice[]): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'gitfleet-sysfs-'));
  for (const d of devices) {
    const dir = join(root, 'bus', 'pci', 'devices', d.address);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'class'), `${d.cls}\n`);
    await writeFile(join(dir, 'vendor'), `${d.vendor}\n`);
    await writeFile(join(dir, 'device'), `${d.device}\n`);
    if (d.vramBytes !== undefined) await writeFile(join(dir, 'mem_info_vram_total'), `${d.vramBytes}\n`);
  }
  return root;
}
