import { createRequire } from 'node:module';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

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

let validators: Map<Kind, ValidateFunction> | undefined;

/** The compiled validator of a kind (ajv, strict, all errors), compiled once per process. */
export function validatorFor(kind: Kind): ValidateFunction {
  validators ??= compileAll();
  return validators.get(kind)!;
}

function compileAll(): Map<Kind, ValidateFunction> {
  // verbose: errors carry `parentSchema`, whose descriptions become the hints of schema diagnostics.
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, verbose: true });
  // ajv-formats is CommonJS; its default export arrives nested depending on the loader.
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => void;
  addFormats(ajv);
  ajv.addSchema(rawSchema('common'));
  const out = new Map<Kind, ValidateFunction>();
  for (const [kind, { schema }] of Object.entries(KINDS) as [Kind, { schema: string }][]) {
    out.set(kind, ajv.compile(rawSchema(schema)));
  }
  return out;
}

export type SchemaError = ErrorObject;
