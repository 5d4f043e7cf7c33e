/*
 * Commit statuses `gitfleet/<host>` (issue 6 item 8): with the github provider in fleet.yaml, the agent shows its
 * rollout of a revision on the commit and PR pages — pending while a wave or window holds it, success once applied
 * healthy, failure after a failed apply or a rollback. The git provider has no statuses: nothing is sent. A status
 * GitHub did not accept is sent again after the next cycle; a failure is logged, never fatal.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { errorMessage } from '../util/errors.js';
import { reportRolloutStatus } from '../propose/status.js';
import type { PullRequests } from '../propose/provider.js';
import type { AgentMemory, RolloutIntent } from './memory.js';
import { providerEnv, type ProposeContext } from './proposals.js';

/** Sends the commit status the memory calls for, once per revision and state. */
export interface CommitStatusReporter {
  sync(mem: AgentMemory): Promise<void>;
}

/** A reporter that keeps one GitHub client per provider settings and token. */
export function commitStatusReporter(ctx: ProposeContext): CommitStatusReporter {
  const log: Logger = ctx.log;
  let cached: { key: string; provider: PullRequests } | undefined;
  let warnedNoToken = false;

  async function providerFor(intent: RolloutIntent & { github: NonNullable<RolloutIntent['github']> }): Promise<PullRequests | undefined> {
    const env = await providerEnv(ctx.provider);
    const token = env.GITHUB_TOKEN;
    if (!token) {
      if (!warnedNoToken) log.warn('fleet.yaml names the github provider but the agent has no token (GITHUB_TOKEN or --github-token-file): no commit statuses');
      warnedNoToken = true;
      return undefined;
    }
    const key = JSON.stringify([intent.github, token]);
    if (cached?.key === key) return cached.provider;
    // Only setCommitStatus is used: the workspace (for proposal branches) is named, never opened. Loaded on demand
    // like make-provider.ts does, so that a git-provider fleet never loads the GitHub client.
    const mod = (await import('../propose/providers/github.js')) as typeof import('../propose/providers/github.js');
    const gh = intent.github;
    const provider = mod.githubProvider({
      owner: gh.owner, repo: gh.repo, ...(gh.baseUrl ? { baseUrl: gh.baseUrl } : {}), env,
      gitRemoteUrl: ctx.repo, workspaceDir: join(ctx.stateDir, 'propose-workspace'), runner: ctx.runner, log, ...ctx.provider?.github,
    });
    cached = { key, provider };
    return provider;
  }

  return {
    async sync(mem) {
      const intent = mem.rollout;
      if (!intent?.github) return;
      const key = `${intent.sha}:${intent.state}`;
      if (mem.rolloutSent === key) return;
      try {
        const provider = await providerFor({ ...intent, github: intent.github });
        if (!provider) return;
        const sent = await reportRolloutStatus(provider, intent.sha, ctx.host, intent.state, intent.detail ? { detail: intent.detail } : {});
        mem.rolloutSent = key;
        log.info({ sha: intent.sha, context: sent.context, state: sent.state }, 'commit status set');
      } catch (err) {
        log.warn({ err: errorMessage(err), sha: intent.sha, state: intent.state }, 'could not set the commit status; retrying after the next cycle');
      }
    },
  };
}
