import { describe, expect, it } from 'vitest';
import { wingetCommands, wingetExportCommand, wingetShowVersionsCommand } from '../../../src/managers/winget/commands.js';

const agree = ['--accept-package-agreements', '--accept-source-agreements'];

describe('wingetCommands', () => {
  it('builds one command per package; a downgrade uninstalls first', () => {
    expect(
      wingetCommands(
        [
          { kind: 'install', name: 'Git.Git', version: '2.44.0' },
          { kind: 'upgrade', name: '7zip.7zip', version: '23.01' },
          { kind: 'downgrade', name: 'OpenJS.NodeJS.LTS', version: '18.17.0' },
          { kind: 'remove', name: 'Google.Chrome' },
        ],
        { kind: 'system' },
      ),
    ).toEqual([
      { file: 'winget', args: ['install', '--id', 'Git.Git', '--version', '2.44.0', '--exact', '--silent', ...agree] },
      { file: 'winget', args: ['upgrade', '--id', '7zip.7zip', '--version', '23.01', '--exact', '--silent', ...agree] },
      { file: 'winget', args: ['uninstall', '--id', 'OpenJS.NodeJS.LTS', '--exact', '--silent'] },
      { file: 'winget', args: ['install', '--id', 'OpenJS.NodeJS.LTS', '--version', '18.17.0', '--exact', '--silent', ...agree] },
      { file: 'winget', args: ['uninstall', '--id', 'Google.Chrome', '--exact', '--silent'] },
    ]);
  });

  it('passes a source name, and builds the export and show commands', () => {
    expect(wingetCommands([{ kind: 'install', name: 'Git.Git', version: '2.44.0' }], { kind: 'system' }, { registry: 'winget' })[0]?.args)
      .toEqual(['install', '--id', 'Git.Git', '--version', '2.44.0', '--exact', '--silent', '--source', 'winget', ...agree]);
    expect(wingetExportCommand('C:\\Temp\\x.json').args).toEqual(['export', '-o', 'C:\\Temp\\x.json', '--include-versions', '--accept-source-agreements']);
    expect(wingetShowVersionsCommand('Git.Git').args).toEqual(['show', '--id', 'Git.Git', '--exact', '--versions', '--accept-source-agreements']);
  });

  it.each([
    ['a non-system target', [{ kind: 'remove' as const, name: 'Git.Git' }], { kind: 'root' as const, path: 'C:\\' }, {}, 'E_UNSUPPORTED'],
    ['an option as id', [{ kind: 'install' as const, name: '--all', version: '1.0' }], { kind: 'system' as const }, {}, 'E_VALIDATION'],
    ['a version with a blank', [{ kind: 'install' as const, name: 'Git.Git', version: '2.44 beta' }], { kind: 'system' as const }, {}, 'E_VALIDATION'],
    ['a bad source name', [{ kind: 'install' as const, name: 'Git.Git', version: '2.44.0' }], { kind: 'system' as const }, { registry: 'a b' }, 'E_VALIDATION'],
  ])('refuses %s', (_what, changes, target, sources, code) => {
    expect(() => wingetCommands(changes, target, sources)).toThrow(expect.objectContaining({ code }));
  });
});
