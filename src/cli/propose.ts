import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { CliCommand, CliContext } from './types.js';
import { parseFlags } from './args.js';
import { GitfleetError } from '../util/errors.js';
import { execRunner } from '../util/exec.js';
import { stateDir, statePaths } from '../util/state-dir.js';
import { EventBus } from '../events/bus.js';
import { logSink } from '../events/sinks/log.js';
import { ndjsonSink } from '../events/sinks/ndjson.js';
import { isUrl } from '../propose/repo.js';
import { proposeUpdates, type ProposalOutcome, type ProposeUpdatesResult } from '../propose/updates.js';

const HELP = `Usage: gitfleet propose updates [--repo DIR|URL] [--provider github|git] [--dry-run] [--state-dir DIR] [--json]

Looks up newer versions of every pinned package in every baseline (and imported requirements.txt /
package.json), keeps those the hosts' policies allow (update types, minimum release age, ignore list,
schedule), groups them (one proposal per baseline and update type, majors alone, or the policy's groups; a
package gets one non-major update, to its newest allowed non-major version), edits the pins keeping the
files' formatting, re-validates, and opens one pull request per group: a GitHub PR, or for the git provider a
pushed branch gitfleet/<group> that a human merges. Merging is the approval.

Running it again is safe: an open proposal for the same group is updated in place (regenerated from the base);
one closed without merge is not proposed again until a newer version appears; an open proposal whose branch
someone else committed to is left alone (delete the branch to let gitfleet recreate it); a non-major proposal
whose packages a newer one now updates is closed as superseded; policy limits on open proposals
(maxOpenPRs) and on proposals per hour (maxPRsPerHour) are kept (state in STATE_DIR/proposals.json).

Flags:
  --repo DIR|URL       the fleet repository (default: the current directory); a plain folder only with --dry-run
  --branch B           the base branch (default main)
  --provider P         github or git (default: fleet.yaml's provider, else git)
  --dry-run            print what would be proposed; change nothing
  --state-dir DIR      where gitfleet keeps its state (default /var/lib/gitfleet, or $GITFLEET_STATE_DIR)
  --json               print the outcome as one JSON document

Exit codes: 0 done (also when nothing was proposed), 1 an error or a proposal that failed.

Example:
  gitfleet propose updates --repo https://git.example.com/fleet.git --provider git --state-dir /var/lib/gitfleet`;

/** `gitfleet propose updates`. */
export const proposeCommand: CliCommand = {
  name: 'propose',
  summary: 'propose newer package versions as pull requests (merging is the approval)',
  help: HELP,
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.argv, {
      repo: { type: 'string' }, branch: { type: 'string' }, provider: { type: 'string' }, 'dry-run': { type: 'boolean' },
      'state-dir': { type: 'string' }, json: { type: 'boolean' },
    });
    if (positionals[0] !== 'updates' || positionals.length !== 1) throw new GitfleetError('E_USAGE', 'say what to propose: `gitfleet propose updates`');
    const provider = values.provider;
    if (provider !== undefined && provider !== 'github' && provider !== 'git') throw new GitfleetError('E_USAGE', `--provider is github or git, not "${provider}"`);
    const repo = values.repo ?? '.';
    const dir = stateDir(values['state-dir'] === undefined ? undefined : resolve(ctx.cwd, values['state-dir']), ctx.env);
    const bus = new EventBus({ host: hostname(), sinks: [logSink(ctx.log), ndjsonSink({ path: statePaths(dir).events, log: ctx.log })], log: ctx.log });
    try {
      const res = await proposeUpdates({
        runner: execRunner, log: ctx.log, repo: isUrl(repo) ? repo : resolve(ctx.cwd, repo), stateDir: dir,
        ...(provider ? { provider } : {}), ...(values.branch ? { branch: values.branch } : {}), dryRun: Boolean(values['dry-run']),
        env: { PIP_CONFIG_FILE: ctx.env.GITFLEET_PIP_CONFIG_FILE ?? '/dev/null', PIP_FIND_LINKS: '', npm_config_update_notifier: 'false' },
        processEnv: ctx.env, bus,
      });
      ctx.stdout.write(values.json ? JSON.stringify(res, null, 2) + '\n' : render(res, Boolean(values['dry-run'])));
      return res.outcomes.some((o) => o.action === 'failed') ? 1 : 0;
    } finally {
      await bus.close();
    }
  },
};

/** Actions whose name alone would not say what gitfleet did. */
const LABEL: Partial<Record<ProposalOutcome['action'], string>> = { modified: 'left alone (modified by someone else)', superseded: 'closed (superseded)' };

/** One block per proposal: what happened, the branch, the title and the table. */
export function render(res: ProposeUpdatesResult, dryRun: boolean): string {
  const out: string[] = [];
  // A failed look-up says nothing about newer versions: never report those pins as up to date.
  const failed = res.skipped.filter((s) => s.lookupFailed);
  const notProposed = res.skipped.length - failed.length;
  if (res.outcomes.length === 0) out.push(failed.length ? 'Nothing proposed.' : 'Nothing to propose: every pin is the newest version policy allows.');
  for (const o of res.outcomes) {
    out.push(`${dryRun && o.action === 'would-propose' ? 'would propose' : LABEL[o.action] ?? o.action}: ${o.branch}  ${o.title}${o.reason ? `  (${o.reason})` : ''}${o.url ? `  ${o.url}` : ''}`);
    for (const c of o.candidates) out.push(`    ${c.manager.padEnd(6)} ${c.name.padEnd(24)} ${c.baseline.padEnd(16)} ${c.from} → ${c.to}  ${c.type}`);
    if (o.autoMerge?.merged) out.push('    auto-merged into the base');
    else if (o.autoMerge?.reason) out.push(`    not auto-merged: ${o.autoMerge.reason}`);
  }
  if (notProposed) out.push('', `${notProposed} newer version(s) not proposed (see --json for why).`);
  if (failed.length) {
    out.push('', `${failed.length} package(s) could not be looked up, so their newer versions are unknown (check the registry or the manager; a later run retries):`);
    for (const f of failed.slice(0, 10)) out.push(`    ${f.manager} ${f.name} (${f.baseline}): ${f.reason}`);
    if (failed.length > 10) out.push(`    … and ${failed.length - 10} more (see --json)`);
  }
  return out.join('\n') + '\n';
}

export type { CliContext };
