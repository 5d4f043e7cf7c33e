import { readFile, statfs } from 'node:fs/promises';
import { errorMessage } from '../util/errors.js';
import type { ProbeContext } from './probe.js';
import type { DiskFacts } from './types.js';

// On Linux, disks come from /proc/mounts and statfs(2) rather than systeminformation's fsSize():
// that runs `df` over every mount, and df on a dead NFS server never returns, leaving a stuck
// child process behind each time the agent gathers facts. Only local filesystems are statted.

/** One line of /proc/mounts. */
export interface MountEntry {
  device: string;
  mount: string;
  type: string;
}

// Network and pseudo filesystems that are not "this host's disks" (df -l leaves these out too).
const SKIPPED_TYPES = new Set(['cifs', 'smb3', 'smbfs', 'ceph', 'glusterfs', 'lustre', 'gpfs', 'beegfs', '9p', 'afs', 'davfs', 'squashfs']);

/** Parses /proc/mounts, decoding the octal escapes the kernel writes for spaces and tabs. */
export function parseProcMounts(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [device, mount, type] = line.split(' ');
    if (device && mount && type) entries.push({ device: unescapeMount(device), mount: unescapeMount(mount), type });
  }
  return entries;
}

/** The local, block-backed filesystems, one per device (its shortest mount point), sorted by mount. */
export function localDiskMounts(entries: MountEntry[]): MountEntry[] {
  const byDevice = new Map<string, MountEntry>();
  for (const e of entries) {
    const network = e.type.startsWith('nfs') || e.type.startsWith('fuse.') || SKIPPED_TYPES.has(e.type) || e.device.startsWith('//');
    // A block device path, a ZFS dataset, or whatever backs / (overlay inside a container).
    const local = e.device.startsWith('/') || e.type === 'zfs' || e.mount === '/';
    if (network || !local) continue;
    const seen = byDevice.get(e.device);
    // Bind mounts repeat a device (a container's /etc/hosts); keep the mount people know it by.
    if (!seen || e.mount.length < seen.mount.length) byDevice.set(e.device, e);
  }
  return [...byDevice.values()].sort((a, b) => (a.mount < b.mount ? -1 : a.mount > b.mount ? 1 : 0));
}

/** Linux disks: size and free space of each local mount; a mount that cannot be statted is a note. */
export async function probeLinuxDisks(ctx: ProbeContext, mountsPath = '/proc/mounts'): Promise<DiskFacts[]> {
  const mounts = localDiskMounts(parseProcMounts(await readFile(mountsPath, 'utf8')));
  const disks = await Promise.all(mounts.map(async (m): Promise<DiskFacts | undefined> => {
    try {
      const s = await statfs(m.mount);
      return { mount: m.mount, fs: m.device, type: m.type, sizeBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
    } catch (err) {
      ctx.note(`${m.mount}: ${errorMessage(err)}`);
      return undefined;
    }
  }));
  return disks.filter((d): d is DiskFacts => d !== undefined && d.sizeBytes > 0);
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
