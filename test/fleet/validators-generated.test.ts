import { describe, expect, it } from 'vitest';
import { SCHEMA_DIGEST } from '../../src/fleet/validators.generated.js';
import { compileValidators, schemaDigest, validatorFor, KINDS, type Kind } from '../../src/fleet/schemas.js';

describe('src/fleet/validators.generated.ts', () => {
  it('matches schemas/ (run `npm run build && node scripts/gen-validators.js && npm run build` when this fails)', () => {
    expect(SCHEMA_DIGEST).toBe(schemaDigest());
  });

  const compiled = compileValidators();
  it.each([
    ['Host', { apiVersion: 'gitfleet/v1', kind: 'Host', name: 'h1', os: 'linux', arch: 'x64' }],
    ['Host', { apiVersion: 'gitfleet/v1', kind: 'Host', name: 'H 1', os: 'beos', arch: 'x64', bogus: 1, labels: { a: 3 } }],
    ['Fleet', { apiVersion: 'gitfleet/v1', kind: 'Fleet', name: 'f', staleAfter: 'soon', sandboxRoots: { linux: ['relative'] } }],
    ['Baseline', { apiVersion: 'gitfleet/v1', kind: 'Baseline', name: 'b', target: 'nowhere', packages: { pip: { numpy: 3 } }, sources: { pip: { indexUrl: 'not a url' } } }],
    ['SandboxTemplate', { apiVersion: 'gitfleet/v1', kind: 'SandboxTemplate', name: 't', type: { linux: 'jail' } }],
    ['Policy', { apiVersion: 'gitfleet/v1', kind: 'Policy', name: 'p', drift: 'sometimes', healthChecks: [{ name: 'x', timeout: 5 }] }],
    ['Secrets', { apiVersion: 'gitfleet/v1', kind: 'Secrets', name: 's', values: [] }],
  ] as [Kind, unknown][])('%s: the precompiled validator gives what ajv compiles now (%#)', (kind, doc) => {
    expect(Object.keys(KINDS)).toContain(kind);
    const pre = validatorFor(kind);
    const now = compiled.get(kind)!;
    expect(pre).not.toBe(now);
    expect(pre(doc)).toBe(now(doc));
    expect(pre.errors ?? null).toEqual(now.errors ?? null);
  });
});
