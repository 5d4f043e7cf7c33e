import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
// @ts-expect-error: a plain JS build script without types
import { generate, OUT } from '../../scripts/gen-types.js';

describe('src/fleet/model.generated.ts', () => {
  it('is what scripts/gen-types.js makes from schemas/ (run `npm run gen:types` when this fails)', async () => {
    expect(readFileSync(OUT, 'utf8')).toBe(await generate());
  });
});
