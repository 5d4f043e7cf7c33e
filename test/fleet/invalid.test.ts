import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFleet } from '../../src/fleet/load.js';
import { dirSource } from '../../src/fleet/source.js';
import { validateFleet } from '../../src/fleet/validate.js';
import type { Diagnostic } from '../../src/util/errors.js';
import { buildCase, expectedOf, listCases, type ExpectedDiagnostic } from '../fixtures/invalid/_build.js';

const EXAMPLE_FLEET = join(import.meta.dirname, '../../fleet');
const BASE_FLEET = join(import.meta.dirname, '../fixtures/invalid/_base');
const cases = await listCases();

let tmp: string;
beforeAll(async () => { tmp = await mkdtemp(join(tmpdir(), 'gitfleet-invalid-')); });
afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

async function validateDir(dir: string) {
  return validateFleet(await loadFleet(dirSource(dir)));
}

/** Every diagnostic says where (1-based), what is wrong and what would be right. */
function expectWellFormed(d: Diagnostic): void {
  expect(d.code).toMatch(/^[a-z]+(\.[a-z0-9-]+)+$/);
  expect(d.file.length).toBeGreaterThan(0);
  expect(Number.isInteger(d.line) && d.line >= 1, `line of ${JSON.stringify(d)}`).toBe(true);
  expect(Number.isInteger(d.column) && d.column >= 1, `column of ${JSON.stringify(d)}`).toBe(true);
  expect(d.message.trim(), `message of ${d.code}`).not.toBe('');
  expect(d.hint?.trim() ?? '', `hint of ${d.code} at ${d.file}:${d.line}:${d.column}`).not.toBe('');
  expect(d.hint).not.toContain('undefined');
}

describe('gitfleet validate: bad input', () => {
  it('has at least 35 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(35);
  });

  it('the shared base of the cases is itself valid', async () => {
    const r = await validateDir(BASE_FLEET);
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('the example fleet is valid with zero diagnostics', async () => {
    const r = await validateDir(EXAMPLE_FLEET);
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.model.hosts.size).toBeGreaterThan(0);
  });

  it.each(cases)('%s', async (name) => {
    const expected = await expectedOf(name);
    expect(expected.length, 'a case expects at least one diagnostic').toBeGreaterThan(0);
    const dir = await buildCase(name, await mkdtemp(join(tmp, `${name}-`)));
    const r = await validateDir(dir);
    expect(r.ok).toBe(false);
    const got = r.diagnostics.map((d) => ({ code: d.code, file: d.file, line: d.line, column: d.column }));
    const want = expected.map(({ code, file, line, column }: ExpectedDiagnostic) => ({ code, file, line, column }));
    expect(got, r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}: ${d.message}`).join('\n')).toEqual(want);
    r.diagnostics.forEach((d, i) => {
      expectWellFormed(d);
      const e = expected[i]!;
      if (e.messageIncludes) expect(d.message).toContain(e.messageIncludes);
      if (e.hintIncludes) expect(d.hint).toContain(e.hintIncludes);
      if (e.messageExcludes) expect(`${d.message}\n${d.hint ?? ''}`).not.toContain(e.messageExcludes);
    });
  });
});
