import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { CliCommand, CliContext } from './types.js';
import { parseFlags } from './args.js';
import { GitfleetError } from '../util/errors.js';
import { execRunner } from '../util/exec.js';
import { stateDir, statePaths } from '../util/state-dir.js';
import { collectFacts } from '../host/facts.js';
import { EventBus } from '../events/bus.js';
import { logSink } from '../events/sinks/log.js';
import { ndjsonSink } from '../events/sinks/ndjson.js';
import { isUrl } from '../propose/repo.js';
import { registerHost, type RegisterHostResult } from '../propose/register.js';

const HELP = `Usage: gitfleet host register --repo DIR|URL [--name N] [--labels k=v,...] [--wave W] [--baselines a,b]
                              [--sandboxes name=template,...]
                              [--provider git|github] [--state-dir DIR] [--json]

Gathers this host's facts, writes hosts/<name>.yaml (os, arch, capability labels, the given labels, wave and
baselines, and the age recipient when the state directory holds an identity), validates the fleet with it, and
opens the pull request "register host <name>" (branch gitfleet/register-<name>). Merging it admits the host:
its agent then applies its baselines.

Flags:
  --repo DIR|URL     the fleet git repository (required)
  --name N           the host's name (default: this machine's hostname, lower-cased)
  --labels k=v,...   labels baselines select on
  --wave W           the rollout wave (default: the fleet's last wave)
  --baselines a,b    baselines to apply (default none: add them later)
  --sandboxes n=t,.. sandboxes the baselines target: sandbox name = template
  --branch B         the base branch (default main)
  --provider P       github or git (default: fleet.yaml's provider, else git)
  --state-dir DIR    where gitfleet keeps its state (default /var/lib/gitfleet, or $GITFLEET_STATE_DIR)
  --json             print the result as JSON

Example:
  gitfleet host register --repo https://git.example.com/fleet.git --labels role=trainer,site=berlin --wave canary`;

/** `gitfleet host register ...`: argv are the flags after `register`. */
export async function runHostRegister(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    repo: { type: 'string' }, name: { type: 'string' }, labels: { type: 'string' }, wave: { type: 'string' }, baselines: { type: 'string' }, sandboxes: { type: 'string' },
    branch: { type: 'string' }, provider: { type: 'string' }, 'state-dir': { type: 'string' }, json: { type: 'boolean' },
  }, false);
  if (values.help) {
    ctx.stdout.write(HELP + '\n');
    return 0;
  }
  if (!values.repo) throw new GitfleetError('E_USAGE', '--repo DIR|URL is required');
  const provider = values.provider;
  if (provider !== undefined && provider !== 'github' && provider !== 'git') throw new GitfleetError('E_USAGE', `--provider is github or git, not "${provider}"`);
  const dir = stateDir(values['state-dir'] === undefined ? undefined : resolve(ctx.cwd, values['state-dir']), ctx.env);
  const facts = await collectFacts({ env: ctx.env });
  const bus = new EventBus({ host: values.name ?? hostname(), sinks: [logSink(ctx.log), ndjsonSink({ path: statePaths(dir).events, log: ctx.log })], log: ctx.log });
  try {
    const res = await registerHost({
      runner: execRunner, log: ctx.log, repo: isUrl(values.repo) ? values.repo : resolve(ctx.cwd, values.repo), stateDir: dir, facts,
      ...(values.name ? { name: values.name } : {}), labels: parseLabels(values.labels), ...(values.wave ? { wave: values.wave } : {}),
      baselines: values.baselines ? values.baselines.split(',').map((s) => s.trim()).filter(Boolean) : [],
      sandboxes: parseLabels(values.sandboxes),
      ...(values.branch ? { branch: values.branch } : {}), ...(provider ? { provider } : {}), bus, processEnv: ctx.env,
    });
    if (values.json) {
      ctx.stdout.write(JSON.stringify({
        name: res.name, file: res.file, branch: res.branch, pr: res.pr, created: res.created, updated: res.updated, ...(res.modified ? { modified: res.modified } : {}),
      }, null, 2) + '\n');
    } else ctx.stdout.write(registerSummary(res));
    return 0;
  } finally {
    await bus.close();
  }
}

/** The human summary: what happened to the registration proposal, then the host document. */
export function registerSummary(res: Pick<RegisterHostResult, 'name' | 'branch' | 'pr' | 'created' | 'updated' | 'modified' | 'text'>): string {
  const url = res.pr.url ? `  ${res.pr.url}` : '';
  const head = `${res.branch}  register host ${res.name}${url}`;
  let line: string;
  if (res.created) line = `proposed: ${head}`;
  else if (res.updated) line = `updated: ${head}`;
  else if (res.modified) line = `left alone: ${head}\n  ${res.modified}`;
  else if (res.pr.state === 'closed') line = `already proposed and closed without merge: ${head}\n  the host stays out of the fleet; a changed registration opens a new proposal`;
  else line = `already proposed, unchanged (nothing pushed, no event): ${head}\n  merging it admits the host`;
  return `${line}\n${res.text}`;
}

/** `k=v,k2=v2` → labels; anything else is a usage error. */
export function parseLabels(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new GitfleetError('E_USAGE', `--labels takes k=v pairs separated by commas, not "${part}"`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** The same, as a command object (host.ts loads this file on demand). */
export const hostRegisterCommand: CliCommand = {
  name: 'register',
  summary: 'propose this host to the fleet as a pull request',
  help: HELP,
  run: (ctx) => runHostRegister(ctx, ctx.argv),
};
