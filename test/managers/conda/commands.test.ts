import { describe, expect, it } from 'vitest';
import { condaCommands, condaListCommand, condaSearchCommand } from '../../../src/managers/conda/commands.js';

describe('condaCommands', () => {
  it('batches installs (exact == specs) into one command and removes into another', () => {
    expect(
      condaCommands(
        [
          { kind: 'install', name: 'numpy', version: '1.26.4' },
          { kind: 'remove', name: 'scipy' },
          { kind: 'upgrade', name: 'openssl', version: '3.2.1' },
          { kind: 'downgrade', name: 'python', version: '3.11.8' },
          { kind: 'remove', name: 'pandas' },
        ],
        { kind: 'conda-env', path: '/opt/gitfleet/sandboxes/trainer' },
      ),
    ).toEqual([
      { file: 'conda', args: ['install', '-y', '-p', '/opt/gitfleet/sandboxes/trainer', 'numpy==1.26.4', 'openssl==3.2.1', 'python==3.11.8'] },
      { file: 'conda', args: ['remove', '-y', '-p', '/opt/gitfleet/sandboxes/trainer', 'scipy', 'pandas'] },
    ]);
  });

  it('uses channels from the sources, and no -p for the system', () => {
    expect(condaCommands([{ kind: 'install', name: 'numpy', version: '1.26.4' }], { kind: 'system' }, {
      indexUrl: 'conda-forge', extraIndexUrls: ['https://conda.internal.example/main'],
    })).toEqual([
      { file: 'conda', args: ['install', '-y', '--override-channels', '-c', 'conda-forge', '-c', 'https://conda.internal.example/main', 'numpy==1.26.4'] },
    ]);
    expect(condaListCommand({ kind: 'conda-env', path: '/e' }).args).toEqual(['list', '--json', '-p', '/e']);
    expect(condaSearchCommand('numpy').args).toEqual(['search', 'numpy', '--json']);
  });

  it.each([
    ['a venv target', [{ kind: 'remove' as const, name: 'numpy' }], { kind: 'venv' as const, path: '/v' }, 'E_UNSUPPORTED'],
    ['an env without a path', [{ kind: 'remove' as const, name: 'numpy' }], { kind: 'conda-env' as const }, 'E_VALIDATION'],
    ['an option as name', [{ kind: 'remove' as const, name: '--all' }], { kind: 'system' as const }, 'E_VALIDATION'],
    ['a range as version', [{ kind: 'install' as const, name: 'numpy', version: '>=1.0' }], { kind: 'system' as const }, 'E_VALIDATION'],
    ['no version', [{ kind: 'install' as const, name: 'numpy' }], { kind: 'system' as const }, 'E_VALIDATION'],
  ])('refuses %s', (_what, changes, target, code) => {
    expect(() => condaCommands(changes, target)).toThrow(expect.objectContaining({ code }));
  });
});
