import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execRunner } from '../../src/util/exec.js';
import { git } from '../../src/source/git.js';
import { checkoutRevision, fetchBranch, headOf } from '../../src/source/checkout.js';

const ID = ['-c', 'user.name=t', '-c', 'user.email=t@localhost'];

/** A bare repo with branch `main`, and a function that pushes one more commit and returns its SHA. */
async function remote(root: string, name: string): Promise<{ url: string; commit: (msg: string) => Promise<string> }> {
  const url = join(root, `${name}.git`);
  const seed = join(root, `${name}-seed`);
  await git(execRunner, ['init', '-q', '--bare', '-b', 'main', url]);
  await git(execRunner, ['init', '-q', '-b', 'main', seed]);
  const commit = async (msg: string) => {
    await writeFile(join(seed, 'f.txt'), msg);
    await git(execRunner, ['-C', seed, 'add', '-A']);
    await git(execRunner, [...ID, '-C', seed, 'commit', '-qm', msg]);
    await git(execRunner, ['-C', seed, 'push', '-q', url, 'HEAD:refs/heads/main']);
    return git(execRunner, ['-C', seed, 'rev-parse', 'HEAD']);
  };
  return { url, commit };
}

describe('fetchBranch and headOf', () => {
  it('follow the remote head, a changed URL, and a detached checkout', async () => {
    const root = await mkdtemp(join(tmpdir(), 'gitfleet-checkout-'));
    const a = await remote(root, 'a');
    const b = await remote(root, 'b');
    const dir = join(root, 'clone');
    const a1 = await a.commit('a1');
    expect(await fetchBranch(execRunner, a.url, dir, 'main')).toBe(a1);
    expect(await headOf(execRunner, dir)).toBeUndefined(); // a fresh clone has no work tree yet
    await checkoutRevision(execRunner, dir, a1);
    expect(await headOf(execRunner, dir)).toBe(a1);
    const a2 = await a.commit('a2');
    expect(await fetchBranch(execRunner, a.url, dir, 'main')).toBe(a2);
    expect(await headOf(execRunner, dir)).toBe(a1);
    // another repository at the same place: the origin URL must really change
    const b1 = await b.commit('b1');
    expect(await fetchBranch(execRunner, b.url, dir, 'main')).toBe(b1);
    expect(await git(execRunner, ['-C', dir, 'config', '--get', 'remote.origin.url'])).toBe(b.url);
    // packed refs (after git gc) are read through git
    await git(execRunner, ['-C', dir, 'pack-refs', '--all']);
    expect(await fetchBranch(execRunner, b.url, dir, 'main')).toBe(b1);
  });
});
