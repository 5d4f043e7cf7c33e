import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseChocoList, parseChocoSearch, parseChocoVersionOutput, parseNuspec, validChocoName,
} from '../../../src/managers/choco/parse.js';

const fixture = (f: string): string => readFileSync(new URL(`../../fixtures/choco/${f}`, import.meta.url), 'utf8');

describe('choco parsers on captured output', () => {
  it('reads choco list -r (ids lower-cased)', () => {
    expect(parseChocoList(fixture('list-r.txt'))).toEqual({
      chocolatey: '2.2.2',
      'chocolatey-compatibility.extension': '1.0.0',
      'chocolatey-core.extension': '1.4.0',
      git: '2.43.0',
      'git.install': '2.43.0',
      vlc: '3.0.18',
      '7zip': '23.1.0',
      '7zip.install': '23.1.0',
    });
    expect(parseChocoList('')).toEqual({});
    expect(parseChocoList('Git|2.43.0\r\n')).toEqual({ git: '2.43.0' });
  });

  it('reads choco search --exact --all-versions -r, keeping only the exact id', () => {
    const versions = parseChocoSearch(`${fixture('search-git-all-versions.txt')}git.install|2.44.0\n`, 'Git').map((v) => v.version);
    expect(versions).toEqual(['2.44.0', '2.43.0', '2.42.0.2', '2.42.0', '2.41.0', '2.40.1', '2.40.0', '2.39.2', '1.9.5.20150320']);
    expect(parseChocoSearch('', 'git')).toEqual([]);
  });

  it('reads nuspec id and version, ignoring comments, CDATA and dependency attributes', () => {
    expect(parseNuspec(fixture('git.install.nuspec'))).toEqual({ id: 'git.install', version: '2.43.0' });
    expect(parseNuspec(fixture('git.nuspec'))).toEqual({ id: 'git', version: '2.43.0' });
    const bom = `\uFEFF<?xml version="1.0"?><package xmlns="x"><metadata minClientVersion="0.10"><version>1.0.0-beta</version><id>My.Pkg</id></metadata></package>`;
    expect(parseNuspec(bom)).toEqual({ id: 'My.Pkg', version: '1.0.0-beta' });
  });

  it('reads choco --version, skipping a banner', () => {
    expect(parseChocoVersionOutput(fixture('version.txt'))).toBe('2.2.2');
    expect(parseChocoVersionOutput('Chocolatey v2.2.2\n2.2.2\n')).toBe('2.2.2');
  });
});

describe('choco ids', () => {
  it.each([
    ['git', true], ['git.install', true], ['7zip', true], ['vcredist140', true], ['Microsoft-Windows-Subsystem-Linux', true],
    ['-y', false], ['a b', false], ['git.', false], ['', false], ['a|b', false],
  ])('%s → %s', (name, ok) => {
    expect(validChocoName(name)).toBe(ok);
  });
});

describe('choco parsers on garbage', () => {
  it.each([
    ['list, prose only', () => parseChocoList(fixture('nonelevated-warning-only.txt'))],
    ['list, html', () => parseChocoList('<html><body>502 Bad Gateway</body></html>')],
    ['list, malformed pair', () => parseChocoList('git|2.43.0\n|oops\n')],
    ['search, a table instead of -r output', () => parseChocoSearch('Chocolatey v2.2.2\ngit 2.44.0 [Approved]\n1 packages found.', 'git')],
    ['nuspec, not XML', () => parseNuspec('{"id": "git"}', 'git.nuspec')],
    ['nuspec, no version', () => parseNuspec('<package><metadata><id>git</id></metadata></package>', 'git.nuspec')],
    ['nuspec, invalid id', () => parseNuspec('<package><metadata><id>a&amp;b</id><version>1.0</version></metadata></package>', 'x.nuspec')],
    ['version', () => parseChocoVersionOutput("'choco' is not recognized as an internal or external command")],
  ])('%s → E_PARSE', (_what, fn) => {
    expect(fn).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });
});
