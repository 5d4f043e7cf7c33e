import { describe, expect, it } from 'vitest';
import { insideCheckCommand, insideCommands } from '../../src/sandboxes/inside-commands.js';
import { INSIDE_MANAGERS, insideListing } from '../../src/sandboxes/listing.js';
import { pipCommands } from '../../src/managers/pip/commands.js';
import type { ManagerId, ManagerSources, PackageChange } from '../../src/managers/types.js';
import type { Command } from '../../src/util/exec.js';
import { asWindowsHost } from './windows-host.js';

const up = (name: string, version: string, kind: PackageChange['kind'] = 'upgrade'): PackageChange => ({ kind, name, version });
const rm = (name: string): PackageChange => ({ kind: 'remove', name });

// Exactly what runs inside a container or WSL distribution (before docker exec / wsl.exe wraps it).
const CASES: Array<[ManagerId, PackageChange[], ManagerSources | undefined, Command[]]> = [
  ['pip', [rm('beta'), up('alpha', '1.1.0')], { indexUrl: 'https://pypi.org/simple' }, [
    { file: 'python3', args: ['-m', 'pip', 'uninstall', '-y', '--no-input', '--disable-pip-version-check', 'beta'] },
    { file: 'python3', args: ['-m', 'pip', 'install', '--no-input', '--disable-pip-version-check', '--index-url', 'https://pypi.org/simple', 'alpha==1.1.0'] },
  ]],
  ['npm', [up('banner', '1.1.0'), rm('left-pad')], undefined, [
    { file: 'npm', args: ['uninstall', '--no-audit', '--no-fund', '-g', 'left-pad'] },
    { file: 'npm', args: ['install', '--no-audit', '--no-fund', '-g', 'banner@1.1.0'] },
  ]],
  ['npm', [up('banner', '1.1.0', 'install')], { findLinks: ['/srv/tarballs'] }, [
    { file: 'npm', args: ['install', '--no-audit', '--no-fund', '-g', '/srv/tarballs/banner-1.1.0.tgz'] },
  ]],
  ['apt', [up('jq', '1.6-2.1', 'downgrade'), rm('curl')], undefined, [
    { file: 'apt-get', args: ['remove', '-y', 'curl'], env: { DEBIAN_FRONTEND: 'noninteractive' } },
    { file: 'apt-get', args: ['install', '-y', '--no-install-recommends', '-o', 'Dpkg::Options::=--force-confold', '--allow-downgrades', 'jq=1.6-2.1'], env: { DEBIAN_FRONTEND: 'noninteractive' } },
  ]],
  ['dnf', [up('jq', '1.6-10.el9', 'install')], undefined, [{ file: 'dnf', args: ['install', '-y', 'jq-1.6-10.el9'] }]],
  ['gem', [up('rake', '13.0.6', 'install')], undefined, [{ file: 'gem', args: ['install', 'rake', '-v', '13.0.6', '--no-document'] }]],
];

describe('install/upgrade/remove commands inside a docker or wsl sandbox', () => {
  it.each(CASES)('%s', async (manager, changes, sources, want) => {
    expect(await insideCommands(manager, changes, sources)).toEqual(want);
  });

  it.each(CASES)('%s: the same commands on a Windows host (the inside is Linux whatever the host)', async (manager, changes, sources, want) => {
    expect(await asWindowsHost(() => insideCommands(manager, changes, sources))).toEqual(want);
  });

  it('pip: the interpreter is the one the listing inside runs, not the host\'s spelling', async () => {
    const listing = await insideListing('pip');
    const [install] = await asWindowsHost(() => insideCommands('pip', [up('alpha', '1.0.0', 'install')]));
    expect(install?.file).toBe(listing.command.file);
    // what the adapter builds for a Windows host's own system: the spelling that must not be sent inside
    expect(await asWindowsHost(() => pipCommands([up('alpha', '1.0.0', 'install')], { kind: 'system' })[0]?.file)).toBe('python');
  });

  it('covers exactly the managers that can be listed inside', async () => {
    for (const m of INSIDE_MANAGERS) await expect(insideCommands(m, [])).resolves.toEqual([]);
    expect(INSIDE_MANAGERS.slice().sort()).toEqual(['apt', 'dnf', 'gem', 'npm', 'pip']);
  });

  it.each<ManagerId>(['conda', 'brew', 'choco', 'winget'])('%s: E_UNSUPPORTED, since what it changed could not be read back', async (m) => {
    await expect(insideCommands(m, [up('x', '1.0')])).rejects.toMatchObject({
      code: 'E_UNSUPPORTED', message: `gitfleet cannot change ${m} packages inside docker or wsl sandboxes (it can for pip, npm, apt, dnf, gem)`,
    });
  });

  it('validates names and versions like the adapters: E_VALIDATION before anything runs', async () => {
    await expect(insideCommands('pip', [up('--index-url=http://evil', '1.0')])).rejects.toMatchObject({ code: 'E_VALIDATION' });
    await expect(insideCommands('apt', [up('jq', '1.6 2')])).rejects.toMatchObject({ code: 'E_VALIDATION' });
  });
});

describe('a health check\'s command inside a docker or wsl sandbox', () => {
  const CHECKS: Array<[string, Command, Command]> = [
    ['python: the interpreter the listing inside runs', { file: 'python', args: ['-c', 'import torch'], timeoutMs: 5000 }, { file: 'python3', args: ['-c', 'import torch'], timeoutMs: 5000 }],
    ['python3: the same', { file: 'python3', args: ['-c', 'import torch'] }, { file: 'python3', args: ['-c', 'import torch'] }],
    ['another program: as the policy names it', { file: 'node', args: ['-e', 'require("banner")'] }, { file: 'node', args: ['-e', 'require("banner")'] }],
    ['a pinned interpreter: as the policy names it', { file: 'python3.11', args: ['-V'] }, { file: 'python3.11', args: ['-V'] }],
  ];

  it.each(CHECKS)('%s', async (_n, check, want) => {
    expect(await insideCheckCommand(check)).toEqual(want);
  });

  it.each(CHECKS)('%s, on a Windows host too', async (_n, check, want) => {
    expect(await asWindowsHost(() => insideCheckCommand(check))).toEqual(want);
  });

  it('python is spelled as the pip listing inside spells it (one decision: INSIDE_PLATFORM)', async () => {
    const listing = await insideListing('pip');
    expect((await asWindowsHost(() => insideCheckCommand({ file: 'python', args: [] }))).file).toBe(listing.command.file);
  });
});
