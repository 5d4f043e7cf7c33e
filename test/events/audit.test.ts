import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, GENESIS, canonicalJson, verifyAudit, type AuditEntry } from '../../src/events/audit.js';

let dir: string;
let pristine: string; // 100 good entries, written once and copied per case
let n = 0;
const fresh = () => join(dir, `log-${++n}.jsonl`);

// An independent canonical form for the test: sort keys with a JSON.stringify replacer.
function sortedJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : val);
}
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const rehash = (e: AuditEntry): AuditEntry => ({ ...e, hash: sha(sortedJson({ seq: e.seq, time: e.time, type: e.type, data: e.data, prev: e.prev })) });

async function lines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').slice(0, -1);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitfleet-audit-'));
  pristine = join(dir, 'pristine.jsonl');
  let t = Date.parse('2025-06-01T00:00:00Z');
  const log = await AuditLog.open(pristine, { now: () => new Date((t += 1000)) });
  for (let i = 0; i < 100; i++) await log.append(i % 2 ? 'apply.action' : 'plan.decided', { i, host: 'web-1', nested: { z: 1, a: [i, 'x'] } });
  await log.close();
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('AuditLog', () => {
  it('writes 100 chained entries that verify', async () => {
    const ls = await lines(pristine);
    expect(ls).toHaveLength(100);
    const entries = ls.map((l) => JSON.parse(l) as AuditEntry);
    entries.forEach((e, k) => {
      expect(Object.keys(e)).toEqual(['seq', 'time', 'type', 'data', 'prev', 'hash']);
      expect(e.seq).toBe(k + 1);
      expect(e.prev).toBe(k === 0 ? '0'.repeat(64) : entries[k - 1]!.hash);
      expect(e.hash).toBe(rehash(e).hash);
      expect(e.data).toEqual({ i: k, host: 'web-1', nested: { z: 1, a: [k, 'x'] } });
    });
    expect(await verifyAudit(pristine)).toEqual({ ok: true, entries: 100, head: entries[99]!.hash });
  });

  it('reopening continues the chain', async () => {
    const path = fresh();
    const a = await AuditLog.open(path);
    await a.append('one', {});
    await a.append('two', { x: 1 });
    const head = a.head;
    await a.close();
    const b = await AuditLog.open(path);
    expect(b.head).toEqual(head);
    const third = await b.append('three', {});
    await b.close();
    expect(third).toMatchObject({ seq: 3, prev: head.hash });
    expect(await verifyAudit(path)).toEqual({ ok: true, entries: 3, head: third.hash });
  });

  it('reopening finds the last line of a log larger than one read chunk', async () => {
    const path = fresh();
    const a = await AuditLog.open(path);
    for (let i = 0; i < 3; i++) await a.append('big', { blob: 'x'.repeat(100_000) });
    const head = a.head;
    await a.close();
    const b = await AuditLog.open(path);
    expect(b.head).toEqual(head);
    await b.close();
  });

  it('serializes concurrent appends in call order', async () => {
    const path = fresh();
    const log = await AuditLog.open(path);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append('c', { i })));
    await log.close();
    expect(results.map((e) => [e.seq, e.data.i])).toEqual(Array.from({ length: 50 }, (_, i) => [i + 1, i]));
    expect(await verifyAudit(path)).toMatchObject({ ok: true, entries: 50 });
  });

  it('hashes what a reader parses back (undefined dropped, dates as strings)', async () => {
    const path = fresh();
    const log = await AuditLog.open(path);
    const e = await log.append('x', { gone: undefined, when: new Date('2025-01-01T00:00:00Z'), list: [undefined] });
    await log.close();
    expect(e.data).toEqual({ when: '2025-01-01T00:00:00.000Z', list: [null] });
    expect(await verifyAudit(path)).toMatchObject({ ok: true, entries: 1 });
  });

  it('allows one writer per file in the process', async () => {
    const path = fresh();
    const a = await AuditLog.open(path);
    await expect(AuditLog.open(path)).rejects.toMatchObject({ code: 'E_LOCKED' });
    await a.close();
    await (await AuditLog.open(path)).close();
  });

  it('refuses to chain onto a damaged last line', async () => {
    const path = fresh();
    await copyFile(pristine, path);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.slice(0, -20));
    await expect(AuditLog.open(path)).rejects.toMatchObject({ code: 'E_PARSE', message: expect.stringContaining('truncated') });
    await writeFile(path, text.replace(/"i":99/, '"i":98'));
    await expect(AuditLog.open(path)).rejects.toMatchObject({ code: 'E_PARSE', message: expect.stringContaining('hash does not match') });
  });

  it('with repairTornTail, cuts a torn last line (a crash mid-append), records the repair, and the chain verifies', async () => {
    const path = fresh();
    await copyFile(pristine, path);
    const text = await readFile(path, 'utf8');
    const torn = text.slice(text.lastIndexOf('\n', text.length - 2) + 1, -20);
    await writeFile(path, text.slice(0, -20));
    const log = await AuditLog.open(path, { repairTornTail: true });
    expect(log.head.seq).toBe(100);
    await log.append('after.repair', { ok: true });
    await log.close();
    const all = await lines(path);
    expect(all).toHaveLength(101);
    const repaired = JSON.parse(all[99]!) as AuditEntry;
    expect(repaired).toMatchObject({ seq: 100, type: 'audit.repaired', data: { discardedBytes: Buffer.byteLength(torn), discardedSha256: sha(torn) } });
    expect(await verifyAudit(path)).toMatchObject({ ok: true });
    // A complete line whose hash is wrong is tampering: never repaired.
    await writeFile(path, text.replace(/"i":99/, '"i":98'));
    await expect(AuditLog.open(path, { repairTornTail: true })).rejects.toMatchObject({ code: 'E_PARSE', message: expect.stringContaining('hash does not match') });
  });

  it('an empty or missing log', async () => {
    const path = fresh();
    await writeFile(path, '');
    expect(await verifyAudit(path)).toEqual({ ok: true, entries: 0, head: GENESIS });
    await expect(verifyAudit(join(dir, 'nope.jsonl'))).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});

