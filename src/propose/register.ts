import { access } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Runner } from '../util/exec.js';
import { GitfleetError, ValidationError } from '../util/errors.js';
import { statePaths } from '../util/state-dir.js';
import type { HostFacts } from '../host/types.js';
import { deriveCapabilities } from '../host/capabilities.js';
import { identityFileRecipient } from '../secrets/identity.js';
import type { EventBus } from '../events/bus.js';
import type { PullRequestRef, PullRequests } from './provider.js';
import { openBase } from './repo.js';
import { validateWith } from './revalidate.js';
import { ProposalStore } from './state.js';
import { makeProvider } from './make-provider.js';

export interface RegisterHostOptions {
  runner: Runner;
  log: Logger;
  repo: string;
  stateDir: string;
  facts: HostFacts;
  /** Default: the facts' hostname, lower-cased, with invalid characters made `-`. */
  name?: string;
  labels?: Record<string, string>;
  wave?: string;
  baselines?: string[];
  /** Sandbox name → template, for baselines that target `sandbox:<name>`. */
  sandboxes?: Record<string, string>;
  branch?: string;
  provider?: 'github' | 'git';
  pullRequests?: PullRequests;
  now?: () => Date;
  bus?: EventBus;
  processEnv?: NodeJS.ProcessEnv;
}

export interface RegisterHostResult {
  name: string;
  file: string;
  text: string;
  branch: string;
  pr: PullRequestRef;
  created: boolean;
  /** An open proposal was changed (false with `created` false: it already said exactly this). */
  updated: boolean;
  /** The open proposal's branch holds someone else's commits, so it was left alone: what to do about it. */
  modified?: string;
}

const NAME = /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/;

/** The host name from a hostname: lower case, `-` for anything a resource name cannot hold. */
export function hostNameFrom(hostname: string): string {
  return hostname.toLowerCase().split('.')[0]!.replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 63);
}

/**
 * Writes hosts/<name>.yaml from this host's facts (os, arch, capabilities), the given labels, wave and baselines,
 * and the recipient of the state directory's age identity when there is one; validates the fleet with it; and
 * opens the proposal "register host <name>" (branch gitfleet/register-<name>). Merging it admits the host.
 */
export async function registerHost(o: RegisterHostOptions): Promise<RegisterHostResult> {
  const name = o.name ?? hostNameFrom(o.facts.hostname);
  if (!NAME.test(name)) throw new GitfleetError('E_USAGE', `"${name}" is not a valid host name: lower-case letters, digits, ".", "_" and "-", at most 63 characters (pass --name)`);
  const os = o.facts.os.platform;
  const arch = o.facts.arch;
  if (os !== 'linux' && os !== 'windows' && os !== 'macos') throw new GitfleetError('E_UNSUPPORTED', `gitfleet manages linux, windows and macos hosts, not ${os}`);
  if (arch !== 'x64' && arch !== 'arm64') throw new GitfleetError('E_UNSUPPORTED', `gitfleet manages x64 and arm64 hosts, not ${arch}`);

  const base = await openBase(o.runner, { repo: o.repo, stateDir: o.stateDir, branch: o.branch ?? 'main', dryRun: false });
  if (!base.ws) throw new GitfleetError('E_INTERNAL', 'registration needs a git workspace');
  const model = base.validation.model;
  const file = `hosts/${name}.yaml`;
  if (model.hosts.has(name)) throw new GitfleetError('E_USAGE', `host "${name}" is already in the fleet (${file}); pick another --name`);

  const recipient = await recipientIn(o.stateDir);
  const text = hostYaml({ name, os, arch, labels: o.labels ?? {}, wave: o.wave, capabilities: deriveCapabilities(o.facts), baselines: o.baselines ?? [], sandboxes: o.sandboxes ?? {}, recipient });
  const check = await validateWith(base.source, { [file]: text });
  if (!check.ok) throw new ValidationError(check.diagnostics);

  const store = await ProposalStore.open(o.stateDir);
  const now = o.now ?? (() => new Date());
  const provider = o.pullRequests ?? await makeProvider({ kind: o.provider, model, runner: o.runner, ws: base.ws, store, log: o.log, now, env: o.processEnv ?? process.env });
  const branch = `gitfleet/register-${name}`;
  const title = `register host ${name}`;
  const body = [
    '## gitfleet host registration', '',
    `A new host asks to join the fleet as **${name}** (${os}/${arch}${o.wave ? `, wave ${o.wave}` : ''}).`, '',
    '```yaml', text.trimEnd(), '```', '',
    '### What merging does', '',
    `- Merging admits the host: its agent starts applying ${o.baselines?.length ? `baselines ${o.baselines.join(', ')}` : 'nothing yet (no baselines: add some in a later PR)'}.`,
    '- Closing it without merging keeps the host out; its agent keeps waiting.',
  ].join('\n') + '\n';
  const res = await provider.ensurePullRequest({ branch, base: base.ws.base, title, body, labels: ['gitfleet', 'register'], files: { [file]: text }, commitMessage: title });
  const changed = res.created || res.updated;
  if (changed) await provider.addLabels(res.pr, ['gitfleet', 'register']);
  store.record({ branch, title, kind: 'register', sha: res.pr.headSha, id: res.pr.id, versions: { [file]: name }, ...(res.modified ? { modified: true as const } : {}) }, now());
  await store.save();
  // a re-run that changes nothing registers nothing new: no event
  if (changed) o.bus?.emit('infrastructure.host.registered', { name, os, arch });
  else o.log.info({ branch, state: res.pr.state, ...(res.modified ? { reason: res.modified } : {}) }, 'registration already proposed; nothing changed');
  return { name, file, text, branch, pr: res.pr, created: res.created, updated: res.updated, ...(res.modified ? { modified: res.modified } : {}) };
}

interface HostYamlInput {
  name: string; os: string; arch: string; labels: Record<string, string>; wave?: string; capabilities: string[];
  baselines: string[]; sandboxes: Record<string, string>; recipient?: string;
}

/** The new host document: flat, one key per line, values quoted where YAML could misread them. */
export function hostYaml(h: HostYamlInput): string {
  const q = (s: string) => (/^[a-z0-9][a-z0-9._/-]*$/i.test(s) && !/^(true|false|null|yes|no|on|off|~|[0-9.eE+-]+)$/i.test(s) ? s : JSON.stringify(s));
  const lines = [
    "# Written by `gitfleet host register` from this host's facts; review, then merge to admit the host.",
    'apiVersion: gitfleet/v1',
    'kind: Host',
    `name: ${h.name}`,
    `os: ${h.os}`,
    `arch: ${h.arch}`,
  ];
  if (h.wave) lines.push(`wave: ${q(h.wave)}`);
  const labels = Object.entries(h.labels);
  if (labels.length) lines.push('labels:', ...labels.map(([k, v]) => `  ${q(k)}: ${q(v)}`));
  if (h.capabilities.length) lines.push('capabilities:', ...h.capabilities.map((c) => `  - ${JSON.stringify(c)}`));
  lines.push(`baselines: [${h.baselines.map(q).join(', ')}]`);
  const sandboxes = Object.entries(h.sandboxes);
  if (sandboxes.length) lines.push('sandboxes:', ...sandboxes.map(([n, t]) => `  ${q(n)}: {template: ${q(t)}}`));
  if (h.recipient) lines.push(`recipient: ${h.recipient}`);
  return lines.join('\n') + '\n';
}

async function recipientIn(stateDir: string): Promise<string | undefined> {
  const path = statePaths(stateDir).identity;
  try {
    await access(path);
  } catch {
    return undefined;
  }
  return identityFileRecipient(path);
}
