import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitfleetError } from '../../../src/util/errors.js';
import fc from 'fast-check';
import { dpkgPackage, renderStanza } from './status-gen.js';
import {
  binaryPackage, parseDpkgQuery, parseDpkgStatus, parseDpkgStatusByLine, parseDpkgWritten, parseMadison, parseToolVersion,
} from '../../../src/managers/apt/parse.js';

const fixtures = join(import.meta.dirname, '../../fixtures/apt');
const fixture = (name: string): string => readFileSync(join(fixtures, name), 'utf8');
const opts = { file: '/r/var/lib/dpkg/status', nativeArch: 'amd64' };

function stanza(fields: Record<string, string>): string {
  return Object.entries(fields).map(([k, v]) => `${k}: ${v}\n`).join('') + 'Description: a test\n two lines\n .\n and a paragraph\n\n';
}

describe('parseDpkgStatus', () => {
  it('keys names as binary:Package does and keeps epochs and tildes', () => {
    const text = [
      stanza({ Package: 'alpha', Status: 'install ok installed', Architecture: 'amd64', Version: '1:1.2~rc1-3' }),
      stanza({ Package: 'libbeta', Status: 'install ok installed', Architecture: 'amd64', 'Multi-Arch': 'same', Version: '2.0-1' }),
      stanza({ Package: 'libbeta', Status: 'install ok installed', Architecture: 'i386', 'Multi-Arch': 'same', Version: '2.0-1' }),
      stanza({ Package: 'gamma-doc', Status: 'install ok installed', Architecture: 'all', 'Multi-Arch': 'foreign', Version: '0.5' }),
      stanza({ Package: 'delta', Status: 'install ok installed', Architecture: 'i386', Version: '3.0' }),
      stanza({ Package: 'held', Status: 'hold ok installed', Architecture: 'amd64', Version: '4.0' }),
      stanza({ Package: 'trig', Status: 'install ok triggers-pending', Architecture: 'amd64', Version: '5.0', 'Triggers-Pending': 'x' }),
    ].join('');
    expect(parseDpkgStatus(text, opts)).toEqual({
      alpha: '1:1.2~rc1-3',
      'libbeta:amd64': '2.0-1',
      'libbeta:i386': '2.0-1',
      'gamma-doc': '0.5',
      'delta:i386': '3.0',
      held: '4.0',
      trig: '5.0',
    });
  });

  it.each([
    ['deinstall ok config-files'],
    ['install ok unpacked'],
    ['install reinstreq half-installed'],
    ['purge ok not-installed'],
    ['install ok half-configured'],
  ])('does not list a package whose status is %s', (status) => {
    const text = stanza({ Package: 'p', Status: status, Architecture: 'amd64', Version: '1.0' });
    expect(parseDpkgStatus(text, opts)).toEqual({});
  });

  it('reads field names case-insensitively, tolerates extra blank lines and a missing Status', () => {
    const text = '\n\npackage: Upper\nstatus: install ok installed\nversion: 1\narchitecture: amd64\n\n\n\nPackage: nostatus\nVersion: 2\n';
    expect(parseDpkgStatus(text, opts)).toEqual({ upper: '1' });
  });

  it('accepts an empty status file', () => {
    expect(parseDpkgStatus('', opts)).toEqual({});
  });

  it.each([
    ['a value cut off by the end of the file', 'Package: a\nStatus: install ok installed\nVersion: 1\n\nPackage: b\nStatus: inst', 6, /missing final newline/],
    ['a line cut short and then ended', 'Package: a\nStatus: install ok installed\nVers\n', 3, /no "field:" colon/],
    ['a stanza without Package', stanza({ Package: 'a', Status: 'install ok installed', Version: '1' }) + 'Status: install ok installed\nVersion: 1\n', 9, /no "Package" field/],
    ['two stanzas run together', 'Package: a\nStatus: install ok installed\nVersion: 1\nPackage: b\n', 4, /second "Package"/],
    ['an installed package without Version', 'Package: a\nStatus: install ok installed\n\n', 1, /no "Version"/],
    ['an invalid Status', 'Package: a\nStatus: install ok inst\nVersion: 1\n', 1, /invalid Status/],
    ['a continuation line opening a stanza', 'Package: a\nStatus: install ok installed\nVersion: 1\n\n  \n', 5, /continuation line/],
  ])('rejects %s with E_PARSE naming file and line', (_what, text, line, why) => {
    let caught: unknown;
    try {
      parseDpkgStatus(text, opts);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GitfleetError);
    expect((caught as GitfleetError).code).toBe('E_PARSE');
    expect((caught as Error).message).toContain(`/r/var/lib/dpkg/status:${line}:`);
    expect((caught as Error).message).toMatch(why);
  });
});

