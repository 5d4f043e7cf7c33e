import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOsRelease, plistString, probeOsRelease } from '../../src/host/os-release.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

// os-release contents as these distributions ship them (abridged to the keys that matter).
const DEBIAN_12 = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
`;
const UBUNTU_2204 = 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nID=ubuntu\n';
const ARCH = 'NAME="Arch Linux"\nPRETTY_NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n';
const ALPINE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n';
const ROCKY_9 = "NAME='Rocky Linux'\r\nVERSION=\"9.3 (Blue Onyx)\"\r\nVERSION_ID=\"9.3\"\r\n# a comment\r\n";

// /System/Library/CoreServices/SystemVersion.plist on macOS 14.
const MACOS_PLIST = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>BuildID</key>
	<string>6E2D1B1E-F9E7-11EE-A4F9-B4A3E2BDB5C4</string>
	<key>ProductBuildVersion</key>
	<string>23E224</string>
	<key>ProductCopyright</key>
	<string>1983-2024 Apple Inc.</string>
	<key>ProductName</key>
	<string>macOS</string>
	<key>ProductUserVisibleVersion</key>
	<string>14.4.1</string>
	<key>ProductVersion</key>
	<string>14.4.1</string>
</dict>
</plist>
`;

describe('parseOsRelease', () => {
  it.each([
    ['Debian 12', DEBIAN_12, { distro: 'Debian GNU/Linux', release: '12' }],
    ['Ubuntu 22.04', UBUNTU_2204, { distro: 'Ubuntu', release: '22.04' }],
    ['Arch (no VERSION_ID)', ARCH, { distro: 'Arch Linux', release: 'rolling' }],
    ['Alpine (unquoted)', ALPINE, { distro: 'Alpine Linux', release: '3.19.1' }],
    ['Rocky 9 (single quotes, CRLF, comment)', ROCKY_9, { distro: 'Rocky Linux', release: '9.3' }],
    ['escaped quote', 'NAME="My \\"Lab\\" OS"\nVERSION_ID=1\n', { distro: 'My "Lab" OS', release: '1' }],
    ['nothing useful', 'garbage\n', { distro: 'unknown', release: 'unknown' }],
  ])('%s', (_, text, expected) => {
    expect(parseOsRelease(text)).toEqual(expected);
  });
});

describe('plistString', () => {
  it('finds a key and not its neighbour', () => {
    expect(plistString(MACOS_PLIST, 'ProductName')).toBe('macOS');
    expect(plistString(MACOS_PLIST, 'ProductVersion')).toBe('14.4.1');
    expect(plistString(MACOS_PLIST, 'Missing')).toBeUndefined();
  });
});

describe('probeOsRelease', () => {
  it('reads this machine\'s /etc/os-release', async () => {
    const r = await probeOsRelease({ platform: 'linux' });
    expect(r.distro).not.toBe('unknown');
    expect(r.release).not.toBe('unknown');
  });

  it('uses the first os-release file that exists', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitfleet-osrel-'));
    dirs.push(dir);
    await writeFile(join(dir, 'usr-lib-os-release'), UBUNTU_2204);
    const r = await probeOsRelease({ platform: 'linux', osReleasePaths: [join(dir, 'missing'), join(dir, 'usr-lib-os-release')] });
    expect(r).toEqual({ distro: 'Ubuntu', release: '22.04' });
    await expect(probeOsRelease({ platform: 'linux', osReleasePaths: [join(dir, 'missing')] })).rejects.toThrow(/ENOENT/);
  });

  it('reads SystemVersion.plist on macOS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitfleet-osrel-'));
    dirs.push(dir);
    await writeFile(join(dir, 'SystemVersion.plist'), MACOS_PLIST);
    expect(await probeOsRelease({ platform: 'darwin', systemVersionPath: join(dir, 'SystemVersion.plist') }))
      .toEqual({ distro: 'macOS', release: '14.4.1' });
  });
});
