import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { FleetModel } from '../fleet/model.js';
import type { Manager } from '../fleet/model.generated.js';
import type { FleetSource } from '../fleet/source.js';
import type { EventBus } from '../events/bus.js';
import { GitfleetError, errorMessage, formatDiagnostics } from '../util/errors.js';
import { withoutCredentials } from '../util/url-credentials.js';
import type { PullRequestRef, PullRequests } from './provider.js';
import { editYaml } from './edit.js';
import { validateWith } from './revalidate.js';
import type { ProposalStore } from './state.js';
import { closeProposal, type ClosingResult } from './close.js';

/** One package that differs from the desired state on a host. */
export interface DriftItem {
  target: string;
  manager: Manager;
  name: string;
  desired: string;
  /** What the host has: a version, or `absent` when it is missing. */
  actual: string;
}

export interface ProposeDriftOptions {
  model: FleetModel;
  host: string;
  drift: DriftItem[];
  provider: PullRequests;
  /** The text of a fleet file at the base revision. */
  read(path: string): Promise<string>;
  /** The base branch (default main). */
  base?: string;
  /** The base revision's files: when given, the edited fleet must validate or nothing is proposed. */
  source?: FleetSource;
  store?: ProposalStore;
  now?: () => Date;
  bus?: EventBus;
  log?: Logger;
}

/** What proposeDrift did. */
export interface DriftProposal {
  branch: string;
  title: string;
  /** `modified`: the open proposal's branch holds someone else's commits, so it was left alone. */
  action: 'created' | 'updated' | 'unchanged' | 'already-decided' | 'dropped' | 'modified';
  reason?: string;
  pr?: PullRequestRef;
  /** This host's older drift proposals, for a drift set it no longer has: closed as superseded, or left alone. */
  closed?: ClosedDrift[];
}

/** An older drift proposal of the host, which gitfleet closed or (someone else's commits on it) left open. */
export interface ClosedDrift {
  branch: string;
  /** `superseded`: the host's drift changed; `obsolete`: the host has no drift any more; `modified`: left open. */
  action: ClosingResult['action'];
  reason: string;
  url?: string;
}

const DRIFT_PREFIX = 'gitfleet/drift-';

/** `gitfleet/drift-<host>-<hash8>`: the hash is over the sorted drift set, so the same drift maps to the same branch. */
export function driftBranch(host: string, drift: readonly DriftItem[]): string {
  const lines = drift.map((d) => `${d.target}\t${d.manager}\t${d.name}\t${d.actual}`).sort();
  return `${DRIFT_PREFIX}${host}-${createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 8)}`;
}

/** True for `gitfleet/drift-<host>-<hash8>` of exactly this host: `h1` does not take the branches of `h1-a`. */
export function isDriftBranchOf(host: string, branch: string): boolean {
  const prefix = `${DRIFT_PREFIX}${host}-`;
  return branch.startsWith(prefix) && /^[0-9a-f]{8}$/.test(branch.slice(prefix.length));
}

/**
 * Proposes adopting what the host has: `overrides.<target>.<manager>.<name>: <actual>` in hosts/<host>.yaml, one
 * PR per distinct drift set. A set whose PR was merged or closed by a human before is not proposed again (once per
 * drift); one gitfleet closed itself is; a branch left alone because someone else modified it is recreated once it is
 * deleted. With a store, the host's older open drift proposals (another drift set) are closed as superseded: at most
 * one open drift proposal per host, and never one for a state the host no longer has.
 */
export async function proposeDrift(o: ProposeDriftOptions): Promise<DriftProposal> {
  const res = await proposeSet(o);
  if (!o.store) return res;
  const summary = driftSummary(o.drift);
  const closed = await closeStaleDrift({
    host: o.host, provider: o.provider, store: o.store, keep: res.branch, reason: `superseded: the drift on ${o.host} is now ${summary} (${res.branch})`,
    ...(o.log ? { log: o.log } : {}), ...(o.now ? { now: o.now } : {}),
  });
  return closed.length ? { ...res, closed } : res;
}

