import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dir } from 'node:fs';
import { mkdtemp, opendir, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxSourceFolders } from '../../src/apply/sandbox-sources.js';
import type { DesiredTarget } from '../../src/fleet/resolve.js';
import { sourceMountPoint, sourcePathInside } from '../../src/sandboxes/sources.js';
import { git, testRepo } from '../helpers/git.js';

const targets: DesiredTarget[] = [
  { target: 'system', packages: [], sources: { pip: { findLinks: ['/srv/system-wheels'] } } },
  { target: 'sandbox:py', packages: [], sources: { pip: { findLinks: ['artifacts/wheels', '/srv/wheels'], noIndex: true }, npm: { findLinks: ['artifacts/tgz'] } } },
  { target: 'sandbox:abs', packages: [], sources: { pip: { findLinks: ['/fleet/wheels', '/fleet-other/wheels', '/srv/w'] } } },
  { target: 'sandbox:bare', packages: [], sources: {} },
];

describe('sandboxSourceFolders', () => {
  it.each([
    ['folders in the checkout (relative ones made absolute against it) come as the checkout, once; others as they are', 'sandbox:py', ['/fleet', '/srv/wheels']],
    ['an absolute folder in the checkout too, but not one in a sibling that shares its prefix', 'sandbox:abs', ['/fleet', '/fleet-other/wheels', '/srv/w']],
    ['a target without package folders', 'sandbox:bare', []],
    ['a target no baseline names', 'sandbox:other', []],
  ])('%s', (_name, target, want) => {
    expect(sandboxSourceFolders(targets, target, '/fleet')).toEqual(want);
  });
});

describe('a checkout that replaces a package folder whole (real git)', () => {
  let tmp: string;
  beforeAll(async () => { tmp = await realpath(await mkdtemp(join(tmpdir(), 'gitfleet-sbsrc-'))); });
  afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

  it('replaces the folder but not the checkout, and the mount and the path inside stay what they were', async () => {
    const repo = await testRepo(join(tmp, 'repo'));
    const first = await repo.commit({ 'wheels/foo-1.0-py3-none-any.whl': 'one' });
    const second = await repo.commit({ 'wheels/foo-1.0-py3-none-any.whl': null, 'wheels/foo-1.1-py3-none-any.whl': 'two' });
    const checkout = join(tmp, 'checkout');
    await git(tmp, ['clone', '-q', repo.remote, checkout]);
    await git(checkout, ['checkout', '-q', '-f', '--detach', first]);
    const on = [{ target: 'sandbox:py', packages: [], sources: { pip: { findLinks: ['wheels'] } } }] satisfies DesiredTarget[];
    const mountsBefore = sandboxSourceFolders(on, 'sandbox:py', checkout);
    const insideBefore = sourcePathInside(join(checkout, 'wheels'), checkout);
    // Open handles stand in for bind mounts: both keep the directory they were made of, even once it is deleted.
    const [heldFolder, heldRoot] = [await opendir(join(checkout, 'wheels')), await opendir(checkout)];

    await git(checkout, ['checkout', '-q', '-f', '--detach', second]);
    expect(await readdir(join(checkout, 'wheels'))).toEqual(['foo-1.1-py3-none-any.whl']);
    // The premise: git deleted and recreated the folder, so a mount of it shows the deleted, empty one ...
    expect(await names(heldFolder)).toEqual([]);
    // ... but not the checkout, which is what is mounted: no new mount, and commands look at the same place.
    expect(await names(heldRoot)).toContain('wheels');
    expect(mountsBefore).toEqual([checkout]);
    expect(sandboxSourceFolders(on, 'sandbox:py', checkout)).toEqual(mountsBefore);
    expect(sourcePathInside(join(checkout, 'wheels'), checkout)).toBe(insideBefore);
    expect(insideBefore).toBe(`${sourceMountPoint(checkout)}/wheels`);
  });
});

async function names(dir: Dir): Promise<string[]> {
  const out: string[] = [];
  for await (const e of dir) out.push(e.name);
  return out.sort();
}
