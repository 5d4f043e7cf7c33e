import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInstalledManifest, parseNpmLs, parseNpmView, tarballName, validNpmName } from '../../../src/managers/npm/parse.js';

const fixture = (f: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/npm', f), 'utf8');

describe('validNpmName (validate-npm-package-name rules)', () => {
  it.each([
    ['some-package', true], ['example.com', true], ['under_score', true], ['period.js', true], ['123numeric', true],
    ['@npm/thingy', true], ['@jane/foo.js', true], ['JSONStream', true], ['crazy!', true], ['a', true],
    ['', false], ['.start-with-period', false], ['_start-with-underscore', false], ['-rf', false], ['--registry=x', false],
    [' leading-space', false], ['trailing-space ', false], ['s/l/a/s/h/e/s', false], ['node_modules', false],
    ['favicon.ico', false], ['@npm-zors/money!time.js', true], ['@npm/', false], ['@/x', false], ['@scope/_x', false],
    ['a'.repeat(215), false], ['a'.repeat(214), true], ['ünicode', false], ['with space', false], ['foo@1.0.0', false],
  ])('%s → %s', (name, ok) => expect(validNpmName(name)).toBe(ok));
});

describe('tarballName (as npm pack names files)', () => {
  it.each([
    ['fleet-b', '1.0.0', 'fleet-b-1.0.0.tgz'],
    ['@fleet/scoped', '2.0.0-rc.1', 'fleet-scoped-2.0.0-rc.1.tgz'],
  ])('%s@%s → %s', (n, v, f) => expect(tarballName(n, v)).toBe(f));
});

describe('parseNpmLs', () => {
  it('reads a real project listing (extraneous included, hoisted transitive left out by npm)', () => {
    expect(parseNpmLs(fixture('npm-ls-project.json'))).toEqual({ '@fleet/scoped': '2.0.0-rc.1', extra: '0.0.1', 'fleet-a': '1.0.0' });
  });
  it('reads a real -g --prefix listing', () => {
    expect(parseNpmLs(fixture('npm-ls-global-prefix.json'))).toEqual({ '@fleet/scoped': '2.0.0-rc.1', 'fleet-b': '1.0.0' });
  });
  it('leaves out missing dependencies and takes an empty tree', () => {
    expect(parseNpmLs('{"dependencies":{"x":{"required":"^1","missing":true},"y":{"version":"1.2.3"}}}')).toEqual({ y: '1.2.3' });
    expect(parseNpmLs('{"name":"lib"}')).toEqual({});
  });
  it.each(['', 'npm error', '[1]'])('rejects %j', (s) => expect(() => parseNpmLs(s)).toThrow(expect.objectContaining({ code: 'E_PARSE' })));
});

describe('parseNpmView', () => {
  it('reads real output with dates from time', () => {
    expect(parseNpmView(fixture('npm-view-fleet-b.json'))).toEqual([
      { version: '1.0.0', releasedAt: '2020-01-15T12:00:00.000Z' },
      { version: '1.1.0', releasedAt: '2021-02-15T12:00:00.000Z' },
      { version: '2.0.0-rc.1', releasedAt: '2022-03-15T12:00:00.000Z' },
    ]);
  });
  it('an E404 answer is no versions; other errors throw', () => {
    expect(parseNpmView(fixture('npm-view-e404.json'))).toEqual([]);
    expect(() => parseNpmView('{"error":{"code":"E401","summary":"auth"}}')).toThrow(/E401/);
  });
  it('takes a single version as a string and a version without a date', () => {
    expect(parseNpmView('{"time":{},"versions":"1.0.0"}')).toEqual([{ version: '1.0.0' }]);
  });
});

describe('parseInstalledManifest', () => {
  it('reads version and dependency names', () => {
    expect(parseInstalledManifest('{"name":"a","version":"1.0.0","dependencies":{"b":"1"},"peerDependencies":{"c":"*"}}', 'f'))
      .toEqual({ version: '1.0.0', requires: ['b', 'c'] });
  });
  it.each([
    ['not JSON', '{"name": "a",', /x\/package\.json: is not valid JSON/],
    ['an array', '[]', /is not a JSON object/],
    ['no version', '{"name":"a"}', /has no "version"/],
  ])('%s → E_PARSE naming the file', (_, text, msg) => {
    expect(() => parseInstalledManifest(text, 'x/package.json')).toThrow(msg);
  });
});