async function proposeSet(o: ProposeDriftOptions): Promise<DriftProposal> {
  const entry = o.model.hosts.get(o.host);
  if (!entry) throw new GitfleetError('E_NOT_FOUND', `host "${o.host}" is not in the fleet`);
  if (o.drift.length === 0) throw new GitfleetError('E_USAGE', 'no drift to propose');
  const branch = driftBranch(o.host, o.drift);
  const items = sorted(o.drift);
  const title = items.length === 1
    ? `gitfleet: adopt ${items[0]!.manager} ${items[0]!.name} ${items[0]!.actual} on ${o.host} (drift)`
    : `gitfleet: adopt ${items.length} drifted packages on ${o.host}`;
  const now = o.now ?? (() => new Date());

  const found = await o.provider.findPullRequest(branch, { includeClosed: true });
  // closed by gitfleet itself (the drift had changed, or gone): not a human's "no", so this drift is proposed again
  const existing = found?.state === 'closed' && o.store?.wasClosedByGitfleet(found) ? undefined : found;
  // a branch left alone because someone else modified it, then deleted, is the recreate the message asked for
  const leftAlone = existing?.state === 'closed' && o.store?.state.proposals[branch]?.modified === true;
  if (existing && existing.state !== 'open' && !leftAlone) return { branch, title, action: 'already-decided', reason: `the proposal for this drift was ${existing.state}`, pr: existing };

  const file = entry.doc.file;
  let text: string;
  try {
    text = editYaml(await o.read(file), items.map((d) => ({ path: ['overrides', d.target, d.manager, d.name], value: d.actual })));
  } catch (err) {
    o.log?.warn({ err, host: o.host, branch }, 'drift proposal dropped: cannot edit the host file');
    return { branch, title, action: 'dropped', reason: `cannot edit ${file}: ${errorMessage(err)}` };
  }
  if (o.source) {
    const res = await validateWith(o.source, { [file]: text });
    if (!res.ok) {
      o.log?.warn({ host: o.host, branch, diagnostics: res.diagnostics.length }, 'drift proposal dropped: it does not validate');
      return { branch, title, action: 'dropped', reason: `the edited fleet does not validate: ${formatDiagnostics(res.diagnostics.slice(0, 5))}` };
    }
  }
  const res = await o.provider.ensurePullRequest({
    branch, base: o.base ?? 'main', title, body: driftBody(o.host, file, items), labels: ['gitfleet', 'drift'], files: { [file]: text }, commitMessage: title,
  });
  const versions = Object.fromEntries(items.map((d) => [`${d.target}/${d.manager}:${d.name}`, d.actual]));
  if (res.modified) {
    o.log?.warn({ host: o.host, branch, reason: res.modified }, 'drift proposal branch was modified by someone else; not updating it');
    // remembered, so that its deletion (what the message asks for) recreates it rather than reading as "closed"
    if (o.store) {
      o.store.record({ branch, title, kind: 'drift', sha: res.pr.headSha, id: res.pr.id, versions, modified: true }, now());
      await o.store.save();
    }
    return { branch, title, action: 'modified', reason: res.modified, pr: res.pr };
  }
  if (res.created || res.updated) await o.provider.addLabels(res.pr, ['gitfleet', 'drift']);
  if (o.store) {
    o.store.record({ branch, title, kind: 'drift', sha: res.pr.headSha, id: res.pr.id, versions }, now());
    await o.store.save();
  }
  if (res.created || res.updated) o.bus?.emit('infrastructure.update.proposed', { branch, title, ...(res.pr.url ? { url: withoutCredentials(res.pr.url) } : {}), packages: items.length });
  return { branch, title, action: res.created ? 'created' : res.updated ? 'updated' : 'unchanged', pr: res.pr };
}

