import { describe, expect, it } from 'vitest';
import { brewCommands, brewVersionProblem } from '../../../src/managers/brew/commands.js';

const env = { HOMEBREW_NO_AUTO_UPDATE: '1', HOMEBREW_NO_ENV_HINTS: '1' };

describe('brewCommands', () => {
  it('batches installs, upgrades and removes, without versions', () => {
    expect(
      brewCommands(
        [
          { kind: 'install', name: 'wget', version: '1.25.0' },
          { kind: 'remove', name: 'bat' },
          { kind: 'install', name: 'openssl@3', version: '3.4.0' },
          { kind: 'upgrade', name: 'jq', version: '1.7.1_1' },
        ],
        { kind: 'system' },
      ),
    ).toEqual([
      { file: 'brew', args: ['install', 'wget', 'openssl@3'], env },
      { file: 'brew', args: ['upgrade', 'jq'], env },
      { file: 'brew', args: ['uninstall', 'bat'], env },
    ]);
  });

  it('uses the prefix brew for a root target, and nothing for no changes', () => {
    expect(brewCommands([{ kind: 'remove', name: 'wget' }], { kind: 'root', path: '/home/linuxbrew/.linuxbrew' })).toEqual([
      { file: '/home/linuxbrew/.linuxbrew/bin/brew', args: ['uninstall', 'wget'], env },
    ]);
    expect(brewCommands([], { kind: 'system' })).toEqual([]);
  });

  it.each([
    ['a downgrade', [{ kind: 'downgrade' as const, name: 'wget', version: '1.24.5' }], { kind: 'system' as const }, 'E_UNSUPPORTED'],
    ['an option as name', [{ kind: 'install' as const, name: '--force', version: '1.0' }], { kind: 'system' as const }, 'E_VALIDATION'],
    ['a version with a blank', [{ kind: 'install' as const, name: 'wget', version: '1.0 && x' }], { kind: 'system' as const }, 'E_VALIDATION'],
    ['no version', [{ kind: 'upgrade' as const, name: 'wget' }], { kind: 'system' as const }, 'E_VALIDATION'],
    ['a venv target', [{ kind: 'remove' as const, name: 'wget' }], { kind: 'venv' as const, path: '/v' }, 'E_UNSUPPORTED'],
    ['a relative prefix', [{ kind: 'remove' as const, name: 'wget' }], { kind: 'root' as const, path: 'brew' }, 'E_VALIDATION'],
  ])('refuses %s', (_what, changes, target, code) => {
    expect(() => brewCommands(changes, target)).toThrow(expect.objectContaining({ code }));
  });
});

describe('brewVersionProblem', () => {
  const available = [{ version: '1.25.0' }];
  it('accepts the current version (revision ignored) and removes', () => {
    expect(brewVersionProblem({ kind: 'install', name: 'wget', version: '1.25.0' }, available)).toBeUndefined();
    expect(brewVersionProblem({ kind: 'upgrade', name: 'wget', version: '1.25.0_1' }, available)).toBeUndefined();
    expect(brewVersionProblem({ kind: 'remove', name: 'wget' }, available)).toBeUndefined();
  });

  it('explains any other version and every downgrade', () => {
    const old = brewVersionProblem({ kind: 'install', name: 'wget', version: '1.21.4' }, available);
    expect(old?.code).toBe('E_UNSUPPORTED');
    expect(old?.message).toContain('wget@1');
    expect(brewVersionProblem({ kind: 'downgrade', name: 'wget', version: '1.25.0' }, available)?.code).toBe('E_UNSUPPORTED');
    expect(brewVersionProblem({ kind: 'install', name: 'wget', version: '1.25.0' }, [])?.code).toBe('E_UNSUPPORTED');
  });
});
