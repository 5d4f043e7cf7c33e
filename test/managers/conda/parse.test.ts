import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  isCondaNotFound, parseCondaList, parseCondaMetaRecord, parseCondaSearch, parseCondaVersionOutput, validCondaName, validCondaVersion,
} from '../../../src/managers/conda/parse.js';

const fixture = (f: string): string => readFileSync(new URL(`../../fixtures/conda/${f}`, import.meta.url), 'utf8');

describe('conda parsers on captured output', () => {
  it('reads a conda-meta record', () => {
    expect(parseCondaMetaRecord(fixture('conda-meta-numpy-1.26.4-py311h64a7726_0.json'))).toEqual({
      name: 'numpy', version: '1.26.4', build: 'py311h64a7726_0',
    });
  });

  it('reads conda list --json', () => {
    expect(parseCondaList(fixture('list.json'))).toEqual({ 'absl-py': '0.9.0', alabaster: '0.7.12', zlib: '1.2.11', zstd: '1.4.4' });
    expect(parseCondaList('[]')).toEqual({});
  });

  it('reads conda search --json: one entry per version, dated by its earliest build, ms and s timestamps', () => {
    expect(parseCondaSearch(fixture('search-numpy.json'), 'numpy')).toEqual([
      { version: '1.24.2', releasedAt: new Date(1675642800000).toISOString() },
      { version: '1.26.4', releasedAt: '2024-02-06T13:20:59.913Z' },
      { version: '1.9.3', releasedAt: '2015-10-08T00:00:00.000Z' },
      { version: '1.7.1' },
    ]);
  });

  it('recognises the not-found answer and reads conda --version', () => {
    expect(isCondaNotFound(fixture('search-not-found.json'))).toBe(true);
    expect(isCondaNotFound(fixture('search-numpy.json'))).toBe(false);
    expect(isCondaNotFound('not json')).toBe(false);
    expect(parseCondaVersionOutput(fixture('version.txt'))).toBe('24.1.2');
  });
});

describe('conda names and versions', () => {
  it.each([['numpy', true], ['python_abi', true], ['ca-certificates', true], ['r.base', true], ['-y', false], ['a b', false], ['numpy=1', false]])(
    'name %s → %s', (n, ok) => expect(validCondaName(n)).toBe(ok),
  );
  it.each([['1.26.4', true], ['1.1.1w', true], ['2024a', true], ['1!2.0', true], ['1.0+local_1', true], ['1.0-1', false], ['>=1', false], ['1.*', false]])(
    'version %s → %s', (v, ok) => expect(validCondaVersion(v)).toBe(ok),
  );
});

describe('conda parsers on garbage', () => {
  it.each([
    ['meta record, not JSON', () => parseCondaMetaRecord('{"name": "numpy", ', 'numpy.json')],
    ['meta record, no version', () => parseCondaMetaRecord('{"name": "numpy"}', 'numpy.json')],
    ['meta record, an array', () => parseCondaMetaRecord('[]', 'x.json')],
    ['list, an object', () => parseCondaList('{"error": "EnvironmentLocationNotFound"}')],
    ['list, entries without names', () => parseCondaList('[{"version": "1.0"}]')],
    ['search, not JSON', () => parseCondaSearch('Loading channels: done\n# Name  Version  Build  Channel', 'numpy')],
    ['search, an error report', () => parseCondaSearch(fixture('search-not-found.json'), 'numpy')],
    ['search, another package', () => parseCondaSearch('{"scipy": []}', 'numpy')],
    ['search, builds without versions', () => parseCondaSearch('{"numpy": [{"build": "py_0"}]}', 'numpy')],
    ['version', () => parseCondaVersionOutput('bash: conda: command not found')],
  ])('%s → E_PARSE', (_what, fn) => {
    expect(fn).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });
});
