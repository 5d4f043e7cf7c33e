import type { Logger } from 'pino';
import type { Runner } from '../util/exec.js';
import { GitfleetError, errorMessage, formatDiagnostics } from '../util/errors.js';
import { withoutCredentials } from '../util/url-credentials.js';
import type { Manager } from '../fleet/model.generated.js';
import type { ManagerAdapter } from '../managers/types.js';
import { getManager } from '../managers/api.js';
import type { EventBus } from '../events/bus.js';
import type { PullRequestRef, PullRequests } from './provider.js';
import { discoverUpdates, type Candidate, type Skipped, type UpdateGroup } from './discover.js';
import { filesFor, pinKey } from './changes.js';
import { validateWith } from './revalidate.js';
import { labelsFor, renderBody, type HostCache } from './body.js';
import { ProposalStore, versionSetKey, type ProposalRecord } from './state.js';
import { openBase, type ProposalBase } from './repo.js';
import { makeProvider } from './make-provider.js';
import { openWorkspace } from './workspace.js';
import { closeProposal } from './close.js';

export interface ProposeUpdatesOptions {
  runner: Runner;
  log: Logger;
  /** The fleet: a git repository (path or URL); a plain folder only with dryRun. */
  repo: string;
  stateDir: string;
  /** Overrides fleet.yaml's `provider`. */
  provider?: 'github' | 'git';
  /** An already-made provider (tests, embedding). */
  pullRequests?: PullRequests;
  dryRun?: boolean;
  branch?: string;
  now?: () => Date;
  /** Environment for package managers' look-ups. */
  env?: Record<string, string>;
  /** Environment for the GitHub provider (GITHUB_TOKEN). */
  processEnv?: NodeJS.ProcessEnv;
  bus?: EventBus;
  adapter?: (id: Manager) => ManagerAdapter;
}

/** What happened to one proposal. */
export interface ProposalOutcome {
  branch: string;
  title: string;
  type: UpdateGroup['type'];
  /**
   * `modified`: the branch holds someone else's commits, so gitfleet left it alone. `superseded`: gitfleet closed
   * it because another open proposal now updates its packages (to a newer non-major version).
   */
  action: 'created' | 'updated' | 'unchanged' | 'would-propose' | 'suppressed' | 'limited' | 'dropped' | 'failed' | 'modified' | 'superseded';
  reason?: string;
  url?: string;
  labels: string[];
  candidates: Candidate[];
  autoMerge?: { merged?: boolean; enabled?: boolean; reason?: string };
}

export interface ProposeUpdatesResult {
  revision?: string;
  outcomes: ProposalOutcome[];
  skipped: Skipped[];
}

const UPDATE_PREFIX = 'gitfleet/';

/**
 * `propose updates`: discover newer versions, edit the pins (keeping the files), re-validate, and open or update
 * one proposal per group. Idempotent: the branch is the key; an open proposal is regenerated from the base in
 * place; a proposal closed without merge suppresses that exact version set until a newer one appears.
 */
