import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parseDpkgStatus } from '../../../src/managers/apt/parse.js';
import { forgetDpkgStatus, readDpkgStatusHow, rememberedDpkgFiles, type DpkgRead } from '../../../src/managers/apt/status-cache.js';
import { dpkgPackage, renderStanza, type GenPkg } from './status-gen.js';

const dir = mkdtempSync(join(tmpdir(), 'gitfleet-dpkg-cache-'));
const file = join(dir, 'status');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => forgetDpkgStatus());

/** Replaces the file the way dpkg does (write a new one, rename over): a new inode every time. */
function replace(text: string): void {
  writeFileSync(`${file}-new`, text, 'latin1');
  renameSync(`${file}-new`, file);
}

type Outcome = { ok: true; packages: Record<string, string>; order: string[] } | { ok: false; message: string };

function outcome(fn: () => Readonly<Record<string, string>>): Outcome {
  try {
    const packages = { ...fn() };
    return { ok: true, packages, order: Object.keys(packages) };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/** The answer a fresh process would give: the whole file parsed. */
const fresh = (text: string): Outcome => outcome(() => parseDpkgStatus(text, { file, nativeArch: 'amd64' }));

function read(text: string): { got: Outcome; how: DpkgRead | 'error' } {
  replace(text);
  let how: DpkgRead | 'error' = 'error';
  const got = outcome(() => {
    const r = readDpkgStatusHow(file, 'amd64');
    how = r.read;
    return r.packages;
  });
  return { got, how };
}

// Edits an apt run makes (a package changed, added, removed) and damage at the byte level.
type Edit =
  | { kind: 'set'; at: number; pkg: GenPkg }
  | { kind: 'insert'; at: number; pkg: GenPkg }
  | { kind: 'delete'; at: number }
  | { kind: 'bytes'; at: number; near: number | undefined; cut: number; put: string };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), pkg: dpkgPackage }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), pkg: dpkgPackage }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    // Half of them land near a stanza's start, where a boundary off by one byte would show.
    kind: fc.constant('bytes' as const), at: fc.nat(), near: fc.option(fc.integer({ min: -3, max: 11 }), { nil: undefined }), cut: fc.nat({ max: 40 }),
    put: fc.array(fc.constantFrom('\n', '\n\n', 'Package: x', 'Status: ', 'install ok installed', 'Version: 2', ' ', 'a', ':'), { maxLength: 4 }).map((a) => a.join('')),
  }),
);

function applyEdit(pkgs: GenPkg[], text: string, e: Edit, lead: string): { pkgs: GenPkg[]; text: string } {
  if (e.kind === 'bytes') {
    let at = text.length === 0 ? 0 : e.at % (text.length + 1);
    if (e.near !== undefined) {
      const starts = [...text.matchAll(/^Package: /gm)].map((m) => m.index);
      if (starts.length > 0) at = Math.max(0, Math.min(text.length, starts[e.at % starts.length]! + e.near));
    }
    return { pkgs, text: text.slice(0, at) + e.put + text.slice(at + e.cut) };
  }
  const next = [...pkgs];
  const at = next.length === 0 ? 0 : e.at % next.length;
  if (e.kind === 'set' && next.length > 0) next[at] = e.pkg;
  else if (e.kind === 'insert' || e.kind === 'set') next.splice(at, 0, e.pkg);
  else next.splice(at, 1);
  return { pkgs: next, text: lead + next.map(renderStanza).join('') };
}

