import { posix } from 'node:path';
import type { Command } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import type { PackageChange, Target } from '../types.js';
import { debian } from './versions.js';

/** Environment for every apt-get/dpkg change: never stop at a debconf prompt. */
export const APT_ENV: Readonly<Record<string, string>> = { DEBIAN_FRONTEND: 'noninteractive' };

// Debian policy §5.6.1 (lower case, at least two characters), plus an optional `:arch` qualifier.
const NAME_RE = /^[a-z0-9][a-z0-9+.-]+(?::[a-z0-9][a-z0-9-]*)?$/;
// Characters dpkg allows in a version; the scheme then checks the structure.
const VERSION_CHARS_RE = /^[0-9][A-Za-z0-9.+~:-]*$/;

/** Finds the .deb file (absolute path) for `name` at `version`; undefined when there is none. */
export type DebFinder = (name: string, version: string) => string | undefined;

/** True for a Debian package name, optionally `name:arch`. */
export function validAptName(name: string): boolean {
  return NAME_RE.test(name);
}

/** True for a Debian version that is safe to put on a command line. */
export function validAptVersion(version: string): boolean {
  return VERSION_CHARS_RE.test(version) && debian.valid(version);
}

/** `dpkg-query` listing of installed packages, for when the status file cannot be read. */
export function dpkgQueryCommand(target: Target): Command {
  const args = ['-W', '--showformat=${binary:Package}\\t${Version}\\t${db:Status-Abbrev}\\n'];
  if (target.kind === 'root') args.unshift(`--admindir=${adminDir(rootOf(target))}`);
  return { file: 'dpkg-query', args, env: { LC_ALL: 'C' } };
}

/** `apt-cache madison NAME`. */
export function madisonCommand(name: string): Command {
  checkName(name);
  return { file: 'apt-cache', args: ['madison', name], env: { LC_ALL: 'C' } };
}

/**
 * Commands for the changes: removals first (one invocation), then every install, upgrade and
 * downgrade in one invocation so that apt/dpkg resolve them together. System targets use apt-get;
 * `root` targets install local .deb files with dpkg into the alternative root.
 */
export function aptCommands(changes: PackageChange[], target: Target, findDeb?: DebFinder): Command[] {
  if (target.kind !== 'system' && target.kind !== 'root') {
    throw new GitfleetError('E_UNSUPPORTED', `apt cannot manage a ${target.kind} target (only system and root)`);
  }
  const removes: string[] = [];
  const installs: Array<{ name: string; version: string; downgrade: boolean }> = [];
  for (const c of changes) {
    checkName(c.name);
    if (c.kind === 'remove') {
      removes.push(c.name);
      continue;
    }
    if (c.version === undefined || !validAptVersion(c.version)) {
      throw new GitfleetError('E_VALIDATION', `apt ${c.kind} of "${c.name}": ${JSON.stringify(c.version)} is not a valid Debian version`);
    }
    installs.push({ name: c.name, version: c.version, downgrade: c.kind === 'downgrade' });
  }
  const out: Command[] = [];
  if (target.kind === 'system') {
    if (removes.length > 0) out.push({ file: 'apt-get', args: ['remove', '-y', ...removes], env: { ...APT_ENV } });
    if (installs.length > 0) {
      const args = ['install', '-y', '--no-install-recommends', '-o', 'Dpkg::Options::=--force-confold'];
      if (installs.some((i) => i.downgrade)) args.push('--allow-downgrades');
      args.push(...installs.map((i) => `${i.name}=${i.version}`));
      out.push({ file: 'apt-get', args, env: { ...APT_ENV } });
    }
    return out;
  }
  const root = rootOf(target);
  if (removes.length > 0) out.push({ file: 'dpkg', args: [...dpkgRootArgs(root), '-r', ...removes], env: { ...APT_ENV } });
  if (installs.length > 0) {
    if (!findDeb) throw new GitfleetError('E_UNSUPPORTED', `apt installs into root ${root} need sources.findLinks: a folder of .deb files`);
    const files = installs.map((i) => {
      const file = findDeb(i.name, i.version);
      if (!file) {
        throw new GitfleetError('E_NOT_FOUND', `no .deb for ${i.name} ${i.version} in sources.findLinks (looked for ${debFileNames(i.name, i.version, '<arch>')[0]})`);
      }
      return file;
    });
    out.push({ file: 'dpkg', args: [...dpkgRootArgs(root), '-i', ...files], env: { ...APT_ENV } });
  }
  return out;
}

/** dpkg options that confine it to the alternative root `root` (no chroot, no root user needed). */
export function dpkgRootArgs(root: string): string[] {
  return [
    `--root=${root}`, `--admindir=${adminDir(root)}`, `--log=${posix.join(root, 'dpkg.log')}`,
    '--force-script-chrootless', '--force-not-root',
  ];
}

/** The dpkg database folder of an alternative root. */
export function adminDir(root: string): string {
  return posix.join(root, 'var/lib/dpkg');
}

/**
 * File names the .deb of `name` (`name` or `name:arch`) at `version` may have, best first:
 * `name_version_arch.deb` with the epoch dropped as dpkg-name and dpkg-deb name them, then
 * apt's cache form with the epoch kept as `%3a`. Without a qualifier: native arch, then `all`.
 */
export function debFileNames(name: string, version: string, nativeArch: string): string[] {
  const [pkg, qualifier] = name.split(':') as [string, string | undefined];
  const colon = version.indexOf(':');
  const noEpoch = colon >= 0 ? version.slice(colon + 1) : version;
  const archs = qualifier ? [qualifier] : [nativeArch, 'all'];
  const names = archs.map((a) => `${pkg}_${noEpoch}_${a}.deb`);
  if (colon >= 0) names.push(...archs.map((a) => `${pkg}_${version.replace(':', '%3a')}_${a}.deb`));
  return names;
}

/** Debian's name for Node's `process.arch` (undefined where it is ambiguous, e.g. arm → armel/armhf). */
export function debianArch(nodeArch: string, littleEndian = true): string | undefined {
  const map: Record<string, string> = {
    x64: 'amd64', arm64: 'arm64', ia32: 'i386', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64',
    ppc64: littleEndian ? 'ppc64el' : 'ppc64', mips64el: 'mips64el',
  };
  return map[nodeArch];
}

function rootOf(target: Target): string {
  const root = target.path;
  if (!root || !posix.isAbsolute(root) || /[\0\n]/.test(root)) {
    throw new GitfleetError('E_VALIDATION', `apt root target needs an absolute path, got ${JSON.stringify(root)}`);
  }
  return root;
}

function checkName(name: string): void {
  if (!validAptName(name)) {
    throw new GitfleetError('E_VALIDATION', `"${name}" is not a valid Debian package name (lower case [a-z0-9][a-z0-9+.-]+, optionally :arch)`);
  }
}
