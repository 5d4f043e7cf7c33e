#!/usr/bin/env node
// Extracts from GitHub's official OpenAPI description only the operations gitfleet's github provider calls,
// into test/fixtures/github/openapi-subset.json, which test/helpers/fake-github.ts validates every request and
// response against. The full description (@octokit/openapi, ~385 MB installed) is not a dependency on purpose.
//
// Regenerate (when gitfleet calls a new endpoint, or to follow GitHub's API):
//   tmp=$(mktemp -d) && (cd "$tmp" && npm pack @octokit/openapi && tar xzf octokit-openapi-*.tgz)
//   node scripts/extract-github-openapi.js "$tmp/package/generated/api.github.com.json"
// or: (cd "$tmp" && npm install --no-save @octokit/openapi) and pass
//   "$tmp/node_modules/@octokit/openapi/generated/api.github.com.json".
// An optional second argument overrides the output path. Then review the diff like code.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const DEFAULT_OUT = join(root, 'test/fixtures/github/openapi-subset.json');

/** Every REST operation gitfleet calls: `METHOD path` as GitHub's description spells it. */
export const OPERATIONS = [
  'GET /repos/{owner}/{repo}/pulls',
  'POST /repos/{owner}/{repo}/pulls',
  'GET /repos/{owner}/{repo}/pulls/{pull_number}',
  'PATCH /repos/{owner}/{repo}/pulls/{pull_number}',
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/merge',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
  'POST /repos/{owner}/{repo}/statuses/{sha}',
  'POST /app/installations/{installation_id}/access_tokens',
];

/** Error bodies the fake may send on any operation (rate limits, outages), whether or not it declares them. */
const ALWAYS_SCHEMAS = ['basic-error', 'validation-error'];

// Documentation-only keywords: dropped to keep the fixture small; validation does not read them.
const DROP = new Set(['description', 'example', 'examples', 'externalDocs', 'summary', 'x-github', 'x-octokit', 'tags']);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [src, out = DEFAULT_OUT] = process.argv.slice(2);
  if (!src) {
    console.error('usage: node scripts/extract-github-openapi.js PATH/TO/api.github.com.json [OUT]');
    process.exit(2);
  }
  const full = JSON.parse(await readFile(src, 'utf8'));
  const subset = extract(full);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(subset, null, 1)}\n`);
  const kb = Math.round(Buffer.byteLength(JSON.stringify(subset, null, 1)) / 1024);
  console.log(`wrote ${out}: ${Object.keys(subset.operations).length} operations, ${Object.keys(subset.components.schemas).length} schemas, ${kb} KB (from ${full.info.title} ${full.info.version})`);
}

/** The subset: operations with parameters and responses inlined; schemas kept as $refs to copied components. */
export function extract(full) {
  const schemas = {};
  const operations = {};
  const needed = [...ALWAYS_SCHEMAS];
  for (const key of OPERATIONS) {
    const [method, path] = key.split(' ');
    const op = full.paths?.[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`${key} is not in this description`);
    const params = [...(full.paths[path].parameters ?? []), ...(op.parameters ?? [])].map((p) => resolve(full, p));
    const responses = {};
    for (const [code, r0] of Object.entries(op.responses ?? {})) {
      const r = resolve(full, r0);
      const content = r.content?.['application/json'];
      responses[code] = content?.schema ? { schema: strip(content.schema) } : { schema: null };
    }
    const body = resolve(full, op.requestBody ?? null);
    operations[key] = {
      operationId: op.operationId,
      parameters: params.map((p) => ({ name: p.name, in: p.in, required: p.required === true, schema: strip(p.schema ?? {}) })),
      requestBody: body ? { required: body.required === true, schema: strip(body.content?.['application/json']?.schema ?? {}) } : null,
      responses,
    };
    collectRefs(operations[key], needed);
  }
  // Copy referenced schemas transitively.
  while (needed.length > 0) {
    const name = needed.pop();
    if (schemas[name]) continue;
    const s = full.components?.schemas?.[name];
    if (!s) throw new Error(`schema ${name} is referenced but missing`);
    schemas[name] = strip(s);
    collectRefs(schemas[name], needed);
  }
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
  return {
    source: { package: '@octokit/openapi', file: 'generated/api.github.com.json', openapi: full.openapi, title: full.info.title, version: full.info.version },
    operations,
    components: { schemas: sorted },
  };
}

function resolve(full, node) {
  let n = node;
  for (let i = 0; n && typeof n === 'object' && typeof n.$ref === 'string' && i < 10; i++) {
    const parts = n.$ref.replace(/^#\//, '').split('/');
    n = parts.reduce((acc, p) => acc?.[p], full);
    if (n === undefined) throw new Error(`unresolved ${node.$ref}`);
  }
  return n;
}

// Deep copy without documentation keywords (but keep properties that happen to be named like one).
function strip(node, inProperties = false) {
  if (Array.isArray(node)) return node.map((n) => strip(n));
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (!inProperties && DROP.has(k)) continue;
    out[k] = strip(v, k === 'properties' && !inProperties);
  }
  return out;
}

function collectRefs(node, into) {
  if (Array.isArray(node)) return node.forEach((n) => collectRefs(n, into));
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') {
      const m = /^#\/components\/schemas\/(.+)$/.exec(v);
      if (!m) throw new Error(`unsupported $ref ${v}`);
      into.push(m[1]);
    } else collectRefs(v, into);
  }
}
