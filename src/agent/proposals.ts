/*
 * The agent's side of proposals (DESIGN.md §5): in drift mode `propose`, drift found on a host becomes a branch
 * (git provider) or pull request (github) that adopts what the host has; merging it is the approval. The provider
 * is the one fleet.yaml names (make-provider.ts). A provider failure is reported to the caller, never thrown:
 * the next drift cycle tries again.
 */
import type { Logger } from 'pino';
import type { Runner } from '../util/exec.js';
import { errorMessage } from '../util/errors.js';
import type { Action } from '../plan/types.js';
import type { FleetModel } from '../fleet/model.js';
import type { EventBus } from '../events/bus.js';
import { makeProvider, type MakeProviderOptions } from '../propose/make-provider.js';
import { closeStaleDrift, pendingDrift, proposeDrift, type ClosedDrift, type DriftItem, type DriftProposal } from '../propose/drift.js';
import type { PullRequests } from '../propose/provider.js';
import { openBase } from '../propose/repo.js';
import { ProposalStore } from '../propose/state.js';
import type { Workspace } from '../propose/workspace.js';

/** Where the agent's provider credentials come from; fleet.yaml says which provider. */
export interface AgentProviderSettings {
  /** The environment the provider sees (GITHUB_TOKEN). */
  env?: NodeJS.ProcessEnv;
  /** A token read at each use (`--github-token-file`: rotated tokens are picked up); wins over GITHUB_TOKEN. */
  githubToken?: () => Promise<string | undefined>;
  /** GitHub client tuning (tests shrink the retry waits). */
  github?: MakeProviderOptions['github'];
}

/** What the agent needs to propose: who it is and the parts that touch the world. */
export interface ProposeContext {
  repo: string;
  branch: string;
  host: string;
  stateDir: string;
  runner: Runner;
  log: Logger;
  now: () => Date;
  provider?: AgentProviderSettings;
}

/** The outcome of a drift proposal attempt, for status. */
export type DriftProposalOutcome = { ok: true; proposal: DriftProposal } | { ok: false; error: string };

/** A status condition's reason code and text for a drift proposal attempt: the branch that adopts the drift, or why there is none. */
export function driftProposalCondition(res: DriftProposalOutcome): { reason: string; text: string } {
  if (!res.ok) return { reason: 'ProposeDriftFailed', text: `the proposal failed (${res.error}); retried at the next drift cycle` };
  const p = res.proposal;
  const url = p.pr?.url ? ` ${p.pr.url}` : '';
  // Someone else's commits on the branch are theirs: gitfleet pushed nothing, and says so until the branch goes.
  if (p.action === 'modified') return { reason: 'ProposeDriftModified', text: `${p.branch} left alone (modified by someone else), nothing proposed: ${p.reason ?? 'it holds commits gitfleet did not make'}${url}` };
  const closed = p.closed?.length ? `; ${closedDriftText(p.closed)}` : '';
  if (p.action === 'already-decided' || p.action === 'dropped') return { reason: 'ProposeDrift', text: `${p.branch} not proposed: ${p.reason ?? p.action}${closed}` };
  return { reason: 'ProposeDrift', text: `proposed as ${p.branch} (${p.action})${url}${closed}` };
}

/** What became of the host's older drift proposals: `closed gitfleet/drift-h1-… (superseded)`, or left open and why. */
export function closedDriftText(closed: readonly ClosedDrift[]): string {
  return closed.map((c) => {
    if (c.action === 'modified') return `${c.branch} left open (modified by someone else)`;
    if (c.action === 'failed') return `${c.branch} not closed (${c.reason})`;
    return `closed ${c.branch} (${c.action})`;
  }).join('; ');
}

/** The outcome of closing the host's drift proposals once it has no package drift to adopt, for status. */
export type ObsoleteDriftOutcome = { ok: true; closed: ClosedDrift[] } | { ok: false; error: string };

