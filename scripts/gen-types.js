#!/usr/bin/env node
// Generates src/fleet/model.generated.ts from schemas/*.schema.json, so the TypeScript model cannot drift
// from the schemas. `--check` exits 1 when the committed file differs (test/fleet/model.test.ts does the same).
import { readFile, writeFile, readdir } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
export const OUT = join(root, 'src/fleet/model.generated.ts');

/** Folds every schema into one with all definitions under $defs, refs made local. */
export async function combinedSchema() {
  const dir = join(root, 'schemas');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.schema.json')).sort();
  const defs = {};
  const kinds = [];
  for (const f of files) {
    const schema = JSON.parse(await readFile(join(dir, f), 'utf8'));
    const local = localize(schema);
    for (const [k, v] of Object.entries(local.$defs ?? {})) {
      if (defs[k]) throw new Error(`definition ${k} appears in two schemas`);
      defs[k] = v;
    }
    delete local.$defs;
    delete local.$id;
    delete local.$schema;
    if (local.title && local.type === 'object') {
      defs[local.title] = local;
      kinds.push(local.title);
    }
  }
  return { title: 'FleetDocument', anyOf: kinds.map((k) => ({ $ref: `#/$defs/${k}` })), $defs: defs };
}

function localize(node) {
  if (Array.isArray(node)) return node.map(localize);
  if (node && typeof node === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = k === '$ref' && typeof v === 'string' ? v.replace(/^[a-z-]+\.schema\.json#/, '#') : localize(v);
    }
    return out;
  }
  return node;
}

/** The generated TypeScript source. */
export async function generate() {
  const ts = await compile(await combinedSchema(), 'FleetDocument', {
    bannerComment: '/* Generated from schemas/*.schema.json by scripts/gen-types.js. Do not edit: run `npm run gen:types`. */',
    additionalProperties: false,
    unreachableDefinitions: true,
    style: { singleQuote: true },
  });
  return ts;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ts = await generate();
  if (process.argv.includes('--check')) {
    const current = await readFile(OUT, 'utf8').catch(() => '');
    if (current !== ts) {
      console.error(`${OUT} is out of date with schemas/: run npm run gen:types`);
      process.exit(1);
    }
  } else {
    await writeFile(OUT, ts);
    console.log(`wrote ${OUT}`);
  }
}
