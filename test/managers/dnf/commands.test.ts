import { describe, expect, it } from 'vitest';
import { dnfCommands, nevr, repoqueryCommand, rpmQaCommand, validRpmName } from '../../../src/managers/dnf/commands.js';
import type { PackageChange } from '../../../src/managers/types.js';

const changes: PackageChange[] = [
  { kind: 'install', name: 'vim-enhanced', version: '2:9.1.825-1.fc40' },
  { kind: 'upgrade', name: 'NetworkManager', version: '1:1.46.2-1.fc40' },
  { kind: 'downgrade', name: 'openssl', version: '1:3.1.4-4.fc40' },
  { kind: 'downgrade', name: 'curl', version: '8.6.0-8.fc40' },
  { kind: 'remove', name: 'telnet' },
];

describe('dnfCommands', () => {
  it('removes, then downgrades, then installs and upgrades, each in one invocation', () => {
    expect(dnfCommands(changes, { kind: 'system' })).toEqual([
      { file: 'dnf', args: ['remove', '-y', 'telnet'] },
      { file: 'dnf', args: ['downgrade', '-y', 'openssl-1:3.1.4-4.fc40', 'curl-8.6.0-8.fc40'] },
      { file: 'dnf', args: ['install', '-y', 'vim-enhanced-2:9.1.825-1.fc40', 'NetworkManager-1:1.46.2-1.fc40'] },
    ]);
  });

  it('adds --installroot for root targets', () => {
    expect(dnfCommands([changes[0]!, changes[4]!], { kind: 'root', path: '/srv/r' })).toEqual([
      { file: 'dnf', args: ['remove', '-y', '--installroot=/srv/r', 'telnet'] },
      { file: 'dnf', args: ['install', '-y', '--installroot=/srv/r', 'vim-enhanced-2:9.1.825-1.fc40'] },
    ]);
  });

  it('builds nothing for no changes', () => {
    expect(dnfCommands([], { kind: 'system' })).toEqual([]);
  });

  it.each([
    [{ kind: 'install', name: '-y', version: '1-1' }, /not a valid rpm package name/],
    [{ kind: 'remove', name: 'a b' }, /not a valid rpm package name/],
    [{ kind: 'install', name: 'vim', version: '1.0 -2' }, /not a valid rpm/],
    [{ kind: 'install', name: 'vim', version: 'x:1-1' }, /not a valid rpm/],
    [{ kind: 'install', name: 'vim', version: '-1' }, /not a valid rpm/],
    [{ kind: 'upgrade', name: 'vim' }, /not a valid rpm/],
  ] as Array<[PackageChange, RegExp]>)('rejects %o', (change, why) => {
    expect(() => dnfCommands([change], { kind: 'system' })).toThrow(why);
  });

  it('refuses other targets and relative roots', () => {
    expect(() => dnfCommands([], { kind: 'venv', path: '/v' })).toThrow(/cannot manage a venv target/);
    expect(() => dnfCommands([], { kind: 'root', path: 'r' })).toThrow(/absolute path/);
  });
});

describe('query commands', () => {
  it('rpm -qa with the listing format, --root for roots', () => {
    const qf = '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n';
    expect(rpmQaCommand({ kind: 'system' })).toEqual({ file: 'rpm', args: ['-qa', '--qf', qf], env: { LC_ALL: 'C' } });
    expect(rpmQaCommand({ kind: 'root', path: '/r' }).args).toEqual(['--root', '/r', '-qa', '--qf', qf]);
  });

  it('dnf repoquery in UTC', () => {
    expect(repoqueryCommand('vim-enhanced')).toEqual({
      file: 'dnf', args: ['repoquery', '-q', '--qf', '%{evr}\\t%{buildtime}\\n', 'vim-enhanced'], env: { LC_ALL: 'C', TZ: 'UTC' },
    });
  });

  it.each([
    ['NetworkManager', true], ['python3.12', true], ['libstdc++', true], ['perl-Data-Dumper', true], ['-x', false], ['a/b', false], ['', false],
  ])('validRpmName(%s) = %s', (name, ok) => {
    expect(validRpmName(name)).toBe(ok);
  });

  it('renders NEVR', () => {
    expect(nevr('bash', '5.2.26-3.fc40')).toBe('bash-5.2.26-3.fc40');
  });
});
