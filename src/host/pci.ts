import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A display controller (PCI class 0x03xxxx) as Linux sysfs describes it. */
export interface PciDisplay {
  address: string;
  /** Four lowercase hex digits, e.g. `10de`. */
  vendorId: string;
  deviceId: string;
  /** amdgpu publishes its VRAM size in sysfs; other drivers do not. */
  vramBytes?: number;
}

/** Lists display controllers from `<sysRoot>/bus/pci/devices` by reading small files (no lspci). */
export async function scanPciDisplays(sysRoot: string): Promise<PciDisplay[]> {
  const dir = join(sysRoot, 'bus', 'pci', 'devices');
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return []; // no PCI bus in sysfs (some containers, ARM boards): no PCI GPUs to report
  }
  const found = await Promise.all(entries.sort().map(async (address) => {
    const at = (f: string) => readFile(join(dir, address, f), 'utf8').then((s) => s.trim(), () => '');
    if (!(await at('class')).startsWith('0x03')) return undefined;
    const vram = Number(await at('mem_info_vram_total'));
    const display: PciDisplay = { address, vendorId: hex4(await at('vendor')), deviceId: hex4(await at('device')) };
    if (Number.isSafeInteger(vram) && vram > 0) display.vramBytes = vram;
    return display;
  }));
  return found.filter((d): d is PciDisplay => d !== undefined);
}

/** Looks a vendor and device up in pci.ids text (the file lspci uses); pure. */
export function pciIdsLookup(text: string, vendorId: string, deviceId: string): { vendor?: string; device?: string } {
  const vendorAt = text.search(new RegExp(`^${vendorId}  `, 'm'));
  if (vendorAt < 0) return {};
  const rest = text.slice(vendorAt);
  const vendor = /^[0-9a-f]{4} {2}(.*)$/m.exec(rest)?.[1];
  // Device lines are indented by one tab and end at the next vendor line.
  const block = rest.slice(rest.indexOf('\n') + 1).split(/\n(?=[0-9a-f]{4} {2})/, 1)[0] ?? '';
  const device = new RegExp(`^\\t${deviceId} {2}(.*)$`, 'm').exec(block)?.[1];
  return { vendor, device };
}

const KNOWN_VENDORS: Record<string, string> = {
  '10de': 'NVIDIA', '1002': 'AMD', '8086': 'Intel', '106b': 'Apple', '1a03': 'ASPEED', '102b': 'Matrox',
  '1af4': 'Red Hat (virtio)', '1234': 'QEMU', '15ad': 'VMware', '1414': 'Microsoft', '5143': 'Qualcomm',
};

/** A short vendor name for a PCI vendor id: the well-known ones by name, others from pci.ids or as `pci:<id>`. */
export function pciVendorName(vendorId: string, fromIds?: string): string {
  return KNOWN_VENDORS[vendorId] ?? fromIds ?? `pci:${vendorId}`;
}

/** Normalises a vendor string from the OS (e.g. `Advanced Micro Devices, Inc. [AMD/ATI]`) to the short names. */
export function normalizeVendor(vendor: string): string {
  const v = vendor.toLowerCase();
  if (v.includes('nvidia')) return 'NVIDIA';
  if (v.includes('advanced micro') || /\bamd\b|\bati\b/.test(v)) return 'AMD';
  if (v.includes('intel')) return 'Intel';
  if (v.includes('apple')) return 'Apple';
  return vendor.trim() || 'unknown';
}

function hex4(s: string): string {
  return s.replace(/^0x/i, '').toLowerCase().padStart(4, '0');
}
