import { describe, expect, it } from 'vitest';
import { npmCommands, npmListCommand, npmViewCommand } from '../../../src/managers/npm/commands.js';
import type { ManagerSources, PackageChange, Target } from '../../../src/managers/types.js';

const PREFIX: Target = { kind: 'node-prefix', path: '/opt/tools' };
const PROJECT: Target = { kind: 'node-project', path: '/srv/app' };
const Q = ['--no-audit', '--no-fund'];
const cmd = (...args: string[]) => ({ file: 'npm', args });

describe('npmCommands', () => {
  it.each<[string, PackageChange[], Target, ManagerSources | undefined, ReturnType<typeof cmd>[]]>([
    ['prefix: one install for all', [
      { kind: 'install', name: 'fleet-b', version: '1.0.0' },
      { kind: 'upgrade', name: '@fleet/scoped', version: '2.0.0-rc.1' },
      { kind: 'downgrade', name: 'c', version: '0.1.0' },
    ], PREFIX, undefined, [cmd('install', ...Q, '-g', '--prefix', '/opt/tools', 'fleet-b@1.0.0', '@fleet/scoped@2.0.0-rc.1', 'c@0.1.0')]],
    ['project: --save-exact; removes first', [
      { kind: 'install', name: 'a', version: '1.2.3' },
      { kind: 'remove', name: 'b' },
      { kind: 'remove', name: '@s/c' },
    ], PROJECT, undefined, [
      cmd('uninstall', ...Q, '--prefix', '/srv/app', 'b', '@s/c'),
      cmd('install', ...Q, '--prefix', '/srv/app', '--save-exact', 'a@1.2.3'),
    ]],
    ['system: -g only, with a registry', [{ kind: 'install', name: 'a', version: '1.0.0' }], { kind: 'system' }, { registry: 'http://127.0.0.1:4873/' },
      [cmd('install', ...Q, '-g', '--registry', 'http://127.0.0.1:4873/', 'a@1.0.0')]],
    ['find-links: tarball paths as npm pack names them', [
      { kind: 'install', name: 'fleet-b', version: '1.0.0' },
      { kind: 'install', name: '@fleet/scoped', version: '2.0.0-rc.1' },
    ], PREFIX, { findLinks: ['/w/tgz', '/other'] }, [cmd('install', ...Q, '-g', '--prefix', '/opt/tools', '/w/tgz/fleet-b-1.0.0.tgz', '/w/tgz/fleet-scoped-2.0.0-rc.1.tgz')]],
    ['relative find-links stay paths, not GitHub shorthands', [{ kind: 'install', name: 'x', version: '1.0.0' }], PROJECT, { findLinks: ['tgz'] },
      [cmd('install', ...Q, '--prefix', '/srv/app', '--save-exact', './tgz/x-1.0.0.tgz')]],
    ['nothing', [], PROJECT, undefined, []],
  ])('%s', (_, changes, target, sources, want) => expect(npmCommands(changes, target, sources, 'linux')).toEqual(want));

  it.each<[string, PackageChange[], Target, ManagerSources | undefined, RegExp]>([
    ['option-like name', [{ kind: 'install', name: '--registry=http://evil', version: '1.0.0' }], PREFIX, undefined, /invalid npm package name/],
    ['range instead of a version', [{ kind: 'install', name: 'a', version: '^1.0.0' }], PREFIX, undefined, /invalid semver version/],
    ['tag instead of a version', [{ kind: 'upgrade', name: 'a', version: 'latest' }], PREFIX, undefined, /invalid semver version/],
    ['duplicate', [{ kind: 'install', name: 'a', version: '1.0.0' }, { kind: 'remove', name: 'a' }], PREFIX, undefined, /more than once/],
    ['prefix without a path', [{ kind: 'remove', name: 'a' }], { kind: 'node-prefix' }, undefined, /invalid path/],
    ['option-like path', [{ kind: 'remove', name: 'a' }], { kind: 'node-project', path: '--global' }, undefined, /invalid path/],
    ['non-http registry', [{ kind: 'install', name: 'a', version: '1.0.0' }], PREFIX, { registry: 'file:///x' }, /http\(s\) URL/],
    ['venv target', [{ kind: 'remove', name: 'a' }], { kind: 'venv', path: '/v' }, undefined, /cannot manage/],
  ])('rejects %s', (_, changes, target, sources, msg) => expect(() => npmCommands(changes, target, sources, 'linux')).toThrow(msg));
});

describe('listing and view builders', () => {
  it.each<[Target, string[]]>([
    [{ kind: 'system' }, ['ls', '--json', '--depth=0', '-g']],
    [PREFIX, ['ls', '--json', '--depth=0', '-g', '--prefix', '/opt/tools']],
    [PROJECT, ['ls', '--json', '--depth=0', '--prefix', '/srv/app']],
  ])('npm ls for %j', (t, args) => expect(npmListCommand(t)).toEqual({ file: 'npm', args }));
  it('npm view', () => {
    expect(npmViewCommand('@fleet/scoped', { registry: 'https://r.example/' }, 1000)).toEqual({
      file: 'npm', args: ['view', '@fleet/scoped', 'time', 'versions', '--json', '--registry', 'https://r.example/'], timeoutMs: 1000,
    });
    expect(() => npmViewCommand('-x')).toThrow(/invalid npm package name/);
  });
});

describe('a registry URL with credentials', () => {
  const TOKEN = 'npm_s3cr3tT0ken';
  it.each<[string, string, string, Record<string, string>]>([
    ['a token alone (empty user name) is a bearer token', `https://:${TOKEN}@r.example:8443/npm/private`, 'https://r.example:8443/npm/private',
      { 'npm_config_//r.example:8443/npm/private/:_authToken': TOKEN }],
    ['a token as the user name is one too', `https://${TOKEN}@r.example/`, 'https://r.example/', { 'npm_config_//r.example/:_authToken': TOKEN }],
    ['user and password are Basic auth, percent-decoded', `https://bot:p%40ss-${TOKEN}@r.example/`, 'https://r.example/',
      { 'npm_config_//r.example/:_auth': Buffer.from(`bot:p@ss-${TOKEN}`).toString('base64') }],
  ])('%s: npm\'s per-registry auth config in the environment, the URL without it on the command line', (_, registry, url, env) => {
    const cmds = [
      ...npmCommands([{ kind: 'install', name: 'a', version: '1.0.0' }], PREFIX, { registry }, 'linux'),
      npmViewCommand('a', { registry }),
    ];
    expect(cmds).toEqual([
      { file: 'npm', args: ['install', ...Q, '-g', '--prefix', '/opt/tools', '--registry', url, 'a@1.0.0'], env },
      { file: 'npm', args: ['view', 'a', 'time', 'versions', '--json', '--registry', url], env },
    ]);
  });

  it('a rejected registry is named without its credentials', () => {
    expect(() => npmViewCommand('a', { registry: `ftp://:${TOKEN}@r.example/` })).toThrow('npm registry must be an http(s) URL: "ftp://r.example/"');
  });
});
