import { describe, expect, it } from 'vitest';
import { gemCommands, gemRemoteListCommand } from '../../../src/managers/gem/commands.js';

describe('gemCommands', () => {
  it('installs one gem per command; a downgrade also removes the newer versions; removes are batched', () => {
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
      { file: 'gem', args: ['install', 'rake', '-v', '13.0.3', '--no-document'] },
      { file: 'gem', args: ['uninstall', 'rake', '-v', '> 13.0.3', '-a', '-x'] },
      { file: 'gem', args: ['uninstall', 'pry', 'byebug', '-a', '-x'] },
    ]);
  });

  it('passes a root target as --install-dir and sources as --source', () => {
    expect(gemCommands([{ kind: 'install', name: 'rails', version: '7.1.3' }], { kind: 'root', path: '/srv/gems' }, {
      indexUrl: 'https://gems.internal.example/',
    })).toEqual([
      { file: 'gem', args: ['install', 'rails', '-v', '7.1.3', '--no-document', '--install-dir', '/srv/gems', '--clear-sources', '--source', 'https://gems.internal.example/'] },
    ]);
    expect(gemRemoteListCommand('rails').args).toEqual(['list', '--remote', '--exact', '--all', 'rails']);
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
