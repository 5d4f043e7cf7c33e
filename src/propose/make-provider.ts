import type { Logger } from 'pino';
import type { Runner } from '../util/exec.js';
import { GitfleetError } from '../util/errors.js';
import type { FleetModel } from '../fleet/model.js';
import type { PullRequests } from './provider.js';
import type { ProposalStore } from './state.js';
import type { Workspace } from './workspace.js';
import { gitProvider } from './providers/git.js';
import type { GithubProviderOptions } from './providers/github.js';

export interface MakeProviderOptions {
  /** `--provider`; else fleet.yaml's `provider`; else git. */
  kind?: 'github' | 'git';
  model: FleetModel;
  runner: Runner;
  ws: Workspace;
  store: ProposalStore;
  log: Logger;
  now: () => Date;
  env: NodeJS.ProcessEnv;
  /** GitHub client tuning (retry bounds, transport), e.g. for an agent's tests. */
  github?: Pick<GithubProviderOptions, 'retry' | 'fetch'>;
}

/** The provider fleet.yaml asks for (or the flag overrides): github through its module, git over the workspace. */
export async function makeProvider(o: MakeProviderOptions): Promise<PullRequests> {
  const configured = o.model.fleet?.value.provider;
  const kind = o.kind ?? (configured?.github ? 'github' : 'git');
  if (kind === 'git') return gitProvider({ runner: o.runner, ws: o.ws, store: o.store, now: o.now, log: o.log });
  const gh = configured?.github;
  if (!gh) throw new GitfleetError('E_USAGE', 'the github provider needs `provider: {github: {owner, repo}}` in fleet.yaml');
  // loaded on demand: the git provider must work without the GitHub client's dependencies
  const mod = (await import('./providers/github.js')) as typeof import('./providers/github.js');
  return mod.githubProvider({
    owner: gh.owner, repo: gh.repo, ...(gh.baseUrl ? { baseUrl: gh.baseUrl } : {}), env: o.env,
    gitRemoteUrl: o.ws.remote, workspaceDir: o.ws.dir, runner: o.runner, log: o.log, ...o.github,
  });
}
