import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validatorFor, KINDS, type Kind } from '../../src/fleet/schemas.js';

const dir = join(import.meta.dirname, '../../schemas');
const files = readdirSync(dir).filter((f) => f.endsWith('.schema.json'));

/** Every property (and every $defs entry) must say what it is: the schemas are the reference docs. */
function undocumented(node: unknown, path: string, defs: Record<string, unknown>, out: string[]): void {
  if (!node || typeof node !== 'object') return;
  const n = node as Record<string, unknown>;
  for (const [k, v] of Object.entries((n.properties ?? {}) as Record<string, Record<string, unknown>>)) {
    const refTarget = typeof v.$ref === 'string' ? resolveRef(v.$ref, defs) : undefined;
    if (!v.description && !refTarget?.description) out.push(`${path}.properties.${k}`);
    undocumented(v, `${path}.${k}`, defs, out);
  }
  for (const [k, v] of Object.entries((n.$defs ?? {}) as Record<string, Record<string, unknown>>)) {
    if (!v.description) out.push(`${path}.$defs.${k}`);
    undocumented(v, `${path}.$defs.${k}`, defs, out);
  }
  for (const key of ['items', 'additionalProperties']) if (n[key] && typeof n[key] === 'object') undocumented(n[key], `${path}.${key}`, defs, out);
  for (const v of Object.values((n.patternProperties ?? {}) as object)) undocumented(v, `${path}.patternProperties`, defs, out);
}

function resolveRef(ref: string, defs: Record<string, unknown>): Record<string, unknown> | undefined {
  const name = ref.split('/').pop()!;
  return defs[name] as Record<string, unknown> | undefined;
}

describe('schemas', () => {
  const common = JSON.parse(readFileSync(join(dir, 'common.schema.json'), 'utf8'));
  it.each(files)('%s documents every property', (f) => {
    const schema = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const out: string[] = [];
    undocumented(schema, f, { ...common.$defs, ...(schema.$defs ?? {}) }, out);
    expect(out).toEqual([]);
  });

  it.each(files)('%s is draft 2020-12 with an $id', (f) => {
    const schema = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toMatch(/^https:\/\/gitfleet\.dev\/schemas\/v1\//);
  });

  it('compiles every kind in strict mode', () => {
    for (const k of Object.keys(KINDS) as Kind[]) expect(typeof validatorFor(k)).toBe('function');
  });

  it.each([
    ['PackageName', 'requests', true], ['PackageName', '@scope/pkg', true], ['PackageName', '-rf', false],
    ['PackageName', 'a;rm', false], ['PackageName', 'a b', false], ['PackageName', '$(x)', false],
    ['VersionSpec', '1:2.0~rc1-3', true], ['VersionSpec', '1.0 ', false], ['VersionSpec', '-1', false], ['VersionSpec', '1.0|x', false],
    ['Path', '/opt/gitfleet/{name}', true], ['Path', 'C:\\gitfleet\\{name}', true], ['Path', '-x', false], ['Path', '/a;b', false], ['Path', '/a$(b)', false],
    ['RepoPath', 'requirements/ml.txt', true], ['RepoPath', '../x.txt', false], ['RepoPath', '/etc/passwd', false], ['RepoPath', 'a/../../b', false],
  ])('common %s %j valid=%s', (def, value, ok) => {
    const re = new RegExp(common.$defs[def].pattern, 'u');
    expect(re.test(value)).toBe(ok);
  });
});
