import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseWingetExport, parseWingetShowVersions, parseWingetVersionOutput, validWingetName,
} from '../../../src/managers/winget/parse.js';

const fixture = (f: string): string => readFileSync(new URL(`../../fixtures/winget/${f}`, import.meta.url), 'utf8');

describe('winget parsers on captured output', () => {
  it('reads a winget export file; packages without a Version are left out', () => {
    expect(parseWingetExport(fixture('export.json'))).toEqual({
      'git.git': '2.41.0',
      '7zip.7zip': '23.01',
      'microsoft.vcredist.2015+.x64': '14.28.29325.2',
      'openjs.nodejs.lts': '18.17.0',
    });
    expect(parseWingetExport(`\uFEFF{"Sources": []}`)).toEqual({});
  });

  it('reads winget show --versions, and nothing for an unknown id', () => {
    expect(parseWingetShowVersions(fixture('show-versions-git.txt')).map((v) => v.version)).toEqual(['2.44.0', '2.43.0', '2.42.0.2', '2.41.0', '2.40.1']);
    expect(parseWingetShowVersions(fixture('show-not-found.txt'))).toEqual([]);
    expect(parseWingetShowVersions(`\r   - \r   \\ \r${fixture('show-versions-git.txt')}`)).toHaveLength(5);
  });

  it('reads winget --version', () => {
    expect(parseWingetVersionOutput(fixture('version.txt'))).toBe('1.7.10861');
  });
});

describe('winget ids', () => {
  it.each([
    ['Git.Git', true], ['Microsoft.VCRedist.2015+.x64', true], ['7zip.7zip', true], ['Python.Python.3.12', true],
    ['--force', false], ['a b', false], ['Git..Git', false], ['', false], ['a&b', false],
  ])('%s → %s', (name, ok) => {
    expect(validWingetName(name)).toBe(ok);
  });
});

describe('winget parsers on garbage', () => {
  it.each([
    ['export, not JSON', () => parseWingetExport('An unexpected error occurred while executing the command')],
    ['export, no Sources', () => parseWingetExport('{"WinGetVersion": "1.5.1881"}')],
    ['export, package without id', () => parseWingetExport('{"Sources":[{"Packages":[{"Version":"1.0"}]}]}')],
    ['show, no table', () => parseWingetShowVersions('Found Git [Git.Git]\nVersion: 2.44.0\nPublisher: The Git Development Community\n')],
    ['show, prose in the table', () => parseWingetShowVersions('Version\n-------\n2.44.0\nThis is not a version\n')],
    ['version', () => parseWingetVersionOutput('winget: command not found')],
  ])('%s → E_PARSE', (_what, fn) => {
    expect(fn).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });
});
