// `secret rotate|rekey --provider github`: the GitHub provider over a clone of the fleet, with a token from
// GITHUB_TOKEN or a file. The token reaches git only as an HTTP header in the environment, never in argv.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { Logger } from 'pino';
import type { Runner } from '../util/exec.js';
import { GitfleetError, errorMessage } from '../util/errors.js';
import { git } from '../source/git.js';
import type { GithubProviderOptions } from '../propose/providers/github.js';
import { gitReader } from './propose.js';
import { diskReader } from './store.js';
import type { ProposalSetup } from './provider-setup.js';

/** What the GitHub setup needs besides the runner; `fetch` and `retry` are for tests. */
export interface GithubSetupOptions {
  runner: Runner;
  repoDir: string;
  stateDir?: string;
  remote?: string;
  base?: string;
  env: NodeJS.ProcessEnv;
  /** `--github-token-file`: wins over GITHUB_TOKEN. */
  tokenFile?: string;
  log?: Logger;
  fetch?: GithubProviderOptions['fetch'];
  retry?: GithubProviderOptions['retry'];
}

interface FleetGithub { owner: string; repo: string; baseUrl?: string }

/** The token: the file's first line, else GITHUB_TOKEN; E_USAGE when neither is there. */
export async function githubToken(env: NodeJS.ProcessEnv, tokenFile: string | undefined): Promise<string> {
  if (tokenFile !== undefined) {
    let text: string;
    try {
      text = await readFile(tokenFile, 'utf8');
    } catch (err) {
      throw new GitfleetError('E_USAGE', `cannot read --github-token-file ${tokenFile}: ${errorMessage(err)}`);
    }
    const token = text.split(/\r?\n/)[0]!.trim();
    if (!token) throw new GitfleetError('E_USAGE', `--github-token-file ${tokenFile} is empty`);
    return token;
  }
  if (env.GITHUB_TOKEN) return env.GITHUB_TOKEN;
  throw new GitfleetError('E_USAGE', 'the github provider needs a token: set GITHUB_TOKEN or pass --github-token-file FILE');
}

/** The GitHub provider for fleet.yaml's `provider.github`, and a reader of the base branch it builds on. */
export async function githubProposalSetup(a: GithubSetupOptions): Promise<ProposalSetup> {
  const repoDir = resolve(a.repoDir);
  const fleetText = await diskReader(repoDir)('fleet.yaml');
  const fleet = (fleetText === undefined ? undefined : parse(fleetText)) as { branch?: string; provider?: { github?: FleetGithub } } | null | undefined;
  const gh = fleet?.provider?.github;
  if (!gh?.owner || !gh.repo) throw new GitfleetError('E_USAGE', 'the github provider needs `provider: {github: {owner, repo}}` in fleet.yaml');
  const token = await githubToken(a.env, a.tokenFile);
  const base = a.base ?? fleet?.branch ?? 'main';
  const remote = a.remote ?? await originUrl(a.runner, repoDir) ?? webRemote(gh);
  const home = a.stateDir ?? join(await git(a.runner, ['-C', repoDir, 'rev-parse', '--absolute-git-dir']), 'gitfleet');
  const workspaceDir = join(home, 'github-workspace');
  const [{ authedRunner, githubProvider }, { openWorkspace }] = await Promise.all([import('../propose/providers/github.js'), import('../propose/workspace.js')]);
  const provider = githubProvider({
    owner: gh.owner, repo: gh.repo, ...(gh.baseUrl ? { baseUrl: gh.baseUrl } : {}), auth: { token }, gitRemoteUrl: remote,
    workspaceDir, runner: a.runner, ...(a.log ? { log: a.log } : {}), ...(a.fetch ? { fetch: a.fetch } : {}), ...(a.retry ? { retry: a.retry } : {}),
  });
  // The proposal is built on the base as GitHub has it now: fetch it (authenticated) before reading.
  const authed = authedRunner(a.runner, remote, async () => token);
  let ws;
  try {
    ws = await openWorkspace(authed, remote, workspaceDir, base);
  } catch (err) {
    const msg = [token, Buffer.from(`x-access-token:${token}`).toString('base64')].reduce((m, t) => m.split(t).join('[redacted]'), errorMessage(err));
    throw new GitfleetError(err instanceof GitfleetError ? err.code : 'E_GIT', msg, { retryable: err instanceof GitfleetError ? err.retryable : true });
  }
  return { provider, read: gitReader(a.runner, ws.dir, base), base };
}

async function originUrl(runner: Runner, repoDir: string): Promise<string | undefined> {
  const r = await runner.run({ file: 'git', args: ['-C', repoDir, 'remote', 'get-url', 'origin'], timeoutMs: 10_000 }).catch(() => undefined);
  return r?.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/** `https://github.com/OWNER/REPO.git`, or the Enterprise host of `baseUrl` (`https://ghe/api/v3` → `https://ghe/OWNER/REPO.git`). */
function webRemote(gh: FleetGithub): string {
  const host = gh.baseUrl ? new URL(gh.baseUrl).origin : 'https://github.com';
  return `${host}/${gh.owner}/${gh.repo}.git`;
}
