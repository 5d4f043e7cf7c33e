#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.js module (after the build) and prints one table.
// A module exports `async function bench(ctx)` returning rows:
//   { area, case, value, unit, peer?, peerValue?, ratio?, target?, ok? }
// ctx = { projectDir, tmpDir, only } ; tmpDir is a fresh folder removed afterwards.
import { readdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const projectDir = dirname(benchDir);
const only = process.argv.slice(2);

const files = (await readdir(benchDir)).filter((f) => f.endsWith('.bench.js')).sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
const rows = [];
let failed = false;
for (const f of files) {
  const tmpDir = await mkdtemp(join(tmpdir(), 'gitfleet-bench-'));
  try {
    const mod = await import(join(benchDir, f));
    process.stderr.write(`bench: ${f}\n`);
    rows.push(...(await mod.bench({ projectDir, tmpDir, log: (m) => process.stderr.write(`  ${m}\n`) })));
  } catch (err) {
    failed = true;
    rows.push({ area: f, case: 'ERROR', value: NaN, unit: '', target: String(err?.message ?? err).slice(0, 80), ok: false });
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}
printTable(rows);
if (failed) process.exitCode = 1;

function fmt(v) {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isNaN(v) ? 'n/a' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return String(v);
}

function printTable(rows) {
  const cols = ['area', 'case', 'value', 'unit', 'peer', 'peerValue', 'ratio', 'target', 'ok'];
  const head = ['area', 'case', 'value', 'unit', 'peer', 'peer value', 'ratio', 'target', 'ok'];
  const cells = rows.map((r) => cols.map((c) => (c === 'ok' ? (r.ok === undefined ? '' : r.ok ? 'yes' : 'NO') : fmt(r[c]))));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (row) => '| ' + row.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  console.log(line(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const row of cells) console.log(line(row));
}
