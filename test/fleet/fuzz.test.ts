/*
 * Random damage to the example fleet must never crash validation: every run ends valid or with
 * diagnostics that say file, line, column, code and message, and takes well under a second.
 * The seed is fixed so that a failure reproduces; fast-check prints the shrunk mutation list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadFleet } from '../../src/fleet/load.js';
import { dirSource } from '../../src/fleet/source.js';
import { validateFleet, type ValidationResult } from '../../src/fleet/validate.js';
import { GitfleetError } from '../../src/util/errors.js';

const EXAMPLE_FLEET = join(import.meta.dirname, '../../fleet');
// FUZZ_SEED / FUZZ_RUNS explore further locally; CI uses the fixed values.
const SEED = Number(process.env.FUZZ_SEED ?? 20240611);
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const stats = new Map<string, number>();

type Mutation =
  | { op: 'delete-key'; file: number; line: number }
  | { op: 'retype'; file: number; line: number; value: string }
  | { op: 'garbage'; file: number; at: number; bytes: Uint8Array }
  | { op: 'truncate'; file: number; at: number }
  | { op: 'duplicate-line'; file: number; line: number }
  | { op: 'indent'; file: number; line: number; indent: string }
  | { op: 'replace-value'; file: number; line: number; value: string }
  | { op: 'delete-file'; file: number }
  | { op: 'include-cycle'; a: number; b: number };

/** Files as latin1 strings: one char per byte, so garbage bytes survive line edits unchanged. */
type Files = Map<string, string>;

const KEY_LINE = /^(\s*(?:-\s+)?[^\s#:][^:#]*:)(?:\s|$)/;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete-key' as const), file: fc.nat(), line: fc.nat() }),
  fc.record({ op: fc.constant('retype' as const), file: fc.nat(), line: fc.nat(), value: fc.constantFrom('1.10', 'true', 'null', '~', '[]', '{}', '-1', '0x1F', '.inf', '"x"', '[1, [2]]', '{a: 1}', '2001-01-01') }),
  fc.record({ op: fc.constant('garbage' as const), file: fc.nat(), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ op: fc.constant('truncate' as const), file: fc.nat(), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate-line' as const), file: fc.nat(), line: fc.nat() }),
  fc.record({ op: fc.constant('indent' as const), file: fc.nat(), line: fc.nat(), indent: fc.constantFrom('', ' ', '   ', '\t', '  \t', '        ') }),
  fc.record({ op: fc.constant('replace-value' as const), file: fc.nat(), line: fc.nat(), value: fc.string({ maxLength: 24, unit: 'binary' }) }),
  fc.record({ op: fc.constant('delete-file' as const), file: fc.nat() }),
  fc.record({ op: fc.constant('include-cycle' as const), a: fc.nat(), b: fc.nat() }),
);

function pick<T>(items: readonly T[], n: number): T | undefined {
  return items.length ? items[n % items.length] : undefined;
}

function editLines(files: Files, fileIndex: number, edit: (lines: string[]) => void): void {
  const path = pick([...files.keys()], fileIndex);
  if (path === undefined) return;
  const lines = files.get(path)!.split('\n');
  edit(lines);
  files.set(path, lines.join('\n'));
}

/** Line indexes of `key: value` lines, or every line when there are none. */
function keyLines(lines: string[]): number[] {
  const keyed = lines.flatMap((l, i) => (KEY_LINE.test(l) ? [i] : []));
  return keyed.length ? keyed : lines.map((_, i) => i);
}

function apply(files: Files, m: Mutation): void {
  switch (m.op) {
    case 'delete-key':
      return editLines(files, m.file, (lines) => { lines.splice(pick(keyLines(lines), m.line)!, 1); });
    case 'retype':
    case 'replace-value': {
      const value = Buffer.from(m.value, 'utf8').toString('latin1');
      return editLines(files, m.file, (lines) => {
        const i = pick(keyLines(lines), m.line)!;
        const key = KEY_LINE.exec(lines[i]!)?.[1];
        lines[i] = key ? `${key} ${value}` : value;
      });
    }
    case 'garbage': {
      const path = pick([...files.keys()], m.file);
      if (path === undefined) return;
      const text = files.get(path)!;
      const at = m.at % (text.length + 1);
      files.set(path, text.slice(0, at) + Buffer.from(m.bytes).toString('latin1') + text.slice(at));
      return;
    }
    case 'truncate': {
      const path = pick([...files.keys()], m.file);
      if (path !== undefined) files.set(path, files.get(path)!.slice(0, m.at % (files.get(path)!.length + 1)));
      return;
    }
    case 'duplicate-line':
      return editLines(files, m.file, (lines) => { const i = m.line % lines.length; lines.splice(i, 0, lines[i]!); });
    case 'indent':
      return editLines(files, m.file, (lines) => { const i = m.line % lines.length; lines[i] = m.indent + lines[i]!.trimStart(); });
    case 'delete-file': {
      const path = pick([...files.keys()], m.file);
      if (path !== undefined) files.delete(path);
      return;
    }
    case 'include-cycle': {
      const baselines = [...files.keys()].filter((p) => p.startsWith('baselines/'));
      const a = pick(baselines, m.a);
      const b = pick(baselines, m.b);
      if (a === undefined || b === undefined) return;
      const nameOf = (p: string) => /^name: (\S+)/m.exec(files.get(p)!)?.[1] ?? p.slice('baselines/'.length, -'.yaml'.length);
      const include = (from: string, to: string) => {
        const lines = files.get(from)!.split('\n').filter((l) => !l.startsWith('includes:'));
        const kind = Math.max(0, lines.findIndex((l) => l.startsWith('kind:')));
        lines.splice(kind + 1, 0, `includes: [${nameOf(to)}]`);
        files.set(from, lines.join('\n'));
      };
      include(a, b);
      include(b, a);
      return;
    }
  }
}

async function readTree(dir: string): Promise<Files> {
  const out: Files = new Map();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const abs = join(e.parentPath, e.name);
    out.set(relative(dir, abs).split('\\').join('/'), (await readFile(abs)).toString('latin1'));
  }
  return out;
}

async function writeTree(dir: string, files: Files): Promise<void> {
  for (const [path, text] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), Buffer.from(text, 'latin1'));
  }
}

