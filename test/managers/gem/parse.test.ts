import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  classifyGemExplain, parseGemListLocal, parseGemListRemote, parseGemspecContent, parseGemspecFileName, parseGemVersionOutput, validGemName,
} from '../../../src/managers/gem/parse.js';

const fixture = (f: string): string => readFileSync(new URL(`../../fixtures/gem/${f}`, import.meta.url), 'utf8');

describe('gem parsers on real captured output (RubyGems 3.3.15, see SOURCES.md)', () => {
  it('reads gem list --local: the highest installed version, platforms, default gems left out', () => {
    expect(parseGemListLocal(fixture('list-local-captured.txt'))).toEqual({ 'foo-bar_baz': '1.0.0', native_gem: '2.0', json: '99.0.0' });
    expect(parseGemListLocal('')).toEqual({});
  });

  it('reads a hand-written listing with a header, Windows platforms and mixed default entries', () => {
    expect(parseGemListLocal(fixture('list-local.txt'))).toEqual({
      ast: '2.4.2', debug: '1.5.0', 'diff-lcs': '1.4.4', irb: '1.4.1', minitest: '5.14.2', nokogiri: '1.10.7', parser: '3.1.2.0',
      'pry-byebug': '3.9.0', rake: '13.0.3', rbs: '1.4.0', reline: '0.3.1',
    });
  });

  it('reads gem list --remote --exact --all --prerelease: each version once, platforms merged, oldest first', () => {
    expect(parseGemListRemote(fixture('list-remote-foo-bar_baz.txt'), 'foo-bar_baz')).toEqual([{ version: '0.9' }, { version: '1.0.0.rc1' }, { version: '1.0.0' }]);
    expect(parseGemListRemote(fixture('list-remote-native_gem.txt'), 'native_gem')).toEqual([{ version: '1.5' }, { version: '2.0' }, { version: '3.0' }]);
    expect(parseGemListRemote('\n', 'no-such-gem')).toEqual([]);
    expect(parseGemListRemote('\n*** REMOTE GEMS ***\n\n', 'no-such-gem')).toEqual([]);
  });

  it('reads gem --version', () => {
    expect(parseGemVersionOutput(fixture('version.txt'))).toBe('3.3.15');
  });

  it.each([
    ['explain-absent.txt', 2, 'absent'],
    ['explain-refused.txt', 2, 'failed'],
    ['explain-404.txt', 2, 'failed'],
    ['', 2, 'failed'],
  ])('classifies the gem install --explain probe: %s → %s', (file, exit, kind) => {
    const said = classifyGemExplain(exit, file ? fixture(file) : '');
    expect(said.kind).toBe(kind);
    if (said.kind === 'failed' && file) expect(said.reason).toContain('Unable to download data');
  });

  it('classifies a probe that finds the gem as found (a listing that missed it is not "no versions")', () => {
    expect(classifyGemExplain(0, '')).toEqual({ kind: 'found' });
  });
});

describe('gemspec file names', () => {
  it.each([
    ['rake-13.0.3.gemspec', { name: 'rake', version: '13.0.3' }],
    ['diff-lcs-1.4.4.gemspec', { name: 'diff-lcs', version: '1.4.4' }],
    ['nokogiri-1.16.5-x86_64-linux.gemspec', { name: 'nokogiri', version: '1.16.5', platform: 'x86_64-linux' }],
    ['nokogiri-1.16.5-x86_64-linux-gnu.gemspec', { name: 'nokogiri', version: '1.16.5', platform: 'x86_64-linux-gnu' }],
    ['ffi-1.16.3-universal-darwin-20.gemspec', { name: 'ffi', version: '1.16.3', platform: 'universal-darwin-20' }],
    ['sqlite3-1.7.3-arm64-darwin.gemspec', { name: 'sqlite3', version: '1.7.3', platform: 'arm64-darwin' }],
    ['json-2.7.1-java.gemspec', { name: 'json', version: '2.7.1', platform: 'java' }],
    ['ruby-prof-1.7.0-x64-mingw-ucrt.gemspec', { name: 'ruby-prof', version: '1.7.0', platform: 'x64-mingw-ucrt' }],
    ['net-http-persistent-4.0.2.gemspec', { name: 'net-http-persistent', version: '4.0.2' }],
    ['rails-7.1.0.beta1.gemspec', { name: 'rails', version: '7.1.0.beta1' }],
    ['oauth2-2.0.9.gemspec', { name: 'oauth2', version: '2.0.9' }],
    ['foo-2-1.0.gemspec', { name: 'foo-2', version: '1.0' }],
    ['README.md', undefined],
    ['noversion.gemspec', undefined],
  ])('%s', (file, want) => {
    expect(parseGemspecFileName(file)).toEqual(want);
  });

  it('falls back to the gemspec text', () => {
    const text = '# -*- encoding: utf-8 -*-\n# stub: rails 7.0.3.1 ruby lib\n\nGem::Specification.new do |s|\n  s.name = "rails".freeze\n  s.version = "7.0.3.1"\n';
    expect(parseGemspecContent(text)).toEqual({ name: 'rails', version: '7.0.3.1' });
    expect(() => parseGemspecContent('Gem::Specification.new do |s|\nend\n', 'x.gemspec')).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });
});

describe('gem names', () => {
  it.each([['rails', true], ['RedCloth', true], ['net-http', true], ['rack_attack', true], ['--all', false], ['a b', false], ['.hidden', false], ['', false]])(
    '%s → %s', (n, ok) => expect(validGemName(n)).toBe(ok),
  );
});

describe('gem parsers on garbage', () => {
  it.each([
    ['local, prose', () => parseGemListLocal('ERROR:  While executing gem ... (Gem::Exception)\n    something broke')],
    ['local, bad version', () => parseGemListLocal('rake (thirteen)\n')],
    ['remote, another gem only', () => parseGemListRemote('rails (7.1.3)\n', 'nokogiri')],
    ['remote, html', () => parseGemListRemote('<html><body>503</body></html>', 'nokogiri')],
    ['version', () => parseGemVersionOutput('gem: command not found')],
  ])('%s → E_PARSE', (_what, fn) => {
    expect(fn).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });
});
