import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execRunner } from '../../src/util/exec.js';
import { git as gitWith } from '../../src/source/git.js';
import { withObjectQuarantine } from '../../src/report/quarantine.js';
import { git } from '../helpers/git.js';
import { looseCount } from './helpers.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'gf-quarantine-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const tmpEntries = async (d: string) => (await readdir(join(d, 'objects'))).filter((n) => n.startsWith('tmp_'));

describe('withObjectQuarantine', () => {
  it('objects written inside land in the quarantine, not the repository, and go with it', async () => {
    const repo = join(dir, 'q1.git');
    await git(dir, ['init', '-q', '--bare', repo]);
    const sha = await withObjectQuarantine(repo, async (env) => {
      const blob = await gitWith(execRunner, ['-C', repo, 'hash-object', '-w', '--stdin'], { input: 'hello\n', env });
      expect(await gitWith(execRunner, ['-C', repo, 'cat-file', '-t', blob], { env })).toBe('blob');
      expect(await tmpEntries(repo)).toHaveLength(1);
      return blob;
    });
    expect(await tmpEntries(repo)).toEqual([]);
    expect(await looseCount(repo)).toBe(0);
    await expect(git(repo, ['cat-file', '-t', sha])).rejects.toThrow();
  });

  it('is removed when the work inside fails', async () => {
    const repo = join(dir, 'q2.git');
    await git(dir, ['init', '-q', '--bare', repo]);
    await expect(withObjectQuarantine(repo, async (env) => {
      await gitWith(execRunner, ['-C', repo, 'hash-object', '-w', '--stdin'], { input: 'x\n', env });
      throw new Error('push failed');
    })).rejects.toThrow('push failed');
    expect(await tmpEntries(repo)).toEqual([]);
    expect(await looseCount(repo)).toBe(0);
  });

  it("removes a crashed publish's quarantine older than an hour, and keeps a younger one (another publish's)", async () => {
    const repo = join(dir, 'q3.git');
    await git(dir, ['init', '-q', '--bare', repo]);
    await mkdir(join(repo, 'objects', 'tmp_objdir-gitfleet-old'));
    await mkdir(join(repo, 'objects', 'tmp_objdir-gitfleet-young'));
    await mkdir(join(repo, 'objects', 'tmp_objdir-incoming-x'));
    const hourAgo = new Date(Date.now() - 61 * 60 * 1000);
    await utimes(join(repo, 'objects', 'tmp_objdir-gitfleet-old'), hourAgo, hourAgo);
    await utimes(join(repo, 'objects', 'tmp_objdir-incoming-x'), hourAgo, hourAgo);
    await withObjectQuarantine(repo, async () => undefined);
    // git's own quarantines (receive-pack's incoming) are git's to remove.
    expect((await tmpEntries(repo)).sort()).toEqual(['tmp_objdir-gitfleet-young', 'tmp_objdir-incoming-x']);
  });
});
