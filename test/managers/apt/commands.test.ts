import { describe, expect, it } from 'vitest';
import {
  aptCommands, debFileNames, debianArch, dpkgQueryCommand, dpkgRootArgs, madisonCommand, validAptName, validAptVersion,
} from '../../../src/managers/apt/commands.js';
import type { PackageChange } from '../../../src/managers/types.js';

const env = { DEBIAN_FRONTEND: 'noninteractive' };
const sys = { kind: 'system' } as const;

describe('aptCommands for the system', () => {
  it('batches installs, upgrades and downgrades into one apt-get install with --allow-downgrades', () => {
    const changes: PackageChange[] = [
      { kind: 'install', name: 'curl', version: '7.88.1-10+deb12u5' },
      { kind: 'upgrade', name: 'libc6:i386', version: '2.36-9+deb12u7' },
      { kind: 'downgrade', name: 'openssl', version: '3.0.11-1~deb12u2' },
      { kind: 'remove', name: 'telnetd' },
      { kind: 'remove', name: 'ftp' },
    ];
    expect(aptCommands(changes, sys)).toEqual([
      { file: 'apt-get', args: ['remove', '-y', 'telnetd', 'ftp'], env },
      {
        file: 'apt-get',
        args: ['install', '-y', '--no-install-recommends', '-o', 'Dpkg::Options::=--force-confold', '--allow-downgrades',
          'curl=7.88.1-10+deb12u5', 'libc6:i386=2.36-9+deb12u7', 'openssl=3.0.11-1~deb12u2'],
        env,
      },
    ]);
  });

  it('leaves out --allow-downgrades when nothing goes down, and keeps epochs', () => {
    expect(aptCommands([{ kind: 'install', name: 'alpha', version: '1:1.2~rc1-3' }], sys)).toEqual([
      { file: 'apt-get', args: ['install', '-y', '--no-install-recommends', '-o', 'Dpkg::Options::=--force-confold', 'alpha=1:1.2~rc1-3'], env },
    ]);
  });

  it('returns no command for no changes', () => {
    expect(aptCommands([], sys)).toEqual([]);
  });

  it.each([
    [{ kind: 'install', name: 'Curl', version: '1.0' }, /not a valid Debian package name/],
    [{ kind: 'install', name: '-oAPT::x=1', version: '1.0' }, /not a valid Debian package name/],
    [{ kind: 'remove', name: 'a' }, /not a valid Debian package name/],
    [{ kind: 'install', name: 'curl', version: '-1.0' }, /not a valid Debian version/],
    [{ kind: 'install', name: 'curl', version: '1.0 2' }, /not a valid Debian version/],
    [{ kind: 'install', name: 'curl', version: 'x:1.0' }, /not a valid Debian version/],
    [{ kind: 'install', name: 'curl' }, /not a valid Debian version/],
  ] as Array<[PackageChange, RegExp]>)('rejects %o before building anything', (change, why) => {
    expect(() => aptCommands([change], sys)).toThrow(why);
  });

  it('refuses targets apt does not manage', () => {
    expect(() => aptCommands([], { kind: 'venv', path: '/v' })).toThrow(/cannot manage a venv target/);
  });
});

describe('aptCommands for a root target', () => {
  const root = { kind: 'root', path: '/tmp/r' } as const;
  const base = ['--root=/tmp/r', '--admindir=/tmp/r/var/lib/dpkg', '--log=/tmp/r/dpkg.log', '--force-script-chrootless', '--force-not-root'];

  it('installs the .deb files the finder names and removes by name', () => {
    const found = (name: string, version: string): string => `/debs/${name}@${version}.deb`;
    const changes: PackageChange[] = [
      { kind: 'install', name: 'aa', version: '1.0' },
      { kind: 'remove', name: 'bb:i386' },
      { kind: 'downgrade', name: 'c1', version: '2:0.9-1' },
    ];
    expect(dpkgRootArgs('/tmp/r')).toEqual(base);
    expect(aptCommands(changes, root, found)).toEqual([
      { file: 'dpkg', args: [...base, '-r', 'bb:i386'], env },
      { file: 'dpkg', args: [...base, '-i', '/debs/aa@1.0.deb', '/debs/c1@2:0.9-1.deb'], env },
    ]);
  });

  it('says which .deb is missing', () => {
    expect(() => aptCommands([{ kind: 'install', name: 'zz', version: '1:2.0-1' }], root, () => undefined)).toThrow(/no \.deb for zz 1:2\.0-1.*zz_2\.0-1_<arch>\.deb/);
  });

  it('needs sources.findLinks to install and an absolute root', () => {
    expect(() => aptCommands([{ kind: 'install', name: 'zz', version: '1' }], root)).toThrow(/need sources\.findLinks/);
    expect(() => aptCommands([], { kind: 'root' })).toThrow(/absolute path/);
    expect(() => aptCommands([{ kind: 'remove', name: 'zz' }], { kind: 'root', path: 'rel/root' })).toThrow(/absolute path/);
  });
});

describe('helpers', () => {
  it('names .deb files as dpkg-deb does: epoch dropped, native then all, apt cache form last', () => {
    expect(debFileNames('alpha', '1:1.2~rc1-3', 'amd64')).toEqual([
      'alpha_1.2~rc1-3_amd64.deb', 'alpha_1.2~rc1-3_all.deb', 'alpha_1%3a1.2~rc1-3_amd64.deb', 'alpha_1%3a1.2~rc1-3_all.deb',
    ]);
    expect(debFileNames('libx:i386', '2.0-1', 'amd64')).toEqual(['libx_2.0-1_i386.deb']);
  });

  it('builds the query commands', () => {
    expect(dpkgQueryCommand(sys)).toEqual({
      file: 'dpkg-query', args: ['-W', '--showformat=${binary:Package}\\t${Version}\\t${db:Status-Abbrev}\\n'], env: { LC_ALL: 'C' },
    });
    expect(dpkgQueryCommand({ kind: 'root', path: '/r' }).args[0]).toBe('--admindir=/r/var/lib/dpkg');
    expect(madisonCommand('bash')).toEqual({ file: 'apt-cache', args: ['madison', 'bash'], env: { LC_ALL: 'C' } });
    expect(() => madisonCommand('--help')).toThrow(/not a valid Debian package name/);
  });

  it.each([
    ['x64', true, 'amd64'], ['arm64', true, 'arm64'], ['ia32', true, 'i386'], ['ppc64', true, 'ppc64el'], ['arm', true, undefined],
  ])('debianArch(%s) → %s', (node, le, want) => {
    expect(debianArch(node, le)).toBe(want);
  });

  it.each([
    ['libc6', true], ['g++', true], ['libstdc++6:i386', true], ['x', false], ['Libc6', false], ['lib_c', false], ['.a', false],
  ])('validAptName(%s) = %s', (name, ok) => {
    expect(validAptName(name)).toBe(ok);
  });

  it.each([
    ['1:1.2~rc1-3', true], ['2.36-9+deb12u7', true], ['1.0', true], ['', false], ['1.0 ', false], ['a1.0', false], ['1:', false],
  ])('validAptVersion(%s) = %s', (v, ok) => {
    expect(validAptVersion(v)).toBe(ok);
  });
});
