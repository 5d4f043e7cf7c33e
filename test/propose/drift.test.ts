import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { git } from '../helpers/git.js';
import { proposeDrift, driftBranch, isDriftBranchOf, pendingDrift, type DriftItem } from '../../src/propose/drift.js';
import { gitProvider } from '../../src/propose/providers/git.js';
import { ProposalStore } from '../../src/propose/state.js';
import { openBase } from '../../src/propose/repo.js';
import { execRunner } from '../../src/util/exec.js';
import { proposeFixture } from './helpers.js';

async function setup() {
  const f = await proposeFixture();
  const base = await openBase(execRunner, { repo: f.repo.remote, stateDir: f.state, branch: 'main', dryRun: false });
  const store = await ProposalStore.open(f.state);
  const provider = gitProvider({ runner: execRunner, ws: base.ws!, store });
  const read = async (p: string) => { const r = await base.loaded.readText(p); if ('error' in r) throw new Error(r.error.message); return r.text; };
  return { f, base, store, provider, read };
}

const DRIFT: DriftItem[] = [{ target: 'sandbox:py', manager: 'pip', name: 'alpha', desired: '1.0.0', actual: '1.0.1' }];

describe('proposeDrift', () => {
  it('sets a host override to what the host has, once per distinct drift set', async () => {
    const { f, base, store, provider, read } = await setup();
    const args = { model: base.validation.model, host: 'h1', drift: DRIFT, provider, read, source: base.source, store };
    const first = await proposeDrift(args);
    expect(first).toMatchObject({ action: 'created', branch: driftBranch('h1', DRIFT) });
    expect(first.branch).toMatch(/^gitfleet\/drift-h1-[0-9a-f]{8}$/);
    const text = await f.show(first.branch, 'hosts/h1.yaml');
    expect(text).toBe(`${await f.show('main', 'hosts/h1.yaml')}overrides:\n  "sandbox:py":\n    pip:\n      alpha: "1.0.1"\n`);
    expect((await proposeDrift(args)).action).toBe('unchanged');
    // the same set in another order is the same proposal; another actual version is another one
    expect(driftBranch('h1', [...DRIFT].reverse())).toBe(first.branch);
    expect(driftBranch('h1', [{ ...DRIFT[0]!, actual: '1.0.2' }])).not.toBe(first.branch);
    // closed without merge: not proposed again
    await git(f.repo.work, ['push', '-q', 'origin', `:refs/heads/${first.branch}`]);
    expect(await proposeDrift(args)).toMatchObject({ action: 'already-decided', pr: { state: 'closed' } });
    expect((await f.remoteBranches()).has(first.branch)).toBe(false);
  });

  it('leaves an open drift branch someone else committed to alone, and says so', async () => {
    const { f, base, store, provider, read } = await setup();
    const args = { model: base.validation.model, host: 'h1', drift: DRIFT, provider, read, source: base.source, store };
    const first = await proposeDrift(args);
    const human = join(f.tmp, 'human');
    await git(f.tmp, ['clone', '-q', '-b', first.branch, f.repo.remote, human]);
    await git(human, ['commit', '-q', '--allow-empty', '-m', 'reviewer note']);
    await git(human, ['push', '-q', 'origin', first.branch]);
    const res = await proposeDrift(args);
    expect(res).toMatchObject({ action: 'modified', reason: expect.stringMatching(/^branch gitfleet\/drift-h1-\w+ was modified by someone else .*Delete the branch/) });
    expect((await f.remoteBranches()).get(first.branch)).toBe(await git(human, ['rev-parse', 'HEAD']));
    expect(store.state.proposals[first.branch]).toMatchObject({ kind: 'drift', modified: true });
  });

  it('recreates a drift branch someone else modified once they delete it, as the message asks; a later deletion is a "no"', async () => {
    const { f } = await setup();
    // each cycle fetches the workspace and opens the store and the provider afresh, as the agent does
    const cycle = async () => {
      const base = await openBase(execRunner, { repo: f.repo.remote, stateDir: f.state, branch: 'main', dryRun: false });
      const store = await ProposalStore.open(f.state);
      const provider = gitProvider({ runner: execRunner, ws: base.ws!, store });
      const read = async (p: string) => { const r = await base.loaded.readText(p); if ('error' in r) throw new Error(r.error.message); return r.text; };
      return { res: await proposeDrift({ model: base.validation.model, host: 'h1', drift: DRIFT, provider, read, source: base.source, store }), store };
    };
    const first = (await cycle()).res;
    expect(first.action).toBe('created');
    const human = join(f.tmp, 'human');
    await git(f.tmp, ['clone', '-q', '-b', first.branch, f.repo.remote, human]);
    await git(human, ['commit', '-q', '--allow-empty', '-m', 'reviewer note']);
    await git(human, ['push', '-q', 'origin', first.branch]);
    expect((await cycle()).res.action).toBe('modified');

    await git(human, ['push', '-q', 'origin', `:refs/heads/${first.branch}`]);
    const again = await cycle();
    expect(again.res).toMatchObject({ action: 'created', branch: first.branch, pr: { state: 'open' } });
    expect(await git(f.repo.remote, ['log', '--format=%ae', `main..${first.branch}`])).toBe('gitfleet@localhost');
    expect(again.store.state.proposals[first.branch]?.modified).toBeUndefined();

    // gitfleet's own proposal deleted without merge: decided, not proposed again
    await git(human, ['push', '-q', 'origin', `:refs/heads/${first.branch}`]);
    expect((await cycle()).res).toMatchObject({ action: 'already-decided', pr: { state: 'closed' } });
    expect((await f.remoteBranches()).has(first.branch)).toBe(false);
  });

  it('a failure to list the older proposals leaves the new one standing and is reported as data; the next cycle closes them', async () => {
    const { f, base, store, provider, read } = await setup();
    const args = { model: base.validation.model, host: 'h1', provider, read, source: base.source, store };
    const first = await proposeDrift({ ...args, drift: DRIFT });
    const down = { ...provider, listOpen: async () => { throw new Error('the server is down'); } };
    const moved = [{ ...DRIFT[0]!, actual: 'absent' }];
    const res = await proposeDrift({ ...args, drift: moved, provider: down });
    expect(res).toMatchObject({ action: 'created', branch: driftBranch('h1', moved) });
    expect(res.closed).toEqual([{ branch: 'gitfleet/drift-h1-*', action: 'failed', reason: 'cannot list the open drift proposals: the server is down' }]);
    expect((await f.remoteBranches()).has(first.branch)).toBe(true);
    expect(await proposeDrift({ ...args, drift: moved })).toMatchObject({ action: 'unchanged', closed: [{ branch: first.branch, action: 'superseded' }] });
    expect((await f.remoteBranches()).has(first.branch)).toBe(false);
  });

  it('drops a proposal whose edit does not validate', async () => {
    const { base, provider, read, f } = await setup();
    const res = await proposeDrift({ model: base.validation.model, host: 'h1', drift: [{ ...DRIFT[0]!, actual: 'not a version!' }], provider, read, source: base.source });
    expect(res.action).toBe('dropped');
    expect(res.reason).toMatch(/does not validate/);
    expect([...(await f.remoteBranches()).keys()]).toEqual(['main']);
    expect(join(f.state)).toBeTruthy();
  });
});

