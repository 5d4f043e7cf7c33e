import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  normalizePipName, parseCoreMetadata, parsePipList, parsePipVersion, parseSimpleHtml, parseSimpleJson,
  validPipName, versionFromDistFilename,
} from '../../../src/managers/pip/parse.js';
import { GitfleetError } from '../../../src/util/errors.js';

const fixture = (f: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/pip', f), 'utf8');

describe('normalizePipName (PEP 503)', () => {
  it.each([
    ['Foo_Bar.baz', 'foo-bar-baz'],
    ['foo--bar__baz', 'foo-bar-baz'],
    ['Django', 'django'],
    ['zope.interface', 'zope-interface'],
    ['a-_.b', 'a-b'],
    ['x', 'x'],
  ])('%s → %s', (input, out) => expect(normalizePipName(input)).toBe(out));
});

describe('validPipName (PEP 508)', () => {
  it.each([
    ['requests', true], ['Foo_Bar.baz', true], ['a', true], ['A1', true], ['zope.interface', true],
    ['-rf', false], ['foo-', false], ['.foo', false], ['', false], ['foo bar', false], ['foo==1', false],
    ['--index-url=x', false], ['foo/bar', false], ['ümlaut', false],
  ])('%s → %s', (name, ok) => expect(validPipName(name)).toBe(ok));
});

describe('parseCoreMetadata', () => {
  it('reads a real METADATA', () => {
    expect(parseCoreMetadata(fixture('METADATA-setuptools-66.1.1'), 'M')).toEqual({ name: 'setuptools', version: '66.1.1' });
  });
  it.each([
    ['folded headers and a body', 'Metadata-Version: 2.1\nName: Foo_Bar\nSummary: a\n  continued\nVersion: 1.0+local.1\n\nName: not-this\n', { name: 'Foo_Bar', version: '1.0+local.1' }],
    ['CRLF', 'Name: x\r\nVersion: 1.0rc1\r\n', { name: 'x', version: '1.0rc1' }],
    ['first header wins', 'Name: x\nVersion: 1\nVersion: 2\n', { name: 'x', version: '1' }],
  ])('%s', (_, text, want) => expect(parseCoreMetadata(text, 'M')).toEqual(want));
  it.each([
    ['no version', 'Metadata-Version: 2.1\nName: x\n', /site\/x-1\.dist-info\/METADATA: has no Version header/],
    ['no name', 'Version: 1\n', /has no Name header/],
    ['garbage', 'PK\u0003\u0004 binary junk\nmore', /line 1 is not a metadata header/],
    ['NUL bytes', 'Name: x\nVersion: 1\u0000\n', /corrupt/],
    ['empty', '', /has no Name header/],
    ['version with spaces', 'Name: x\nVersion: 1 2\n', /whitespace/],
  ])('%s → E_PARSE naming the file', (_, text, msg) => {
    let err: unknown;
    try {
      parseCoreMetadata(text, 'site/x-1.dist-info/METADATA');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GitfleetError);
    expect((err as GitfleetError).code).toBe('E_PARSE');
    expect((err as GitfleetError).message).toMatch(msg);
    expect((err as GitfleetError).message).toContain('site/x-1.dist-info/METADATA');
  });
});

describe('parsePipList / parsePipVersion', () => {
  it('parses real pip list output with normalized keys', () => {
    const got = parsePipList(fixture('pip-list-system.json'));
    const raw = JSON.parse(fixture('pip-list-system.json')) as { name: string; version: string }[];
    expect(Object.keys(got)).toHaveLength(raw.length);
    for (const r of raw) expect(got[r.name.toLowerCase().replace(/[-_.]+/g, '-')]).toBe(r.version);
  });
  it('normalizes names', () => {
    expect(parsePipList('[{"name":"Foo_Bar.baz","version":"1.0rc1"}]')).toEqual({ 'foo-bar-baz': '1.0rc1' });
  });
  it.each(['not json', '{"a":1}', '[{"name":"x"}]'])('rejects %s', (s) => {
    expect(() => parsePipList(s)).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });
  it('reads the real --version line', () => {
    expect(parsePipVersion(fixture('pip-version.txt'))).toMatch(/^\d+\.\d+(\.\d+)?$/);
    expect(parsePipVersion('pip 24.0 from /x/pip (python 3.12)\n')).toBe('24.0');
    expect(parsePipVersion('No module named pip')).toBeUndefined();
  });
});

describe('versionFromDistFilename', () => {
  it.each([
    ['foo_bar_baz-1.0rc1-py3-none-any.whl', 'Foo_Bar.baz', '1.0rc1'],
    ['foo_bar_baz-1.0+local.1-py3-none-any.whl', 'foo-bar-baz', '1.0+local.1'],
    ['numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl', 'numpy', '2.4.6'],
    ['pkg-1.0-1build-py3-none-any.whl', 'pkg', '1.0'],
    ['foo-bar-1.2.tar.gz', 'foo-bar', '1.2'],
    ['Foo.Bar-1.2.zip', 'foo_bar', '1.2'],
    ['foo-1.0.tar.gz', 'foo-bar', undefined],
    ['foo_bar-1.0-py3-none-any.whl', 'foo', undefined],
    ['foo-1.0.exe', 'foo', undefined],
    ['foo-1.0-py3.whl', 'foo', undefined],
    ['README.txt', 'foo', undefined],
  ])('%s for %s → %s', (file, name, v) => expect(versionFromDistFilename(file, name)).toBe(v));
});

describe('simple API pages', () => {
  it('parses a PEP 691 JSON page with upload times and yanks', () => {
    const files = parseSimpleJson(fixture('simple-pep691-sample.json'), 'idx');
    expect(files).toHaveLength(5);
    expect(files[0]).toEqual({ filename: 'holygrail-1.0.tar.gz', yanked: false, uploadTime: '2022-01-02T03:04:05.000000Z' });
    expect(files[2]).toEqual({ filename: 'holygrail-2.0rc1-py3-none-any.whl', yanked: false });
    expect(files[3]?.yanked).toBe(true);
  });
  it('rejects JSON without files', () => {
    expect(() => parseSimpleJson('{"meta":{}}', 'idx')).toThrow(/idx: simple API response has no "files"/);
    expect(() => parseSimpleJson('<html>', 'idx')).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });
  it('parses a real PEP 503 HTML page', () => {
    const files = parseSimpleHtml(fixture('simple-numpy.html'));
    expect(files.map((f) => versionFromDistFilename(f.filename, 'numpy')).sort()).toEqual(['1.26.4', '2.0.2', '2.2.6', '2.3.5', '2.4.6']);
    expect(parseSimpleHtml('<a href="x" data-yanked="">x-1.0.tar.gz</a>')).toEqual([{ filename: 'x-1.0.tar.gz', yanked: true }]);
  });
});
