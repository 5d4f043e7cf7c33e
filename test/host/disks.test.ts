import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDiskMounts, parseProcMounts, probeLinuxDisks } from '../../src/host/disks.js';
import type { ProbeContext } from '../../src/host/probe.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

// /proc/mounts of a GPU host running docker, with NFS data, a snap, bind mounts and a path with a space.
const MOUNTS = `sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
udev /dev devtmpfs rw,nosuid,relatime,size=263958172k 0 0
tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,size=52804732k,mode=755 0 0
/dev/nvme0n1p2 / ext4 rw,relatime 0 0
/dev/nvme0n1p1 /boot/efi vfat rw,relatime,fmask=0077,dmask=0077 0 0
/dev/md0 /scratch xfs rw,relatime,attr2,inode64 0 0
/dev/nvme0n1p2 /var/lib/docker/volumes/x ext4 rw,relatime 0 0
tank/data /tank/data zfs rw,xattr,noacl 0 0
/dev/loop3 /snap/core22/1380 squashfs ro,nodev,relatime 0 0
overlay /var/lib/docker/overlay2/3f2a/merged overlay rw,relatime,lowerdir=/a,upperdir=/b,workdir=/c 0 0
nas01:/export/datasets /data nfs4 rw,relatime,vers=4.2 0 0
//files/share /mnt/share cifs rw,relatime 0 0
sshfs#me@h: /mnt/ssh fuse.sshfs rw 0 0
/dev/sdb1 /media/USB\\040Stick exfat rw 0 0
`;

describe('parseProcMounts / localDiskMounts', () => {
  it('keeps local block-backed filesystems, one per device, and decodes escapes', () => {
    expect(localDiskMounts(parseProcMounts(MOUNTS))).toEqual([
      { device: '/dev/nvme0n1p2', mount: '/', type: 'ext4' },
      { device: '/dev/nvme0n1p1', mount: '/boot/efi', type: 'vfat' },
      { device: '/dev/sdb1', mount: '/media/USB Stick', type: 'exfat' },
      { device: '/dev/md0', mount: '/scratch', type: 'xfs' },
      { device: 'tank/data', mount: '/tank/data', type: 'zfs' },
    ]);
  });

  it('keeps the overlay root of a container', () => {
    const inContainer = 'overlay / overlay rw,relatime 0 0\n/dev/vda /etc/hosts ext4 rw 0 0\n/dev/vda /etc/resolv.conf ext4 rw 0 0\n';
    expect(localDiskMounts(parseProcMounts(inContainer))).toEqual([
      { device: 'overlay', mount: '/', type: 'overlay' },
      { device: '/dev/vda', mount: '/etc/hosts', type: 'ext4' },
    ]);
  });
});

describe('probeLinuxDisks', () => {
  it('statfs each local mount and notes the ones that fail', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitfleet-mounts-'));
    dirs.push(dir);
    const mounts = join(dir, 'mounts');
    await writeFile(mounts, `/dev/fake0 ${dir} ext4 rw 0 0\n/dev/fake1 ${join(dir, 'gone')} ext4 rw 0 0\nnas:/x /nfs nfs rw 0 0\n`);
    const notes: string[] = [];
    const ctx: ProbeContext = { timeoutMs: 1000, note: (m) => notes.push(m) };
    const disks = await probeLinuxDisks(ctx, mounts);
    expect(disks).toHaveLength(1);
    expect(disks[0]).toMatchObject({ mount: dir, fs: '/dev/fake0', type: 'ext4' });
    expect(disks[0]!.sizeBytes).toBeGreaterThan(disks[0]!.freeBytes);
    expect(disks[0]!.freeBytes).toBeGreaterThan(0);
    expect(notes).toEqual([expect.stringMatching(/gone: .*ENOENT/)]);
  });

  it('reads the real /proc/mounts and finds /', async () => {
    const disks = await probeLinuxDisks({ timeoutMs: 1000, note: () => {} });
    expect(disks.map((d) => d.mount)).toContain('/');
  });
});