/**
 * Closes the host's open drift proposals other than `keep` (the one for the drift it has now): `superseded` when
 * there is a `keep`, `obsolete` when the host has no drift any more. A branch someone else committed to is left open
 * (`modified`). Only a host whose store holds a drift proposal not yet seen decided asks the server at all.
 */
export async function closeStaleDrift(o: {
  host: string; provider: PullRequests; store: ProposalStore; keep?: string; reason: string; log?: Logger; now?: () => Date;
}): Promise<ClosedDrift[]> {
  const pending = pendingDrift(o.store, o.host, o.keep);
  if (!pending.length) return [];
  const now = o.now ?? (() => new Date());
  const kind = o.keep ? 'superseded' : 'obsolete';
  const prefix = `${DRIFT_PREFIX}${o.host}-`;
  let listed: PullRequestRef[];
  try {
    listed = await o.provider.listOpen(prefix);
  } catch (err) {
    // the proposal of this cycle stands; the older ones are looked at again at the next drift cycle
    o.log?.warn({ err, host: o.host }, `cannot list the open drift proposals; ${kind} ones are closed at the next drift cycle`);
    return [{ branch: `${prefix}*`, action: 'failed', reason: `cannot list the open drift proposals: ${errorMessage(err)}` }];
  }
  const open = listed.filter((pr) => isDriftBranchOf(o.host, pr.branch) && pr.branch !== o.keep);
  const stillOpen = new Set(open.map((pr) => pr.branch));
  // merged, or closed by a human: nothing of it is open, so later cycles need not ask about it
  for (const branch of pending) if (!stillOpen.has(branch)) o.store.settle(branch);
  await o.store.save();
  const out: ClosedDrift[] = [];
  for (const pr of open) {
    const res = await closeProposal(o.provider, o.store, pr, kind, o.reason, o.log, now());
    const rec = o.store.state.proposals[pr.branch];
    if (res.action === 'modified' && rec) {
      // someone else's branch now: its deletion is theirs to make, not a "no" to this drift set
      o.store.record({ ...rec, modified: true }, now());
      await o.store.save();
    }
    out.push({ branch: pr.branch, ...res, ...(pr.url ? { url: pr.url } : {}) });
  }
  return out;
}

/** The host's drift proposals (other than `keep`) gitfleet made and has not seen decided: those that may still be open. */
export function pendingDrift(store: ProposalStore, host: string, keep?: string): string[] {
  return Object.values(store.state.proposals)
    .filter((r) => r.kind === 'drift' && !r.settled && r.branch !== keep && isDriftBranchOf(host, r.branch))
    .map((r) => r.branch);
}

/** `pip gamma absent, apt jq 1.6` (at most five named). */
function driftSummary(drift: readonly DriftItem[]): string {
  const items = sorted(drift);
  const named = items.slice(0, 5).map((d) => `${d.manager} ${d.name} ${d.actual}`).join(', ');
  return items.length > 5 ? `${named} and ${items.length - 5} more` : named;
}

function sorted(drift: readonly DriftItem[]): DriftItem[] {
  return [...drift].sort((a, b) => `${a.target}${a.manager}${a.name}`.localeCompare(`${b.target}${b.manager}${b.name}`));
}

function driftBody(host: string, file: string, items: readonly DriftItem[]): string {
  const rows = items.map((d) => `| ${d.target} | ${d.manager} | ${d.name} | ${d.desired} | ${d.actual} |`);
  return [
    '## gitfleet drift proposal', '',
    `Host **${host}** differs from its desired state and its policy's drift mode is \`propose\`: this PR adopts what the host has as host-level overrides in \`${file}\`.`, '',
    '| target | manager | package | desired | actual |', '|---|---|---|---|---|', ...rows, '',
    '### What merging does', '',
    `- ${host} keeps what it has; no other host changes (overrides are per host).`,
    '- Closing this PR without merging keeps the desired versions; this same drift is not proposed again.',
  ].join('\n') + '\n';
}
