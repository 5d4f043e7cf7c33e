import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBuildTime, parseDnfVersion, parseRepoquery, parseRpmQa, renderEvr } from '../../../src/managers/dnf/parse.js';
import { rpm } from '../../../src/managers/versioning/rpm.js';

const fixtures = join(import.meta.dirname, '../../fixtures/dnf');
const fixture = (name: string): string => readFileSync(join(fixtures, name), 'utf8');

describe('renderEvr', () => {
  it.each([
    ['(none)', '2.10', '1.fc40', '2.10-1.fc40'],
    ['0', '1.0', '1', '1.0-1'],
    ['', '1.0', '1', '1.0-1'],
    ['2', '1.0~rc1', '3.fc40', '2:1.0~rc1-3.fc40'],
    ['1', '1.46.0', '(none)', '1:1.46.0'],
  ])('epoch %s version %s release %s → %s', (e, v, r, want) => {
    expect(renderEvr(e, v, r)).toBe(want);
  });
});

describe('parseRpmQa', () => {
  it('reads real rpm -qa output from a test root: newest of duplicates, epochs, tilde', () => {
    expect(parseRpmQa(fixture('rpm-qa-root.txt'), rpm.compare)).toEqual({
      'kernel-core': '6.8.9-300.fc40',
      'hello-gf': '2.10-1.fc40',
      NetworkManager: '1:1.46.0-1.fc40',
      tinyrpm: '2:1.0~rc1-3.fc40',
      'zero-epoch': '1.0-1',
    });
  });

  it('drops gpg-pubkey, folds multilib pairs and keeps the newest install-only kernel by rpm order', () => {
    expect(parseRpmQa(fixture('rpm-qa-handwritten.txt'), rpm.compare)).toEqual({
      glibc: '2.39-17.fc40',
      'kernel-core': '6.10.12-200.fc40',
      'shadow-utils': '2:4.15.1-3.fc40',
    });
  });

  it('names the line it cannot read', () => {
    expect(() => parseRpmQa('a\t(none)\t1\t1\tnoarch\nbroken line\n', rpm.compare)).toThrow(/line 2 "broken line"/);
  });
});

describe('parseRepoquery', () => {
  it('reads dnf4 output: unique EVRs newest first, earliest UTC build time', () => {
    expect(parseRepoquery(fixture('repoquery-dnf4.txt'), rpm.compare)).toEqual([
      { version: '2:9.1.1000~rc1-1.fc40', releasedAt: '2025-01-05T08:30:00.000Z' },
      { version: '2:9.1.825-1.fc40', releasedAt: '2024-10-21T13:07:00.000Z' },
      { version: '1:9.0.2120-1.fc40', releasedAt: '2024-02-28T00:00:00.000Z' },
    ]);
  });

  it('reads dnf5 output with epoch seconds and skips repository chatter', () => {
    expect(parseRepoquery(fixture('repoquery-dnf5.txt'), rpm.compare)).toEqual([
      { version: '2:9.1.825-1.fc40', releasedAt: '2024-10-21T13:10:00.000Z' },
      { version: '1:9.0.2120-1.fc40', releasedAt: '2024-02-28T00:00:00.000Z' },
    ]);
  });

  it('returns nothing for no match', () => {
    expect(parseRepoquery('', rpm.compare)).toEqual([]);
  });
});

describe('parseBuildTime and parseDnfVersion', () => {
  it.each([
    ['2024-10-21 13:07', '2024-10-21T13:07:00.000Z'],
    ['1729516020', '2024-10-21T13:07:00.000Z'],
    ['0', undefined],
    ['', undefined],
    ['yesterday', undefined],
  ])('parseBuildTime(%j) → %s', (text, want) => {
    expect(parseBuildTime(text)).toBe(want);
  });

  it.each([
    ['dnf4-version.txt', '4.19.1'],
    ['dnf5-version.txt', '5.1.17'],
    ['rpm-version.txt', '4.18.0'],
  ])('%s → %s', (file, want) => {
    expect(parseDnfVersion(fixture(file))).toBe(want);
  });
});
