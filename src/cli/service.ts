import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags } from './args.js';
import type { CliCommand, CliContext } from './types.js';
import { GitfleetError } from '../util/errors.js';
import { execRunner, type Runner } from '../util/exec.js';
import { stateDir } from '../util/state-dir.js';
import { defaultStateDir, parsePlatform, platformOf, renderService, type ServiceOptions, type ServicePlatform } from '../agent/service/index.js';
import { describeStep, executeSteps, planInstall, planUninstall, type InstallTarget, type ServiceStep } from '../agent/service/install.js';

const HELP = `Usage: gitfleet service print|install|uninstall [--platform systemd|launchd|windows] [flags] [-- AGENT-FLAGS...]

Writes the service definition that runs \`gitfleet agent\` on this host:
  systemd  /etc/systemd/system/gitfleet-agent.service (journald logging, restart on
           failure, hardening that still lets apt/dnf install packages)
  launchd  /Library/LaunchDaemons/dev.gitfleet.agent.plist (logs in /Library/Logs/gitfleet)
  windows  gitfleet-agent.xml for WinSW, beside the WinSW exe given with --winsw
See docs/service.md for what each option does and why WinSW.

  print      write the definition to stdout
  install    write it in place, then enable and start the service
             (systemctl daemon-reload + enable --now; launchctl bootstrap system;
             WinSW install + start)
  uninstall  stop and disable the service and remove the definition (the state
             directory is kept)

Flags:
  --platform P       systemd, launchd or windows (default: this host's)
  --repo URL         fleet repository the agent tracks (print, install)
  --host NAME        this host's name in the fleet (print, install)
  --branch B         branch to track (default: the agent's, main)
  --interval D       poll interval, e.g. 30s
  --drift-interval D drift check interval, e.g. 5m
  --state-dir DIR    agent state directory (default: $GITFLEET_STATE_DIR, else the
                     platform's: /var/lib/gitfleet, /Library/Application Support/gitfleet,
                     C:\\ProgramData\\gitfleet)
  --user NAME        account the agent runs as (default: root / LocalSystem)
  --node PATH        node binary (default: the one running this command)
  --cli PATH         gitfleet bin script (default: this installation's bin/gitfleet.js)
  --winsw PATH       windows: the WinSW exe, renamed gitfleet-agent.exe; the XML goes beside it
  --root DIR         install into DIR as if it were / (nothing on this system is touched;
                     systemd: \`systemctl --root=DIR enable\` makes the symlink); allows
                     another platform than this host's
  --no-start         install: write the files only; do not enable or start
  --dry-run          install, uninstall: print the steps, do nothing
  --json             print the result as JSON
  -h, --help         show this help
Everything after \`--\` is passed to \`gitfleet agent\` as is.

Examples:
  gitfleet service print --platform systemd --repo https://git.example.com/fleet.git --host web-01
  sudo gitfleet service install --repo ssh://git@git.example.com/fleet.git --host web-01 --interval 1m
  gitfleet service install --platform systemd --repo /srv/fleet.git --host web-01 --root /tmp/img --no-start
  gitfleet service install --platform windows --repo https://git.example.com/fleet.git --host win-01 \\
    --winsw C:\\gitfleet\\gitfleet-agent.exe --node "C:\\Program Files\\nodejs\\node.exe" --cli C:\\gitfleet\\bin\\gitfleet.js
  sudo gitfleet service uninstall --dry-run
`;

