// The proposals file: what gitfleet remembers about its proposals, and its own closings (superseded, obsolete),
// which are not a human's "no".
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProposalStore } from '../../src/propose/state.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const SHA = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);

async function store(): Promise<ProposalStore> {
  return ProposalStore.open(await mkdtemp(join(tmpdir(), 'gitfleet-state-')));
}

describe('ProposalStore: closings gitfleet made itself', () => {
  it('forgets the proposal, remembers the closing across a reopen, and a new push forgets the closing', async () => {
    const s = await store();
    s.record({ branch: 'gitfleet/drift-h1-0123abcd', title: 't', kind: 'drift', sha: SHA, id: '7', versions: { 'sandbox:py/pip:alpha': '1.0.1' } }, NOW);
    s.closedByGitfleet({ branch: 'gitfleet/drift-h1-0123abcd', id: '7', headSha: SHA }, 'superseded: the drift on h1 is now pip alpha absent (gitfleet/drift-h1-89abcdef)', NOW);
    await s.save();
    const again = await ProposalStore.open(join(s.path, '..'));
    expect(again.state.proposals).toEqual({});
    expect(again.state.suppressed).toEqual({});
    expect(again.state.closedByGitfleet['gitfleet/drift-h1-0123abcd']).toEqual({ id: '7', headSha: SHA, reason: expect.stringContaining('gitfleet/drift-h1-89abcdef'), at: NOW.toISOString() });
    expect(again.wasClosedByGitfleet({ branch: 'gitfleet/drift-h1-0123abcd', id: '7', headSha: SHA })).toBe(true);

    again.record({ branch: 'gitfleet/drift-h1-0123abcd', title: 't', kind: 'drift', sha: OTHER, id: '9', versions: {} }, NOW);
    expect(again.state.closedByGitfleet).toEqual({});
    expect(again.wasClosedByGitfleet({ branch: 'gitfleet/drift-h1-0123abcd', id: '7', headSha: SHA })).toBe(false);
  });

  it.each([
    ['the PR gitfleet closed (github)', { id: '7', headSha: SHA }, true],
    ['another PR on the same branch (github): a human\'s decision', { id: '8', headSha: SHA }, false],
    ['the branch with the head gitfleet closed (git)', { id: 'gitfleet/x', headSha: SHA, git: true }, true],
    ['the branch with another head (git): pushed again since', { id: 'gitfleet/x', headSha: OTHER, git: true }, false],
  ])('wasClosedByGitfleet: %s', async (_name, pr, want) => {
    const s = await store();
    const git = 'git' in pr;
    s.closedByGitfleet({ branch: 'gitfleet/x', id: git ? 'gitfleet/x' : '7', headSha: SHA }, 'obsolete', NOW);
    expect(s.wasClosedByGitfleet({ branch: 'gitfleet/x', id: pr.id, headSha: pr.headSha })).toBe(want);
  });

  it('reads a proposals.json written before closings were remembered', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitfleet-state-'));
    await writeFile(join(dir, 'proposals.json'), JSON.stringify({ version: 1, proposals: {}, suppressed: { 'gitfleet/p': ['k'] }, created: [] }));
    const s = await ProposalStore.open(dir);
    expect(s.state.closedByGitfleet).toEqual({});
    expect(s.isSuppressed('gitfleet/p', 'k')).toBe(true);
    expect(s.wasClosedByGitfleet({ branch: 'gitfleet/p', id: '1', headSha: SHA })).toBe(false);
    await s.save();
    expect(JSON.parse(await readFile(join(dir, 'proposals.json'), 'utf8'))).toMatchObject({ closedByGitfleet: {} });
  });

  it('settle marks a record; a push of gitfleet\'s own unsettles it', async () => {
    const s = await store();
    s.record({ branch: 'gitfleet/drift-h1-0123abcd', title: 't', kind: 'drift', sha: SHA, versions: {} }, NOW);
    s.settle('gitfleet/drift-h1-0123abcd');
    s.settle('gitfleet/unknown'); // nothing to mark
    expect(s.state.proposals['gitfleet/drift-h1-0123abcd']?.settled).toBe(true);
    expect(s.state.proposals['gitfleet/unknown']).toBeUndefined();
    s.record({ branch: 'gitfleet/drift-h1-0123abcd', title: 't', kind: 'drift', sha: OTHER, versions: {} }, NOW);
    expect(s.state.proposals['gitfleet/drift-h1-0123abcd']?.settled).toBeUndefined();
  });
});