describe('the drift branches of one host', () => {
  it.each([
    ['h1', 'gitfleet/drift-h1-0123abcd', true],
    ['h1', 'gitfleet/drift-h1-a-0123abcd', false], // host h1-a's
    ['h1-a', 'gitfleet/drift-h1-a-0123abcd', true],
    ['h1', 'gitfleet/drift-h1-deadbeef-0123abcd', false],
    ['h1', 'gitfleet/drift-h1-0123abc', false],
    ['h1', 'gitfleet/drift-h1-0123ABCD', false],
    ['h1', 'gitfleet/h1-0123abcd', false],
    ['h1', 'gitfleet/register-h1-0123abcd', false],
  ])('isDriftBranchOf(%s, %s) is %s', (host, branch, want) => {
    expect(isDriftBranchOf(host, branch)).toBe(want);
  });

  it('pendingDrift: this host\'s drift records not yet seen decided, other than the one kept', async () => {
    const { store } = await setup();
    const now = new Date('2026-03-01T12:00:00Z');
    for (const branch of ['gitfleet/drift-h1-00000001', 'gitfleet/drift-h1-00000002', 'gitfleet/drift-h1-00000003', 'gitfleet/drift-h1-a-00000004']) {
      store.record({ branch, title: 't', kind: 'drift', versions: {} }, now);
    }
    store.record({ branch: 'gitfleet/py-patch', title: 't', kind: 'updates', versions: {} }, now);
    store.settle('gitfleet/drift-h1-00000003');
    expect(pendingDrift(store, 'h1').sort()).toEqual(['gitfleet/drift-h1-00000001', 'gitfleet/drift-h1-00000002']);
    expect(pendingDrift(store, 'h1', 'gitfleet/drift-h1-00000002')).toEqual(['gitfleet/drift-h1-00000001']);
    expect(pendingDrift(store, 'h1-a')).toEqual(['gitfleet/drift-h1-a-00000004']);
  });
});
