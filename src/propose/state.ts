import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { GitfleetError, errorMessage } from '../util/errors.js';
import type { UpdateType } from '../fleet/model.generated.js';

/** What gitfleet remembers about one proposal branch. */
export interface ProposalRecord {
  branch: string;
  title: string;
  kind: 'updates' | 'drift' | 'register';
  /** The last SHA pushed (or, for GitHub, the PR's head), to tell a merge from a deletion. */
  sha?: string;
  /** The PR number or branch, as the provider names it. */
  id?: string;
  /** `manager:name` (or a path for drift/registration) → the version the proposal sets. */
  versions: Record<string, string>;
  /** For update proposals: the highest update type in it (a superseded non-major proposal is closed). */
  type?: UpdateType;
  /** Someone else committed to the branch, so gitfleet left it alone; its deletion is not a "closed without merge". */
  modified?: true;
  /** Seen no longer open (merged, or closed by a human): the check for obsolete drift proposals skips it. */
  settled?: true;
  createdAt: string;
  updatedAt: string;
}

/** `<stateDir>/proposals.json`. */
export interface ProposalsState {
  version: 1;
  proposals: Record<string, ProposalRecord>;
  /** branch → version-set keys whose proposal was closed without merge: not proposed again. */
  suppressed: Record<string, string[]>;
  /** When proposals were created (ISO), for the per-hour limit; older than a day is dropped. */
  created: string[];
  /** branch → the proposal gitfleet closed itself (superseded, obsolete): its closing is not a human's "no". */
  closedByGitfleet: Record<string, GitfleetClosing>;
}

/** A proposal gitfleet closed itself, as the provider named it then. */
export interface GitfleetClosing {
  /** The PR number (github) or branch (git). */
  id: string;
  headSha: string;
  reason: string;
  at: string;
}

/** The proposals file, read once per run and written atomically after each change that reached the remote. */
export class ProposalStore {
  readonly path: string;
  state: ProposalsState;

  private constructor(path: string, state: ProposalsState) {
    this.path = path;
    this.state = state;
  }

  /** Reads `<stateDir>/proposals.json` (empty when absent); a corrupt file is E_PARSE rather than silently forgotten. */
  static async open(stateDir: string): Promise<ProposalStore> {
    const path = join(stateDir, 'proposals.json');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new ProposalStore(path, emptyState());
      throw new GitfleetError('E_IO', `cannot read ${path}: ${errorMessage(err)}`, { cause: err });
    }
    try {
      const data = JSON.parse(text) as Partial<ProposalsState>;
      return new ProposalStore(path, { ...emptyState(), ...data, version: 1 });
    } catch (err) {
      throw new GitfleetError('E_PARSE', `${path} is not valid JSON (${errorMessage(err)}); move it away to start over`, { cause: err });
    }
  }

  /** Writes the whole state atomically. */
  async save(): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(this.state, null, 2) + '\n', 0o600);
  }

  /** Records a push (or an update of the PR) for `branch`. */
  record(rec: Omit<ProposalRecord, 'createdAt' | 'updatedAt'>, now: Date): ProposalRecord {
    const prev = this.state.proposals[rec.branch];
    const out = { ...prev, ...rec, createdAt: prev?.createdAt ?? now.toISOString(), updatedAt: now.toISOString() };
    // `modified` describes the branch as last seen: a record without it is a push of gitfleet's own
    if (!rec.modified) delete out.modified;
    // a push is a proposal standing again: neither settled nor closed by gitfleet any more
    if (!rec.settled) delete out.settled;
    delete this.state.closedByGitfleet[rec.branch];
    this.state.proposals[rec.branch] = out;
    return out;
  }

  /** Forgets a proposal gitfleet closed itself (superseded): its closing is not a human's "no". */
  forget(branch: string): void {
    delete this.state.proposals[branch];
  }

  /**
   * Forgets a proposal gitfleet closed itself and remembers that closing: a provider that keeps closed PRs (GitHub)
   * still shows it closed, and that is not a human's "no" (wasClosedByGitfleet).
   */
  closedByGitfleet(pr: { branch: string; id: string; headSha: string }, reason: string, now: Date): void {
    this.forget(pr.branch);
    this.state.closedByGitfleet[pr.branch] = { id: pr.id, headSha: pr.headSha, reason, at: now.toISOString() };
  }

  /** True when this closed proposal (the same PR, or the same head on a plain git server) is one gitfleet closed itself. */
  wasClosedByGitfleet(pr: { branch: string; id: string; headSha: string }): boolean {
    const c = this.state.closedByGitfleet[pr.branch];
    if (!c || c.id !== pr.id) return false;
    // a PR number names one PR; a plain git server's id is the branch, reused by every proposal on it
    return pr.id !== pr.branch || c.headSha === pr.headSha;
  }

  /** Marks a proposal seen no longer open (merged, or closed by a human), so that nothing asks the server about it again. */
  settle(branch: string): void {
    const rec = this.state.proposals[branch];
    if (rec) rec.settled = true;
  }

  /** Notes that a proposal was created now (for maxPRsPerHour). */
  noteCreated(now: Date): void {
    const dayAgo = now.getTime() - 24 * 3600_000;
    this.state.created = [...this.state.created.filter((t) => Date.parse(t) > dayAgo), now.toISOString()];
  }

  /** Proposals created in the hour before `now`. */
  createdInLastHour(now: Date): number {
    const hourAgo = now.getTime() - 3600_000;
    return this.state.created.filter((t) => Date.parse(t) > hourAgo).length;
  }

  /** Remembers that this version set was closed without merge on `branch`. */
  suppress(branch: string, key: string): void {
    const list = this.state.suppressed[branch] ?? [];
    if (!list.includes(key)) this.state.suppressed[branch] = [...list, key];
  }

  /** True when this exact version set was closed without merge before. */
  isSuppressed(branch: string, key: string): boolean {
    return (this.state.suppressed[branch] ?? []).includes(key);
  }
}

/** A stable key for a set of versions: `a=1,b=2` sorted. */
export function versionSetKey(versions: Record<string, string>): string {
  return Object.entries(versions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(',');
}

function emptyState(): ProposalsState {
  return { version: 1, proposals: {}, suppressed: {}, created: [], closedByGitfleet: {} };
}