describe('readDpkgStatus on a file that changes between reads', () => {
  it('answers exactly what a whole parse of the new file answers, after any sequence of edits', () => {
    const seen = new Map<string, number>();
    const lead = fc.constantFrom('', '', '\n', '\n\n');
    fc.assert(fc.property(lead, fc.array(dpkgPackage, { maxLength: 20 }), fc.array(edit, { minLength: 1, maxLength: 8 }), (blank, start, edits) => {
      forgetDpkgStatus();
      let pkgs = start;
      let text = blank + pkgs.map(renderStanza).join('');
      expect(read(text).got).toEqual(fresh(text));
      for (const e of edits) {
        ({ pkgs, text } = applyEdit(pkgs, text, e, blank));
        const { got, how } = read(text);
        seen.set(how, (seen.get(how) ?? 0) + 1);
        expect(got).toEqual(fresh(text));
      }
    }), { numRuns: 400 });
    // The property is about the incremental path: it must have been taken, and the others too.
    expect(seen.get('changed-stanzas') ?? 0).toBeGreaterThan(300);
    expect(seen.get('whole') ?? 0).toBeGreaterThan(0);
    expect(seen.get('error') ?? 0).toBeGreaterThan(0);
  });

  const base: GenPkg[] = Array.from({ length: 50 }, (_, i) => ({
    name: `pkg${String(i).padStart(2, '0')}`, status: 'install ok installed', arch: i % 3 ? 'amd64' : 'all',
    multiArch: i % 4 ? undefined : 'same', version: `1.${i}-1`, conffiles: i % 5 === 0,
  }));
  const render = (pkgs: GenPkg[]): string => pkgs.map(renderStanza).join('');

  it('parses again only the stanzas an upgrade changed', () => {
    expect(read(render(base)).how).toBe('whole');
    const upgraded = base.map((p, i) => (i === 21 ? { ...p, version: '1.21-2' } : p));
    const r = read(render(upgraded));
    expect(r.how).toBe('changed-stanzas');
    expect(r.got.ok && r.got.packages.pkg21).toBe('1.21-2');
    expect(r.got).toEqual(fresh(render(upgraded)));
  });

  it('keeps the shared answer when only the inode changed, and tells an unchanged file by its stat', () => {
    const first = readDpkgStatusHow((replace(render(base)), file), 'amd64');
    const again = readDpkgStatusHow(file, 'amd64');
    expect(again.read).toBe('unchanged');
    expect(again.packages).toBe(first.packages);
    replace(render(base));
    const copy = readDpkgStatusHow(file, 'amd64');
    expect(copy.read).toBe('same-bytes');
    expect(copy.packages).toBe(first.packages);
    expect(Object.isFrozen(copy.packages)).toBe(true);
  });

  it.each([
    ['a line before the first stanza', (t: string) => `junk\n${t}`],
    ['text in front of leading blank lines', (t: string) => `x${t}`],
    ['a lost blank line between stanzas', (t: string) => t.replace('\n\nPackage: pkg10', '\nPackage: pkg10')],
    ['an extra blank line between stanzas', (t: string) => t.replace('\n\nPackage: pkg10', '\n\n\nPackage: pkg10')],
    ['a stanza opening with another field', (t: string) => t.replace('\n\nPackage: pkg10', '\n\nOrigin: x\nPackage: pkg10')],
    ['the last stanza cut short', (t: string) => t.slice(0, t.lastIndexOf('Version: '))],
    ['the last newline gone', (t: string) => t.slice(0, -1)],
    ['everything gone', () => ''],
  ])('reads %s as a whole parse does', (_, change) => {
    const good = `\n${render(base)}`;
    read(good);
    const bad = change(good);
    expect(read(bad).got).toEqual(fresh(bad));
    expect(read(good).got).toEqual(fresh(good));
  });

  // Every one-byte change next to a stanza boundary (the blank line before it and its "Package: "), for a stanza in
  // the middle, the first and the last: the merge's margins are exactly there.
  const boundaryEdits: Array<[string, number, number]> = [];
  for (const which of [0, 25, 49]) {
    for (let at = -3; at <= 10; at++) {
      for (const put of ['', ' ', 'x', '\n', ':']) boundaryEdits.push([JSON.stringify(put), which, at]);
    }
  }
  it('reads a one-byte change at every offset around a stanza boundary as a whole parse does', () => {
    const good = render(base);
    let checked = 0;
    for (const [put, which, at] of boundaryEdits) {
      const start = good.indexOf(`Package: ${base[which]!.name}\n`) + at;
      if (start < 0) continue;
      for (const cut of [0, 1]) {
        forgetDpkgStatus();
        read(good);
        const bad = good.slice(0, start) + JSON.parse(put) + good.slice(start + cut);
        if (bad === good) continue;
        expect(read(bad).got, `${put} at ${at} (cut ${cut}) of stanza ${which}`).toEqual(fresh(bad));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('compares a file larger than its 64 KiB chunks: a change in the first chunk, the middle and the last', () => {
    const many: GenPkg[] = Array.from({ length: 1200 }, (_, i) => ({ ...base[i % 50]!, name: `p${String(i).padStart(4, '0')}`, version: `${i}.0-1` }));
    const big = render(many);
    expect(big.length).toBeGreaterThan(300_000);
    read(big);
    for (const i of [3, 600, 1197]) {
      many[i] = { ...many[i]!, version: `${i}.0-2` };
      const changed = render(many);
      const r = read(changed);
      expect(r.how).toBe('changed-stanzas');
      expect(r.got).toEqual(fresh(changed));
      expect(r.got.ok && Object.values(r.got.packages).filter((v) => v.endsWith('.0-2')).length).toBe([3, 600, 1197].indexOf(i) + 1);
    }
  });

  it('remembers a file per native architecture, and at most eight files', () => {
    const text = render(base);
    replace(text);
    const amd64 = readDpkgStatusHow(file, 'amd64');
    const i386 = readDpkgStatusHow(file, 'i386');
    expect(i386.read).toBe('whole');
    expect(i386.packages).toEqual(parseDpkgStatus(text, { file, nativeArch: 'i386' }));
    expect(Object.keys(i386.packages)).not.toEqual(Object.keys(amd64.packages));
    expect(readDpkgStatusHow(file, 'amd64').read).toBe('unchanged');
    const others = Array.from({ length: 8 }, (_, i) => join(dir, `status-${i}`));
    for (const f of others) {
      writeFileSync(f, text);
      expect(readDpkgStatusHow(f, 'amd64').read).toBe('whole');
    }
    expect(rememberedDpkgFiles()).toBe(8);
    // The oldest ones were forgotten; the newest is still remembered.
    expect(readDpkgStatusHow(file, 'amd64').read).toBe('whole');
    expect(readDpkgStatusHow(others[7]!, 'amd64').read).toBe('unchanged');
  });

  it('reports damage in the changed part with the line, as a whole parse does, and reads the repaired file', () => {
    read(render(base));
    const good = render(base);
    const at = good.indexOf('Package: pkg30');
    const damaged = `${good.slice(0, at)}Package: pkg30\n${good.slice(at)}`;
    const r = read(damaged);
    expect(r.how).toBe('error');
    expect(r.got).toEqual(fresh(damaged));
    expect(r.got.ok ? '' : r.got.message).toMatch(/status:\d+: second "Package" field/);
    expect(read(good).got).toEqual(fresh(good));
  });
});
