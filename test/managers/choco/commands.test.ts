import { describe, expect, it } from 'vitest';
import { chocoCommands, chocoSearchCommand } from '../../../src/managers/choco/commands.js';

describe('chocoCommands', () => {
  it('builds one command per versioned change and one uninstall for all removes', () => {
    expect(
      chocoCommands(
        [
          { kind: 'install', name: 'git', version: '2.44.0' },
          { kind: 'remove', name: 'vlc' },
          { kind: 'upgrade', name: '7zip', version: '23.1.0' },
          { kind: 'downgrade', name: 'nodejs-lts', version: '20.11.1' },
          { kind: 'remove', name: 'putty' },
        ],
        { kind: 'system' },
      ),
    ).toEqual([
      { file: 'choco', args: ['install', 'git', '--version', '2.44.0', '-y', '--no-progress'] },
      { file: 'choco', args: ['upgrade', '7zip', '--version', '23.1.0', '-y', '--no-progress'] },
      { file: 'choco', args: ['upgrade', 'nodejs-lts', '--version', '20.11.1', '--allow-downgrade', '-y', '--no-progress'] },
      { file: 'choco', args: ['uninstall', 'vlc', 'putty', '-y'] },
    ]);
  });

  it('adds --source for a baseline registry, to installs and to search', () => {
    const sources = { registry: 'https://choco.internal.example/api/v2/' };
    expect(chocoCommands([{ kind: 'install', name: 'git', version: '2.44.0' }], { kind: 'system' }, sources)).toEqual([
      { file: 'choco', args: ['install', 'git', '--version', '2.44.0', '-y', '--no-progress', '--source', sources.registry] },
    ]);
    expect(chocoSearchCommand('git', sources).args).toEqual(['search', 'git', '--exact', '--all-versions', '-r', '--source', sources.registry]);
  });

  it.each([
    ['a non-system target', [{ kind: 'remove' as const, name: 'git' }], { kind: 'root' as const, path: 'C:\\choco' }, {}, 'E_UNSUPPORTED'],
    ['an option as id', [{ kind: 'install' as const, name: '--force', version: '1.0.0' }], { kind: 'system' as const }, {}, 'E_VALIDATION'],
    ['an invalid NuGet version', [{ kind: 'install' as const, name: 'git', version: 'latest' }], { kind: 'system' as const }, {}, 'E_VALIDATION'],
    ['no version', [{ kind: 'install' as const, name: 'git' }], { kind: 'system' as const }, {}, 'E_VALIDATION'],
    ['a source with a quote', [{ kind: 'install' as const, name: 'git', version: '1.0.0' }], { kind: 'system' as const }, { registry: `x" & calc` }, 'E_VALIDATION'],
  ])('refuses %s', (_what, changes, target, sources, code) => {
    expect(() => chocoCommands(changes, target, sources)).toThrow(expect.objectContaining({ code }));
  });
});
