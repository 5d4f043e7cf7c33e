import { describe, expect, it } from 'vitest';
import { gemCommands, gemExplainCommand, gemRemoteListCommand } from '../../../src/managers/gem/commands.js';

describe('gemCommands', () => {
  it('installs one gem per command; a downgrade installs, removes every version, installs again; removes are batched', () => {
    const rake = { file: 'gem', args: ['install', 'rake', '-v', '13.0.3', '--no-document'] };
    expect(
      gemCommands(
        [
          { kind: 'install', name: 'rails', version: '7.1.3' },
          { kind: 'remove', name: 'pry' },
          { kind: 'upgrade', name: 'nokogiri', version: '1.16.5' },
          { kind: 'downgrade', name: 'rake', version: '13.0.3' },
          { kind: 'remove', name: 'byebug' },
        ],
        { kind: 'system' },
      ),
    ).toEqual([
      { file: 'gem', args: ['install', 'rails', '-v', '7.1.3', '--no-document'] },
      { file: 'gem', args: ['install', 'nokogiri', '-v', '1.16.5', '--no-document'] },
      rake,
      { file: 'gem', args: ['uninstall', 'rake', '-a', '-x', '-I'] },
      rake,
      { file: 'gem', args: ['uninstall', 'pry', 'byebug', '-a', '-x'] },
    ]);
  });

  it('passes a root target as --install-dir with GEM_HOME=GEM_PATH=it, and sources as --source', () => {
    const env = { GEM_HOME: '/srv/gems', GEM_PATH: '/srv/gems' };
    expect(gemCommands([{ kind: 'install', name: 'rails', version: '7.1.3' }, { kind: 'remove', name: 'pry' }], { kind: 'root', path: '/srv/gems' }, {
      indexUrl: 'https://gems.internal.example/',
    })).toEqual([
      { file: 'gem', args: ['install', 'rails', '-v', '7.1.3', '--no-document', '--install-dir', '/srv/gems', '--clear-sources', '--source', 'https://gems.internal.example/'], env },
      { file: 'gem', args: ['uninstall', 'pry', '-a', '-x', '--install-dir', '/srv/gems'], env },
    ]);
    expect(gemRemoteListCommand('rails').args).toEqual(['list', '--remote', '--exact', '--all', '--prerelease', 'rails']);
    expect(gemExplainCommand('rails', { indexUrl: 'http://127.0.0.1:1/' }).args).toEqual([
      'install', 'rails', '--explain', '--prerelease', '--ignore-dependencies', '--clear-sources', '--source', 'http://127.0.0.1:1/',
    ]);
  });

  it.each([
    ['a venv target', [{ kind: 'remove' as const, name: 'rails' }], { kind: 'venv' as const, path: '/v' }, {}, 'E_UNSUPPORTED'],
    ['an option as name', [{ kind: 'remove' as const, name: '--all' }], { kind: 'system' as const }, {}, 'E_VALIDATION'],
    ['a requirement as version', [{ kind: 'install' as const, name: 'rails', version: '~> 7.1' }], { kind: 'system' as const }, {}, 'E_VALIDATION'],
    ['no version', [{ kind: 'upgrade' as const, name: 'rails' }], { kind: 'system' as const }, {}, 'E_VALIDATION'],
    ['a javascript: source', [{ kind: 'install' as const, name: 'rails', version: '7.1.3' }], { kind: 'system' as const }, { indexUrl: 'javascript:alert(1)' }, 'E_VALIDATION'],
  ])('refuses %s', (_what, changes, target, sources, code) => {
    expect(() => gemCommands(changes, target, sources)).toThrow(expect.objectContaining({ code }));
  });
});