describe('the fast path and the line reader', () => {
  it('agree on any file laid out as dpkg writes it, and the fast path takes it', () => {
    fc.assert(fc.property(fc.array(dpkgPackage, { maxLength: 25 }), (pkgs) => {
      const text = pkgs.map(renderStanza).join('');
      const fast = parseDpkgWritten(text, 'amd64');
      expect(fast).toBeDefined();
      expect(fast).toEqual(parseDpkgStatusByLine(text, opts));
    }), { numRuns: 300 });
  });

  it('the fast path hands files it does not expect to the line reader', () => {
    expect(parseDpkgWritten('package: a\nstatus: install ok installed\nversion: 1\n\n', 'amd64')).toBeUndefined();
    expect(parseDpkgWritten('Package: a\nStatus: install ok installed\nVersion: 1\nPackage: b\n', 'amd64')).toBeUndefined();
    expect(parseDpkgWritten('Status: install ok installed\nPackage: a\nVersion: 1\n', 'amd64')).toBeUndefined();
    expect(parseDpkgWritten('Package: a\nStatus: install ok installed\n\nPackage: b\nStatus: install ok installed\nVersion: 2\n', 'amd64')).toBeUndefined();
    expect(parseDpkgWritten('Package: a\nStatus: deinstall ok config-files\nVersion: 1\nPackage: b\nStatus: install ok installed\nVersion: 2\n\n', 'amd64')).toBeUndefined();
    expect(parseDpkgWritten('Package: a\nStatus: install ok installed\nOriginal-Version: 1\n\n', 'amd64')).toBeUndefined();
    expect(parseDpkgWritten('Package: a\r\nStatus: install ok installed\r\nVersion: 1\r\n\r\n', 'amd64')).toBeUndefined();
    expect(parseDpkgStatus('Package: a\r\nStatus: install ok installed\r\nVersion: 1 \r\n\r\n', opts)).toEqual({ a: '1' });
  });

  it('only the line reader checks lines the fast path jumps over', () => {
    const text = 'Package: a\nStatus: install ok installed\nVersion: 1\nbogus line\n';
    expect(parseDpkgStatus(text, opts)).toEqual({ a: '1' });
    expect(() => parseDpkgStatusByLine(text, opts)).toThrow(/status:4: line "bogus line" has no "field:" colon/);
  });
});

describe('binaryPackage', () => {
  it.each([
    ['p', 'amd64', undefined, 'p'],
    ['p', 'all', undefined, 'p'],
    ['p', '', undefined, 'p'],
    ['p', 'i386', undefined, 'p:i386'],
    ['p', 'i386', 'foreign', 'p:i386'],
    ['p', 'amd64', 'same', 'p:amd64'],
    ['p', 'amd64', 'Same', 'p:amd64'],
    ['P', 'amd64', 'allowed', 'p'],
  ])('%s arch=%s multi-arch=%s → %s', (pkg, arch, ma, want) => {
    expect(binaryPackage(pkg, arch, ma, 'amd64')).toBe(want);
  });
});

describe('parseDpkgQuery', () => {
  it('keeps installed states (ii, hi, it, iW) and drops rc and the like', () => {
    const out = 'a\t1.0\tii \nb:i386\t2\thi \nc\t3\trc \nd\t4\tiU \ne\t5\tit \nf\t6\tiW \ng\t\tpn \n';
    expect(parseDpkgQuery(out)).toEqual({ a: '1.0', 'b:i386': '2', e: '5', f: '6' });
  });

  it('rejects a line in another format', () => {
    expect(() => parseDpkgQuery('a 1.0\n')).toThrow(/unexpected dpkg-query line/);
  });
});

describe('parseMadison', () => {
  it('reads captured apt-cache madison output, newest first, per package', () => {
    const text = fixture('madison-multi.txt');
    expect(parseMadison(text, 'openssl')).toEqual([
      { version: '3.0.22-1~deb12u2' }, { version: '3.0.20-1~deb12u2' }, { version: '3.0.17-1~deb12u2' },
    ]);
    expect(parseMadison(text, 'libc6').map((v) => v.version)).toEqual(['2.36-9+deb12u14', '2.36-9+deb12u7']);
  });

  it('returns nothing for an unknown package', () => {
    expect(parseMadison(fixture('madison-unknown.txt'), 'nosuchpkg-x')).toEqual([]);
  });

  it('skips Sources rows and deduplicates versions listed for several arches', () => {
    expect(parseMadison(fixture('madison-multiarch-sources.txt'), 'libc6')).toEqual([
      { version: '2.36-9+deb12u14' }, { version: '2.36-9+deb12u7' },
    ]);
  });
});

describe('parseToolVersion', () => {
  it.each([
    ['apt-get-version.txt', '2.6.1'],
    ['dpkg-version.txt', '1.21.22'],
  ])('%s → %s', (file, want) => {
    expect(parseToolVersion(fixture(file))).toBe(want);
  });
});
