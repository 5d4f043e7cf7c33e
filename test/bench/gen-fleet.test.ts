import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFleet } from '../../src/fleet/load.js';
import { dirSource } from '../../src/fleet/source.js';
import { validateFleet } from '../../src/fleet/validate.js';

// The benchmark's fleet generator (fleet.yaml names policy-00, so one policy at least): it once
// looped forever when a host fitted fewer baselines than it wanted.
describe('bench/gen-fleet', () => {
  const dirs: string[] = [];
  afterEach(async () => { await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))); });

  it.each([
    { baselines: 1, templates: 0, policies: 1 },
    { baselines: 2, templates: 1, policies: 1 },
    { baselines: 5, templates: 2, policies: 2 },
    { baselines: 12, templates: 4, policies: 3 },
  ])('makes a valid fleet from few parts: %o', async (sizes) => {
    // @ts-expect-error: a plain JS module of the benchmarks
    const { generateFleet } = await import('../../bench/gen-fleet.js');
    const dir = await mkdtemp(join(tmpdir(), 'gitfleet-genfleet-'));
    dirs.push(dir);
    await generateFleet(dir, { hosts: 24, ...sizes });
    expect(await readdir(join(dir, 'hosts'))).toHaveLength(24);
    const v = await validateFleet(await loadFleet(dirSource(dir)));
    expect(v.diagnostics).toEqual([]);
  }, 20_000);
});