const FLAGS = {
  platform: { type: 'string' },
  repo: { type: 'string' },
  host: { type: 'string' },
  branch: { type: 'string' },
  interval: { type: 'string' },
  'drift-interval': { type: 'string' },
  'state-dir': { type: 'string' },
  user: { type: 'string' },
  node: { type: 'string' },
  cli: { type: 'string' },
  winsw: { type: 'string' },
  root: { type: 'string' },
  'no-start': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseFlags<typeof FLAGS>>['values'];

/** `gitfleet service`: prints, installs or uninstalls the agent's service definition. */
export const serviceCommand: CliCommand = {
  name: 'service',
  summary: 'print, install or uninstall the agent as a systemd, launchd or Windows service',
  help: HELP,
  run: (ctx) => runService(ctx, execRunner),
};

/** The command with its Runner passed in (systemctl, launchctl, WinSW run through it). */
export async function runService(ctx: CliContext, runner: Runner): Promise<number> {
  const split = ctx.argv.indexOf('--');
  const own = split === -1 ? ctx.argv : ctx.argv.slice(0, split);
  const extraArgs = split === -1 ? [] : ctx.argv.slice(split + 1);
  const { values, positionals } = parseFlags(own, FLAGS);
  const [sub, ...rest] = positionals;
  if (sub !== 'print' && sub !== 'install' && sub !== 'uninstall') {
    throw new GitfleetError('E_USAGE', sub === undefined ? 'missing subcommand: print, install or uninstall' : `unknown subcommand "${sub}"`);
  }
  if (rest.length > 0) throw new GitfleetError('E_USAGE', `unexpected argument "${rest[0]}" (agent flags go after --)`);
  const hostPlatform = platformOf(process.platform);
  const platform = values.platform ? parsePlatform(values.platform) : hostPlatform;
  if (!platform) throw new GitfleetError('E_UNSUPPORTED', `no service manager is known for ${process.platform}: pass --platform`);
  const root = values.root === undefined ? undefined : resolve(ctx.cwd, values.root);
  const sameHost = platform === hostPlatform;
  // For another platform the path is that host's, so it is neither resolved here nor looked up in this environment.
  const flagState = values['state-dir'];
  const state = sameHost ? stateDir(flagState && resolve(ctx.cwd, flagState), ctx.env) : flagState ?? defaultStateDir(platform);

  if (sub !== 'print' && root === undefined && !sameHost) {
    throw new GitfleetError('E_UNSUPPORTED', `cannot ${sub} a ${platform} service on this host (${process.platform}${hostPlatform ? `, which uses ${hostPlatform}` : ''}): use \`gitfleet service print --platform ${platform}\` to get the file, or --root DIR to write it into a directory tree`);
  }
  const target: InstallTarget = { platform, root, noStart: values['no-start'] ?? false, winswExe: values.winsw, stateDir: state };
  if (sub === 'uninstall') return finish(ctx, values, planUninstall(target), runner, platform);

  const options = serviceOptions(values, ctx, platform, sameHost, state, extraArgs);
  const file = renderService(platform, options);
  if (sub === 'print') {
    ctx.stdout.write(values.json ? `${JSON.stringify(file, null, 2)}\n` : file.content);
    return 0;
  }
  return finish(ctx, values, planInstall(file, target), runner, platform);
}

function serviceOptions(values: Values, ctx: CliContext, platform: ServicePlatform, sameHost: boolean, state: string, extraArgs: string[]): ServiceOptions {
  if (!values.repo) throw new GitfleetError('E_USAGE', 'missing --repo URL: the fleet repository the agent tracks');
  if (!values.host) throw new GitfleetError('E_USAGE', "missing --host NAME: this host's name in the fleet");
  return {
    execPath: values.node ?? process.execPath,
    cliPath: values.cli ?? fileURLToPath(new URL('../../bin/gitfleet.js', import.meta.url)),
    // The service starts in /: a relative local path would point elsewhere there.
    repo: sameHost && isLocalRelative(values.repo) ? resolve(ctx.cwd, values.repo) : values.repo,
    host: values.host,
    branch: values.branch,
    interval: values.interval,
    driftInterval: values['drift-interval'],
    stateDir: state,
    user: values.user,
    extraArgs,
  };
}

async function finish(ctx: CliContext, values: Values, steps: ServiceStep[], runner: Runner, platform: ServicePlatform): Promise<number> {
  const dryRun = values['dry-run'] ?? false;
  const lines = dryRun ? steps.map(describeStep) : await executeSteps(steps, runner);
  const next = nextSteps(values, platform, steps);
  if (values.json) {
    ctx.stdout.write(`${JSON.stringify({ platform, dryRun, steps: lines, next }, null, 2)}\n`);
    return 0;
  }
  ctx.stdout.write(lines.map((l) => `${dryRun ? 'would ' : ''}${l}\n`).join(''));
  if (next.length > 0) ctx.stdout.write(`Next, as Administrator:\n${next.map((n) => `  ${n}\n`).join('')}`);
  return 0;
}

// WinSW steps left to the operator: when nothing was run on a Windows install (--no-start, --root).
function nextSteps(values: Values, platform: ServicePlatform, steps: ServiceStep[]): string[] {
  if (platform !== 'windows' || !values.winsw || steps.some((s) => s.kind === 'run')) return [];
  if (!steps.some((s) => s.kind === 'write')) return [];
  return [`${values.winsw} install`, `${values.winsw} start`];
}

function isLocalRelative(repo: string): boolean {
  return !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(repo) && !/^[^/\\]+@[^/\\]+:/.test(repo) && !isAbsolute(repo);
}