export async function proposeUpdates(o: ProposeUpdatesOptions): Promise<ProposeUpdatesResult> {
  const now = o.now ?? (() => new Date());
  const base = await openBase(o.runner, { repo: o.repo, stateDir: o.stateDir, branch: o.branch ?? 'main', dryRun: Boolean(o.dryRun) });
  const model = base.validation.model;
  const remote = model.fleet?.value.provider?.git?.remote;
  if (base.ws && remote && remote !== base.ws.remote && (o.provider ?? 'git') === 'git') {
    base.ws = await openWorkspace(o.runner, remote, base.ws.dir, base.ws.base);
  }
  const store = await ProposalStore.open(o.stateDir);
  const { groups, skipped } = await discoverUpdates(model, {
    adapter: o.adapter ?? ((id) => getManager(id)), ctx: { runner: o.runner, ...(o.env ? { env: o.env } : {}) },
    fleetDir: base.fleetDir, now: now(), log: o.log,
  });
  const prepared = await prepareGroups(base, groups, o.log);
  const hosts: HostCache = new Map();
  const outcomes: ProposalOutcome[] = [];
  const body = (g: UpdateGroup, autoMerge: boolean) => renderBody(model, g, { now: now(), autoMerge, hosts });

  if (o.dryRun) {
    for (const p of prepared) {
      const key = versionSetKey(versionsOf(p.group));
      const suppressed = store.isSuppressed(p.group.branch, key);
      outcomes.push(outcome(p.group, p.error ? 'dropped' : suppressed ? 'suppressed' : 'would-propose', p.error ?? (suppressed ? 'closed without merge before' : undefined)));
    }
    return { ...(base.revision ? { revision: base.revision } : {}), outcomes, skipped };
  }

  if (!base.ws) throw new GitfleetError('E_INTERNAL', 'a proposal needs a git workspace');
  const provider = o.pullRequests ?? await makeProvider({
    kind: o.provider, model, runner: o.runner, ws: base.ws, store, log: o.log, now, env: o.processEnv ?? process.env,
  });
  const openBefore = (await provider.listOpen(UPDATE_PREFIX)).filter((pr) => isUpdateBranch(pr.branch));
  let open = openBefore.length;
  // proposals of this run that stand (open, or auto-merged): only they supersede older ones
  const standing = new Set<string>();
  for (const p of prepared) {
    const g = p.group;
    if (p.error) {
      o.log.warn({ branch: g.branch, reason: p.error }, 'proposal dropped');
      outcomes.push(outcome(g, 'dropped', p.error));
      continue;
    }
    try {
      const versions = versionsOf(g);
      const key = versionSetKey(versions);
      const existing = await provider.findPullRequest(g.branch, { includeClosed: true });
      const rec = store.state.proposals[g.branch];
      // a branch left alone because someone else modified it, then deleted, is the recreate the message asked for
      if (existing?.state === 'closed' && rec && !rec.modified) store.suppress(g.branch, versionSetKey(rec.versions));
      if (store.isSuppressed(g.branch, key)) {
        await store.save();
        outcomes.push(outcome(g, 'suppressed', 'this version set was closed without merge; waiting for a newer version'));
        continue;
      }
      const isOpen = existing?.state === 'open';
      if (!isOpen) {
        const limit = limitReason(g, open, store.createdInLastHour(now()));
        if (limit) {
          outcomes.push(outcome(g, 'limited', limit));
          continue;
        }
      }
      const autoMerge = g.policy.autoMerge.includes(g.type);
      const labels = labelsFor(g);
      const res = await provider.ensurePullRequest({
        branch: g.branch, base: base.ws.base, title: g.title, body: body(g, autoMerge), labels, files: p.files, commitMessage: g.title, autoMerge,
      });
      if (res.modified) {
        o.log.warn({ branch: g.branch, reason: res.modified }, 'proposal branch was modified by someone else; not updating it');
        store.record({ branch: g.branch, title: rec?.title ?? g.title, kind: 'updates', sha: res.pr.headSha, id: res.pr.id, versions: rec?.versions ?? {}, modified: true }, now());
        await store.save();
        outcomes.push({ ...outcome(g, 'modified', res.modified), ...(res.pr.url ? { url: res.pr.url } : {}) });
        continue;
      }
      if (res.created) {
        store.noteCreated(now());
        open++;
      }
      if (res.created || res.updated) await provider.addLabels(res.pr, labels);
      if (res.pr.state !== 'closed') standing.add(g.branch);
      store.record({ branch: g.branch, title: g.title, kind: 'updates', type: g.type, sha: res.pr.headSha, id: res.pr.id, versions }, now());
      await store.save();
      const action = res.created ? 'created' : res.updated ? 'updated' : 'unchanged';
      if (action !== 'unchanged') o.bus?.emit('infrastructure.update.proposed', { branch: g.branch, title: g.title, ...(res.pr.url ? { url: withoutCredentials(res.pr.url) } : {}), packages: g.candidates.length });
      const am = (res as { autoMerge?: ProposalOutcome['autoMerge'] }).autoMerge;
      if (am && am.merged === false) o.log.warn({ branch: g.branch, reason: am.reason }, 'auto-merge did not happen');
      outcomes.push({ ...outcome(g, action), ...(res.pr.url ? { url: res.pr.url } : {}), ...(am ? { autoMerge: am } : {}) });
    } catch (err) {
      o.log.error({ err, branch: g.branch }, 'proposal failed');
      outcomes.push(outcome(g, 'failed', errorMessage(err)));
    }
  }
  outcomes.push(...(await closeSuperseded(provider, store, openBefore, outcomes, standing, o.log, now())));
  return { ...(base.revision ? { revision: base.revision } : {}), outcomes, skipped };

  function outcome(g: UpdateGroup, action: ProposalOutcome['action'], reason?: string): ProposalOutcome {
    return { branch: g.branch, title: g.title, type: g.type, action, ...(reason ? { reason } : {}), labels: labelsFor(g), candidates: g.candidates };
  }
}

interface PreparedGroup { group: UpdateGroup; files: Record<string, string>; error?: string }

/**
 * The edited files of every group, re-validated. Groups are validated together in layers (no two in a layer
 * change the same pin), so a large fleet costs a few validations instead of one per group; a layer that fails
 * is re-validated group by group, and a group that fails is dropped with the diagnostics as its reason.
 */
