// Real .deb packages and dpkg test roots: nothing touches the real system.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execRunner, runChecked } from '../../src/util/exec.js';

export interface DebSpec {
  name: string;
  version: string;
  arch: string;
  extra?: string;
  conffile?: boolean;
}

/** Builds a real .deb with dpkg-deb into `debs` (named name_version-without-epoch_arch.deb); `work` holds the sources. */
export async function buildDeb(work: string, debs: string, spec: DebSpec): Promise<void> {
  const dir = join(work, 'src', `${spec.name}-${spec.version.replace(':', '_')}-${spec.arch}`);
  await mkdir(join(dir, 'DEBIAN'), { recursive: true });
  await mkdir(join(dir, 'usr/share', spec.name), { recursive: true });
  await mkdir(debs, { recursive: true });
  await writeFile(join(dir, 'usr/share', spec.name, `f-${spec.arch}`), `${spec.version}\n`);
  if (spec.conffile) {
    await mkdir(join(dir, 'etc'), { recursive: true });
    await writeFile(join(dir, 'etc', `${spec.name}.conf`), 'x=1\n');
    await writeFile(join(dir, 'DEBIAN/conffiles'), `/etc/${spec.name}.conf\n`);
  }
  const control = [
    `Package: ${spec.name}`, `Version: ${spec.version}`, `Architecture: ${spec.arch}`,
    'Maintainer: Test <test@example.invalid>', ...(spec.extra ? [spec.extra] : []),
    'Description: gitfleet test package', ' built by the gitfleet tests', '',
  ].join('\n');
  await writeFile(join(dir, 'DEBIAN/control'), control);
  await runChecked(execRunner, { file: 'dpkg-deb', args: ['--build', '--root-owner-group', dir, debs] });
}

/** An empty dpkg database under `root` (var/lib/dpkg with status, info, updates). */
export async function newDpkgRoot(root: string): Promise<string> {
  await mkdir(join(root, 'var/lib/dpkg/updates'), { recursive: true });
  await mkdir(join(root, 'var/lib/dpkg/info'), { recursive: true });
  await writeFile(join(root, 'var/lib/dpkg/status'), '');
  return root;
}

/** The machine's dpkg architecture. */
export async function nativeArch(): Promise<string> {
  return (await runChecked(execRunner, { file: 'dpkg', args: ['--print-architecture'] })).stdout.trim();
}