/** The plan's package actions as drift items; sandbox creation, and the packages inside a sandbox to be created, have nothing to adopt. */
export function driftItems(actions: readonly Action[]): DriftItem[] {
  // A sandbox removed by hand took its packages with it: proposing them `absent` would rewrite the desired state of a sandbox that is gone.
  const gone = new Set(actions.filter((a) => a.kind === 'create-sandbox').map((a) => a.target));
  return actions.flatMap((a) => (a.manager && !gone.has(a.target) ? [{ target: a.target, manager: a.manager, name: a.name, desired: a.to ?? 'absent', actual: a.from ?? 'absent' }] : []));
}

/** The environment for the provider: a token from `--github-token-file` overrides GITHUB_TOKEN. */
export async function providerEnv(settings: AgentProviderSettings | undefined): Promise<NodeJS.ProcessEnv> {
  const env = { ...(settings?.env ?? {}) };
  const token = await settings?.githubToken?.();
  if (token) env.GITHUB_TOKEN = token;
  return env;
}

/** The provider fleet.yaml names, over a workspace in the state directory. */
export async function agentProvider(ctx: ProposeContext, model: FleetModel, ws: Workspace, store: ProposalStore): Promise<PullRequests> {
  return makeProvider({
    model, runner: ctx.runner, ws, store, log: ctx.log, now: ctx.now, env: await providerEnv(ctx.provider),
    ...(ctx.provider?.github ? { github: ctx.provider.github } : {}),
  });
}

/**
 * Proposes adopting `drift` against the branch head (once per distinct drift: proposeDrift keys the branch on a
 * hash of the drift set, leaves an open identical proposal unchanged and does not reopen one a human decided), and
 * closes the host's older open drift proposals as superseded.
 */
export async function proposeHostDrift(ctx: ProposeContext, drift: DriftItem[], bus: EventBus): Promise<DriftProposalOutcome> {
  if (!drift.length) return { ok: false, error: 'no package drift to propose (only sandboxes differ)' };
  try {
    const base = await openBase(ctx.runner, { repo: ctx.repo, stateDir: ctx.stateDir, branch: ctx.branch, dryRun: false });
    const store = await ProposalStore.open(ctx.stateDir);
    const model = base.validation.model;
    const provider = await agentProvider(ctx, model, base.ws!, store);
    const read = async (p: string): Promise<string> => {
      const r = await base.loaded.readText(p);
      if ('error' in r) throw new Error(r.error.message);
      return r.text;
    };
    const proposal = await proposeDrift({ model, host: ctx.host, drift, provider, read, base: ctx.branch, source: base.source, store, now: ctx.now, bus, log: ctx.log });
    ctx.log.info({ branch: proposal.branch, action: proposal.action, reason: proposal.reason }, 'drift proposal');
    return { ok: true, proposal };
  } catch (err) {
    ctx.log.warn({ err: errorMessage(err) }, 'could not propose the drift; retrying at the next drift cycle');
    return { ok: false, error: errorMessage(err) };
  }
}

/**
 * The host has no package drift left to adopt (put back by hand, or the desired state moved to what it has): its open
 * drift proposal would write a state the host no longer has, so it is closed as obsolete, as Renovate closes a pull
 * request whose update is no longer needed. Someone else's commits keep a branch open. Without a drift proposal
 * gitfleet has not yet seen decided, nothing is asked of the server. A failure is reported, never thrown.
 */
export async function closeObsoleteDrift(ctx: ProposeContext): Promise<ObsoleteDriftOutcome> {
  try {
    const store = await ProposalStore.open(ctx.stateDir);
    if (!pendingDrift(store, ctx.host).length) return { ok: true, closed: [] };
    const base = await openBase(ctx.runner, { repo: ctx.repo, stateDir: ctx.stateDir, branch: ctx.branch, dryRun: false });
    const provider = await agentProvider(ctx, base.validation.model, base.ws!, store);
    const reason = `obsolete: ${ctx.host} has no package drift left to adopt`;
    const closed = await closeStaleDrift({ host: ctx.host, provider, store, reason, log: ctx.log, now: ctx.now });
    if (closed.length) ctx.log.info({ closed: closed.map((c) => ({ branch: c.branch, action: c.action })) }, 'obsolete drift proposals');
    return { ok: true, closed };
  } catch (err) {
    ctx.log.warn({ err: errorMessage(err) }, 'could not close obsolete drift proposals; retrying at the next drift cycle');
    return { ok: false, error: errorMessage(err) };
  }
}
