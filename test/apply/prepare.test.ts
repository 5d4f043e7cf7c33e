import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepare } from '../../src/apply/prepare.js';
import { testRepo, type TestRepo } from '../helpers/git.js';
import { startDaemon, type Daemon } from '../report/helpers.js';
import { countingRunner, fleetFiles } from '../agent/helpers.js';

let tmp: string;
let repo: TestRepo;
let daemon: Daemon;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitfleet-prepare-'));
  repo = await testRepo(join(tmp, 'repos'));
  daemon = await startDaemon(join(tmp, 'repos'));
});
afterAll(async () => {
  await daemon.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe('prepare from a remote', () => {
  it('fetches a new revision once, and not at all for a commit the clone already has (the agent fetched it)', async () => {
    const runner = countingRunner();
    const url = daemon.url('remote.git');
    const state = join(tmp, 'state');
    const first = await repo.commit(fleetFiles());
    expect((await prepare(runner, { repo: url }, 'h1', state)).revision).toBe(first);
    expect(runner.gitVerbs().filter((v) => v === 'fetch')).toHaveLength(1);

    const second = await repo.commit({ 'policies/p.yaml': 'apiVersion: gitfleet/v1\nkind: Policy\nname: p\ndescription: touched\n' });
    runner.reset();
    expect((await prepare(runner, { repo: url }, 'h1', state)).revision).toBe(second);
    expect(runner.gitVerbs().filter((v) => v === 'fetch')).toHaveLength(1);

    runner.reset();
    expect((await prepare(runner, { repo: url, rev: second }, 'h1', state)).revision).toBe(second);
    expect(runner.gitVerbs()).not.toContain('fetch');
  });
});