/** Runs load + validate; a thrown GitfleetError is an accepted outcome, anything else fails the property. */
async function validateDir(dir: string): Promise<{ result?: ValidationResult; ms: number }> {
  const start = performance.now();
  try {
    const result = await validateFleet(await loadFleet(dirSource(dir)));
    return { result, ms: performance.now() - start };
  } catch (err) {
    if (err instanceof GitfleetError) return { ms: performance.now() - start };
    throw err;
  }
}

describe('validate never crashes on a damaged fleet', () => {
  let original: Files;
  let tmp: string;
  beforeAll(async () => {
    original = await readTree(EXAMPLE_FLEET);
    tmp = await mkdtemp(join(tmpdir(), 'gitfleet-fuzz-'));
  });
  afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

  it('the undamaged example fleet is valid (and warms the schema compiler)', async () => {
    const dir = join(tmp, 'original');
    await writeTree(dir, original);
    const { result } = await validateDir(dir);
    expect(result?.diagnostics).toEqual([]);
  });

  it(`${RUNS} random mutations: a result, well-formed diagnostics, under a second each`, async () => {
    // One working copy; each run rewrites only the files its mutations touched, then restores them.
    const dir = join(tmp, 'work');
    await writeTree(dir, original);
    let invalid = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const files: Files = new Map(original);
        for (const m of mutations) apply(files, m);
        const touched = [...new Set([...original.keys(), ...files.keys()])].filter((p) => files.get(p) !== original.get(p));
        for (const p of touched) {
          if (files.has(p)) await writeFile(join(dir, p), Buffer.from(files.get(p)!, 'latin1'));
          else await rm(join(dir, p));
        }
        try {
          const { result, ms } = await validateDir(dir);
          expect(ms, `validation took ${ms.toFixed(0)} ms`).toBeLessThan(1000);
          if (!result) return;
          expect(result.ok).toBe(result.diagnostics.length === 0);
          if (!result.ok) invalid++;
          if (process.env.FUZZ_STATS) for (const d of result.diagnostics) stats.set(d.code, (stats.get(d.code) ?? 0) + 1);
          for (const d of result.diagnostics) {
            const where = JSON.stringify(d);
            expect(d.file, where).toMatch(/\S/);
            expect(d.code, where).toMatch(/^[a-z]+(\.[a-z0-9-]+)+$/);
            expect(d.message.trim(), where).not.toBe('');
            expect(d.hint?.trim() ?? '', where).not.toBe('');
            expect(Number.isInteger(d.line) && d.line >= 1, where).toBe(true);
            expect(Number.isInteger(d.column) && d.column >= 1, where).toBe(true);
            const text = files.get(d.file);
            // a position inside a file that exists must be inside its text
            if (text !== undefined) expect(d.line, where).toBeLessThanOrEqual(text.split('\n').length);
          }
        } finally {
          for (const p of touched) await writeFile(join(dir, p), Buffer.from(original.get(p)!, 'latin1'));
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    if (process.env.FUZZ_STATS) console.log(Object.fromEntries([...stats].sort((a, b) => b[1] - a[1])), { invalid });
    // the mutations must really damage the fleet most of the time, or the property proves little
    expect(invalid).toBeGreaterThan(RUNS / 2);
  });
});