async function prepareGroups(base: ProposalBase, groups: UpdateGroup[], log: Logger): Promise<PreparedGroup[]> {
  const read = async (path: string) => {
    const r = await base.loaded.readText(path);
    if ('error' in r) throw new GitfleetError('E_NOT_FOUND', r.error.message);
    return r.text;
  };
  const out: PreparedGroup[] = [];
  for (const g of groups) {
    const f = await filesFor(g.candidates, read);
    out.push('error' in f ? { group: g, files: {}, error: `cannot edit the files: ${f.error}` } : { group: g, files: f.files });
  }
  const layers: PreparedGroup[][] = [];
  const keys: Set<string>[] = [];
  for (const p of out) {
    if (p.error) continue;
    const mine = p.group.candidates.map(pinKey);
    const i = keys.findIndex((k) => mine.every((x) => !k.has(x)));
    const at = i < 0 ? layers.length : i;
    if (i < 0) { layers.push([]); keys.push(new Set()); }
    layers[at]!.push(p);
    for (const x of mine) keys[at]!.add(x);
  }
  for (const layer of layers) {
    const combined = await filesFor(layer.flatMap((p) => p.group.candidates), read);
    if (!('error' in combined) && (await validateWith(base.source, combined.files)).ok) continue;
    for (const p of layer) {
      const res = await validateWith(base.source, p.files);
      if (!res.ok) {
        p.error = `the edited fleet does not validate: ${formatDiagnostics(res.diagnostics.slice(0, 5))}`;
        log.warn({ branch: p.group.branch, diagnostics: res.diagnostics.length }, 'proposal dropped: it does not validate');
      }
    }
  }
  return out;
}

/**
 * Closes the open non-major proposals of earlier runs whose packages an open proposal of this run now updates
 * (a patch proposal overtaken by a minor one): one package is never in two open non-major proposals at once.
 * Only once the replacement is open; a branch someone else modified stays, reported.
 */
async function closeSuperseded(
  provider: PullRequests, store: ProposalStore, openBefore: readonly PullRequestRef[], outcomes: readonly ProposalOutcome[], standing: ReadonlySet<string>, log: Logger, now: Date,
): Promise<ProposalOutcome[]> {
  const live = new Map<string, { branch: string; to: string }>();
  for (const o of outcomes) {
    if (o.type === 'major' || !standing.has(o.branch)) continue;
    for (const c of o.candidates) live.set(`${c.baseline}/${c.manager}:${c.name}`, { branch: o.branch, to: c.to });
  }
  const seen = new Set(outcomes.map((o) => o.branch));
  const out: ProposalOutcome[] = [];
  for (const pr of openBefore) {
    const rec = store.state.proposals[pr.branch];
    if (seen.has(pr.branch) || !rec || rec.kind !== 'updates') continue;
    const type = rec.type ?? legacyNonMajorType(pr.branch, rec);
    if (!type || type === 'major') continue;
    const taken = Object.keys(rec.versions).map((k) => [k, live.get(k)] as const).filter((x): x is readonly [string, { branch: string; to: string }] => x[1] !== undefined);
    if (!taken.length) continue;
    const reason = `superseded by ${taken[0]![1].branch}: ${taken.map(([k, v]) => `${k} → ${v.to}`).join(', ')}`;
    const base = { branch: pr.branch, title: rec.title, type, labels: [], candidates: [], ...(pr.url ? { url: pr.url } : {}) };
    const res = await closeProposal(provider, store, pr, 'superseded', reason, log, now);
    out.push({ ...base, ...res });
  }
  return out;
}

/**
 * Records older than `type` tell a default non-major group only by its exact branch name, `gitfleet/<baseline>-patch`
 * or `-minor` (as discover.ts builds it) for a baseline of the record; a suffix match would also take a major
 * proposal of a package named `foo-patch` (`gitfleet/<baseline>-major-foo-patch`), so nothing with the major marker counts.
 */
function legacyNonMajorType(branch: string, rec: ProposalRecord): 'patch' | 'minor' | undefined {
  if (branch.includes('-major-')) return undefined;
  const baselines = new Set(Object.keys(rec.versions).map((k) => k.slice(0, k.indexOf('/'))));
  for (const b of baselines) {
    for (const t of ['patch', 'minor'] as const) if (branch === `${UPDATE_PREFIX}${b}-${t}`) return t;
  }
  return undefined;
}

function limitReason(g: UpdateGroup, open: number, lastHour: number): string | undefined {
  if (g.policy.maxOpenPRs !== undefined && open >= g.policy.maxOpenPRs) return `${open} update proposals are open; policy allows ${g.policy.maxOpenPRs}`;
  if (g.policy.maxPRsPerHour !== undefined && lastHour >= g.policy.maxPRsPerHour) return `${lastHour} proposals were created in the last hour; policy allows ${g.policy.maxPRsPerHour}`;
  return undefined;
}

function isUpdateBranch(branch: string): boolean {
  return branch.startsWith(UPDATE_PREFIX) && !branch.startsWith('gitfleet/drift-') && !branch.startsWith('gitfleet/register-');
}

/** `baseline/manager:name` → the proposed version. */
export function versionsOf(g: UpdateGroup): Record<string, string> {
  return Object.fromEntries(g.candidates.map((c) => [`${c.baseline}/${c.manager}:${c.name}`, c.to]));
}
