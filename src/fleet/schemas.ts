import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import * as precompiled from './validators.generated.js';

/** Every document kind, and the folder its files live in. */
export const KINDS = {
  Fleet: { schema: 'fleet', folder: '' },
  Host: { schema: 'host', folder: 'hosts' },
  Baseline: { schema: 'baseline', folder: 'baselines' },
  SandboxTemplate: { schema: 'sandbox-template', folder: 'sandboxes' },
  Policy: { schema: 'policy', folder: 'policies' },
  Secrets: { schema: 'secrets', folder: 'secrets' },
} as const;

export type Kind = keyof typeof KINDS;

/** The API version every document carries. */
export const API_VERSION = 'gitfleet/v1';

const require = createRequire(import.meta.url);
// src/fleet and dist/fleet are both two levels below the package root, where schemas/ lives.
const SCHEMA_DIR = '../../schemas/';

/** The raw JSON schema of a kind, or of the common definitions. */
export function rawSchema(name: string): Record<string, unknown> {
  return require(`${SCHEMA_DIR}${name}.schema.json`) as Record<string, unknown>;
}

/** The ajv options every validator is compiled with (strict, all errors). */
export const AJV_OPTIONS = { strict: true, allErrors: true, allowUnionTypes: true, verbose: true } as const;

/** A digest of the schemas and the ajv options: tells whether validators.generated.ts is current. */
export function schemaDigest(): string {
  const h = createHash('sha256').update(JSON.stringify(AJV_OPTIONS));
  for (const name of ['common', ...Object.values(KINDS).map((k) => k.schema)]) h.update(`\0${name}\0${JSON.stringify(rawSchema(name))}`);
  return h.digest('hex');
}

let validators: Map<Kind, ValidateFunction> | undefined;

/** The compiled validator of a kind (ajv, strict, all errors), made once per process. */
export function validatorFor(kind: Kind): ValidateFunction {
  validators ??= precompiledValidators() ?? compileValidators();
  return validators.get(kind)!;
}

/**
 * The validators ajv generated ahead of time (scripts/gen-validators.js), when they match the schemas on disk:
 * compiling the six schemas costs ~200 ms at every process start, longer than a whole no-op apply.
 */
function precompiledValidators(): Map<Kind, ValidateFunction> | undefined {
  if (precompiled.SCHEMA_DIGEST !== schemaDigest()) return undefined;
  const byKind = precompiled as unknown as Record<Kind, ValidateFunction>;
  return new Map((Object.keys(KINDS) as Kind[]).map((k) => [k, byKind[k]]));
}

/** Compiles every kind's validator with ajv now (the fallback when the precompiled ones are stale). */
export function compileValidators(): Map<Kind, ValidateFunction> {
  const ajv = schemaAjv();
  const out = new Map<Kind, ValidateFunction>();
  for (const [kind, { schema }] of Object.entries(KINDS) as [Kind, { schema: string }][]) {
    out.set(kind, ajv.compile(rawSchema(schema)));
  }
  return out;
}

/** An ajv instance with gitfleet's options, the formats and the common definitions; `extra` adds options (standalone `code`). */
export function schemaAjv(extra: Record<string, unknown> = {}): Ajv2020 {
  // Loaded only here: ajv takes ~80 ms to load and set up, which the precompiled validators avoid.
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const addFormatsModule = require('ajv-formats') as unknown;
  // verbose: errors carry `parentSchema`, whose descriptions become the hints of schema diagnostics.
  const ajv = new Ajv({ ...AJV_OPTIONS, ...extra });
  // ajv-formats is CommonJS; its default export arrives nested depending on the loader.
  const addFormats = ((addFormatsModule as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => void;
  addFormats(ajv);
  ajv.addSchema(rawSchema('common'));
  return ajv;
}

export type SchemaError = ErrorObject;
