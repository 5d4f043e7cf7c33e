import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  isBrewNotFound, parseBrewInfoAvailable, parseBrewInfoInstalled, parseBrewVersionOutput, pickKeg, stripRevision, validBrewName,
} from '../../../src/managers/brew/parse.js';

const fixture = (f: string): string => readFileSync(new URL(`../../fixtures/brew/${f}`, import.meta.url), 'utf8');

describe('brew parsers on captured output', () => {
  it('reads brew info --json=v2 --installed: linked keg, revision stripped, casks', () => {
    expect(parseBrewInfoInstalled(fixture('info-installed.json'))).toEqual({
      wget: '1.25.0',
      'ca-certificates': '2024-11-26',
      bat: '0.26.0',
      jq: '1.7.1',
      ghostty: '1.3.0',
    });
  });

  it('reads the stable version of brew info --json=v2 wget', () => {
    expect(parseBrewInfoAvailable(fixture('info-wget.json'), 'wget')).toEqual([{ version: '1.25.0' }]);
  });

  it('reads a cask version, and nothing for an empty answer', () => {
    expect(parseBrewInfoAvailable('{"formulae":[],"casks":[{"token":"ghostty","version":"1.3.1"}]}', 'ghostty')).toEqual([{ version: '1.3.1' }]);
    expect(parseBrewInfoAvailable('{"formulae":[],"casks":[]}', 'nothing')).toEqual([]);
  });

  it('reads brew --version and the not-found message', () => {
    expect(parseBrewVersionOutput(fixture('version.txt'))).toBe('4.4.15');
    expect(isBrewNotFound(fixture('info-not-found.stderr.txt'))).toBe(true);
    expect(isBrewNotFound('Error: Permission denied @ dir_s_mkdir')).toBe(false);
  });
});

describe('pickKeg', () => {
  it.each([
    { kegs: ['1.2.3', '1.10.0'], linked: undefined, want: '1.10.0' },
    { kegs: ['1.2.3', '1.10.0'], linked: '1.2.3', want: '1.2.3' },
    { kegs: ['1.2.3', '1.10.0'], linked: '9.9.9', want: '1.10.0' },
    { kegs: ['1.0', '1.0_2', '1.0_1'], linked: undefined, want: '1.0_2' },
    { kegs: ['HEAD-abc1234', '0.9'], linked: undefined, want: '0.9' },
    { kegs: ['.DS_Store', '2024-11-26'], linked: undefined, want: '2024-11-26' },
    { kegs: [], linked: undefined, want: undefined },
  ])('$kegs linked=$linked → $want', ({ kegs, linked, want }) => {
    expect(pickKeg(kegs, linked)).toBe(want);
  });

  it('strips only a trailing _N revision', () => {
    expect(stripRevision('3.4.0_1')).toBe('3.4.0');
    expect(stripRevision('2024-11-26')).toBe('2024-11-26');
    expect(stripRevision('1.0_beta')).toBe('1.0_beta');
  });
});

describe('brew names', () => {
  it.each([
    ['wget', true], ['openssl@3', true], ['python@3.12', true], ['c++utils', true], ['homebrew/cask/firefox', true],
    ['-rf', false], ['Wget', false], ['a b', false], ['', false], ['../x', false],
  ])('%s → %s', (name, ok) => {
    expect(validBrewName(name)).toBe(ok);
  });
});

describe('brew parsers on garbage', () => {
  it.each([
    ['installed, not JSON', () => parseBrewInfoInstalled('Error: something went wrong')],
    ['installed, wrong JSON', () => parseBrewInfoInstalled('{"hello": 1}')],
    ['installed, formula without name', () => parseBrewInfoInstalled('{"formulae":[{"installed":[]}],"casks":[]}')],
    ['available, not JSON', () => parseBrewInfoAvailable('<html>', 'wget')],
    ['available, no version', () => parseBrewInfoAvailable('{"formulae":[{"name":"wget","versions":{}}],"casks":[]}', 'wget')],
    ['version', () => parseBrewVersionOutput('zsh: command not found')],
  ])('%s → E_PARSE', (_what, fn) => {
    expect(fn).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });
});