type Edit = (ls: string[]) => string[] | string;
const edit = (k: number, f: (e: AuditEntry) => AuditEntry): Edit => (ls) => ls.map((l, i) => (i === k - 1 ? JSON.stringify(f(JSON.parse(l) as AuditEntry)) : l));
const swap = (a: number, b: number): Edit => (ls) => { const c = [...ls]; [c[a - 1], c[b - 1]] = [c[b - 1]!, c[a - 1]!]; return c; };
const without = (from: number, count = 1): Edit => (ls) => ls.filter((_, i) => i < from - 1 || i >= from - 1 + count);

describe('verifyAudit finds tampering', () => {
  const cases: Array<[string, number, string, Edit]> = [
    ['data of line 37 edited', 37, 'edited', edit(37, (e) => ({ ...e, data: { ...e.data, i: 1000 } }))],
    ['type of line 1 edited', 1, 'edited', edit(1, (e) => ({ ...e, type: 'nothing.happened' }))],
    ['line 37 edited and rehashed', 37, 'edited', edit(37, (e) => rehash({ ...e, data: { ...e.data, i: 1000 } }))],
    ['last line edited, not rehashed', 100, 'edited', edit(100, (e) => ({ ...e, time: '2030-01-01T00:00:00.000Z' }))],
    ['first line prev rewritten and rehashed', 1, 'edited', edit(1, (e) => rehash({ ...e, prev: 'a'.repeat(64) }))],
    ['a field added to line 8', 8, 'edited', edit(8, (e) => ({ ...e, note: 'hi' } as AuditEntry))],
    ['seq of line 60 rewritten and rehashed', 60, 'edited', edit(60, (e) => rehash({ ...e, seq: 61 }))],
    ['line 50 deleted', 50, 'removed', without(50)],
    ['lines 50-52 deleted', 50, 'removed', without(50, 3)],
    ['line 1 deleted', 1, 'removed', without(1)],
    ['lines 20 and 21 swapped', 20, 'reordered', swap(20, 21)],
    ['lines 10 and 60 swapped', 10, 'reordered', swap(10, 60)],
    ['lines 99 and 100 swapped', 99, 'reordered', swap(99, 100)],
    ['line 30 duplicated', 31, 'reordered', (ls) => [...ls.slice(0, 30), ls[29]!, ...ls.slice(30)]],
    ['JSON of line 42 corrupted', 42, 'malformed', (ls) => ls.map((l, i) => (i === 41 ? l.replace('{', '[') : l))],
    ['a field of line 42 of the wrong type', 42, 'malformed', edit(42, (e) => ({ ...e, seq: '42' } as unknown as AuditEntry))],
    ['an empty line inserted at 5', 5, 'malformed', (ls) => [...ls.slice(0, 4), '', ...ls.slice(4)]],
    ['last line cut in the middle', 100, 'truncated', (ls) => `${ls.join('\n')}`.slice(0, -30)],
    ['only the final newline cut', 100, 'truncated', (ls) => ls.join('\n')],
  ];

  it.each(cases)('%s → line %i %s', async (_name, line, problem, change) => {
    const path = fresh();
    const out = change(await lines(pristine));
    await writeFile(path, typeof out === 'string' ? out : `${out.join('\n')}\n`);
    const result = await verifyAudit(path);
    expect(result).toMatchObject({ ok: false, line, problem });
    if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
  });
});

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: { d: [3, { y: 1, x: 2 }], c: 'é' } }, '{"a":{"c":"é","d":[3,{"x":2,"y":1}]},"b":1}'],
    [{ a: undefined, b: null }, '{"b":null}'],
    [[1, 'two', true, null], '[1,"two",true,null]'],
    ['x"y', '"x\\"y"'],
    [{ Z: 1, a: 2, _: 3 }, '{"Z":1,"_":3,"a":2}'],
  ])('%j', (v, text) => {
    expect(canonicalJson(v)).toBe(text);
    expect(canonicalJson(v)).toBe(sortedJson(v));
  });
});

describe('verifyAudit on random single changes', () => {
  it('names the changed line for any deletion, swap or edit', async () => {
    const fc = await import('fast-check');
    const base = await lines(pristine);
    const check = async (change: Edit, line: number, problem: string) => {
      const path = fresh();
      await writeFile(path, `${(change(base) as string[]).join('\n')}\n`);
      expect(await verifyAudit(path)).toMatchObject({ ok: false, line, problem });
    };
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 99 }), (k) => check(without(k), k, 'removed')), { numRuns: 25 });
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 99 }), (a, d) => {
      const b = Math.min(100, a + d);
      return b === a ? Promise.resolve() : check(swap(a, b), a, 'reordered');
    }), { numRuns: 25 });
    // A rehashed edit shows through the next line's link, so the last line is left out of that half.
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 100 }), fc.boolean(), (k, again) => {
      const rehashed = again && k < 100;
      return check(edit(k, (e) => (rehashed ? rehash : (x: AuditEntry) => x)({ ...e, data: { tampered: true } })), k, 'edited');
    }), { numRuns: 40 });
  });
});
