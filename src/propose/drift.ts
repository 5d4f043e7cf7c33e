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
}

/** `gitfleet/drift-<host>-<hash8>`: the hash is over the sorted drift set, so the same drift maps to the same branch. */
export function driftBranch(host: string, drift: readonly DriftItem[]): string {
  const lines = drift.map((d) => `${d.target}\t${d.manager}\t${d.name}\t${d.actual}`).sort();
  return `gitfleet/drift-${host}-${createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 8)}`;
}

/**
 * Proposes adopting what the host has: `overrides.<target>.<manager>.<name>: <actual>` in hosts/<host>.yaml, one
 * PR per distinct drift set. A set whose PR was merged or closed before is not proposed again (once per drift);
 * a branch left alone because someone else modified it is recreated once it is deleted.
 */
export async function proposeDrift(o: ProposeDriftOptions): Promise<DriftProposal> {
  const entry = o.model.hosts.get(o.host);
  if (!entry) throw new GitfleetError('E_NOT_FOUND', `host "${o.host}" is not in the fleet`);
  if (o.drift.length === 0) throw new GitfleetError('E_USAGE', 'no drift to propose');
  const branch = driftBranch(o.host, o.drift);
  const items = [...o.drift].sort((a, b) => `${a.target}${a.manager}${a.name}`.localeCompare(`${b.target}${b.manager}${b.name}`));
  const title = items.length === 1
    ? `gitfleet: adopt ${items[0]!.manager} ${items[0]!.name} ${items[0]!.actual} on ${o.host} (drift)`
    : `gitfleet: adopt ${items.length} drifted packages on ${o.host}`;
  const now = o.now ?? (() => new Date());

  const existing = await o.provider.findPullRequest(branch, { includeClosed: true });
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
