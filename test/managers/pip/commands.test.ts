import { describe, expect, it } from 'vitest';
import { pipCommands, pipListCommand, pipSourceOptions, pythonFor, venvPython } from '../../../src/managers/pip/commands.js';
import type { ManagerSources, PackageChange, Target } from '../../../src/managers/types.js';

const V: Target = { kind: 'venv', path: '/srv/venv' };
const PY = '/srv/venv/bin/python';
const COMMON = ['--no-input', '--disable-pip-version-check'];

describe('pipCommands', () => {
  it.each<[string, PackageChange[], Target, ManagerSources | undefined, { file: string; args: string[] }[]]>([
    ['one install', [{ kind: 'install', name: 'requests', version: '2.31.0' }], V, undefined,
      [{ file: PY, args: ['-m', 'pip', 'install', ...COMMON, 'requests==2.31.0'] }]],
    ['installs, upgrades and downgrades batched in one call', [
      { kind: 'install', name: 'Foo_Bar.baz', version: '1.0rc1' },
      { kind: 'upgrade', name: 'a', version: '2.0' },
      { kind: 'downgrade', name: 'b', version: '1.0+local.1' },
    ], V, undefined, [{ file: PY, args: ['-m', 'pip', 'install', ...COMMON, 'Foo_Bar.baz==1.0rc1', 'a==2.0', 'b==1.0+local.1'] }]],
    ['removes first, in one call', [
      { kind: 'install', name: 'a', version: '1' },
      { kind: 'remove', name: 'b' },
      { kind: 'remove', name: 'c', version: '9' },
    ], V, undefined, [
      { file: PY, args: ['-m', 'pip', 'uninstall', '-y', ...COMMON, 'b', 'c'] },
      { file: PY, args: ['-m', 'pip', 'install', ...COMMON, 'a==1'] },
    ]],
    ['sources', [{ kind: 'install', name: 'a', version: '1' }], V,
      { noIndex: true, findLinks: ['/w1', '/w 2'], indexUrl: 'https://idx/simple', extraIndexUrls: ['http://e1/', 'file:///e2'] },
      [{ file: PY, args: ['-m', 'pip', 'install', ...COMMON, '--no-index', '--find-links', '/w1', '--find-links', '/w 2',
        '--index-url', 'https://idx/simple', '--extra-index-url', 'http://e1/', '--extra-index-url', 'file:///e2', 'a==1'] }]],
    ['system python', [{ kind: 'install', name: 'a', version: '1' }], { kind: 'system' }, undefined,
      [{ file: 'python3', args: ['-m', 'pip', 'install', ...COMMON, 'a==1'] }]],
    ['nothing to do', [], V, undefined, []],
  ])('%s', (_, changes, target, sources, want) => {
    expect(pipCommands(changes, target, sources, 'linux')).toEqual(want);
  });

  it('uses Scripts\\python.exe on Windows', () => {
    expect(venvPython('C:\\venvs\\a', 'win32')).toBe('C:\\venvs\\a\\Scripts\\python.exe');
    expect(pythonFor({ kind: 'system' }, 'win32')).toBe('python');
  });

  it.each<[string, PackageChange[], Target, ManagerSources | undefined, string]>([
    ['option-like name', [{ kind: 'install', name: '--index-url=http://evil', version: '1' }], V, undefined, 'invalid pip package name'],
    ['name with a specifier', [{ kind: 'install', name: 'a>=1', version: '1' }], V, undefined, 'invalid pip package name'],
    ['invalid version', [{ kind: 'install', name: 'a', version: '1.0; rm -rf' }], V, undefined, 'invalid PEP 440 version'],
    ['missing version', [{ kind: 'upgrade', name: 'a' }], V, undefined, 'invalid PEP 440 version'],
    ['duplicate by normalized name', [{ kind: 'install', name: 'a_b', version: '1' }, { kind: 'remove', name: 'A.B' }], V, undefined, 'more than once'],
    ['remove with a bad name', [{ kind: 'remove', name: '-r' }], V, undefined, 'invalid pip package name'],
    ['venv without a path', [{ kind: 'install', name: 'a', version: '1' }], { kind: 'venv' }, undefined, 'invalid path'],
    ['option-like find-links', [{ kind: 'install', name: 'a', version: '1' }], V, { findLinks: ['--trusted-host=x'] }, 'invalid path'],
    ['bad index URL', [{ kind: 'install', name: 'a', version: '1' }], V, { indexUrl: 'ftp://x/' }, 'http(s) or file'],
    ['wrong target kind', [{ kind: 'install', name: 'a', version: '1' }], { kind: 'node-prefix', path: '/p' }, undefined, 'cannot manage'],
  ])('rejects %s before building', (_, changes, target, sources, msg) => {
    expect(() => pipCommands(changes, target, sources, 'linux')).toThrow(msg);
    try {
      pipCommands(changes, target, sources, 'linux');
    } catch (err) {
      expect((err as { code: string }).code).toMatch(/^E_(VALIDATION|UNSUPPORTED)$/);
    }
  });
});

describe('other builders', () => {
  it('pipListCommand', () => {
    expect(pipListCommand(PY, 5000)).toEqual({ file: PY, args: ['-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'], timeoutMs: 5000 });
  });
  it('pipSourceOptions with no sources', () => expect(pipSourceOptions()).toEqual({ args: [], env: {} }));
});

describe('index URLs with credentials', () => {
  const TOKEN = 'pypi-s3cr3t%2Ftok';
  const install: PackageChange[] = [{ kind: 'install', name: 'a', version: '1' }];
  it.each<[string, ManagerSources, string[], Record<string, string>]>([
    ['the index: PIP_INDEX_URL, not --index-url (which would override it)', { indexUrl: `https://__token__:${TOKEN}@idx/simple/`, extraIndexUrls: ['https://pub/simple/'] },
      ['--extra-index-url', 'https://pub/simple/'], { PIP_INDEX_URL: `https://__token__:${TOKEN}@idx/simple/` }],
    ['an extra: all extras move together into PIP_EXTRA_INDEX_URL', { indexUrl: 'https://pub/simple/', extraIndexUrls: ['https://pub2/simple/', `https://${TOKEN}@priv/simple/`] },
      ['--index-url', 'https://pub/simple/'], { PIP_EXTRA_INDEX_URL: `https://pub2/simple/ https://${TOKEN}@priv/simple/` }],
  ])('%s', (_, sources, args, env) => {
    const cmds = pipCommands(install, V, sources, 'linux');
    expect(cmds).toEqual([{ file: PY, args: ['-m', 'pip', 'install', ...COMMON, ...args, 'a==1'], env }]);
    expect(cmds[0]!.args.join(' ')).not.toContain(TOKEN);
  });

  it('a rejected URL is named without its credentials', () => {
    expect(() => pipCommands(install, V, { indexUrl: `ftp://u:${TOKEN}@idx/` }, 'linux')).toThrow('pip index URL must be http(s) or file: "ftp://idx/"');
    expect(() => pipCommands(install, V, { extraIndexUrls: [`https://u:${TOKEN}@idx/a b`] }, 'linux')).toThrow('must not contain white space: "https://idx/a b"');
  });
});
