import type { Runner } from '../../util/exec.js';
import { CommandError, describe } from '../../util/exec.js';
import { detectWith, envOf } from '../common.js';
import type { AdapterContext, AvailableVersion, Detection, InstalledList, ManagerAdapter, ManagerSources, Target } from '../types.js';
import { npmCommands, npmListCommand, npmVersionCommand, npmViewCommand } from './commands.js';
import { nodeModulesOf, readNodeModules } from './installed.js';
import { parseNpmLs, parseNpmView, validNpmName } from './parse.js';
import { semver } from './versions.js';

/** npm: prefixes and projects, listed from package.json files, changed with one npm call per target. */
export const npmAdapter: ManagerAdapter = {
  id: 'npm',
  os: ['linux', 'windows', 'macos'],
  versions: semver,
  // npm names are already canonical (lower case for every new package; scopes kept).
  normalizeName: (name: string) => name,
  validName: validNpmName,

  async detect(ctx: AdapterContext): Promise<Detection> {
    return detectWith(ctx, { ...npmVersionCommand(ctx.timeoutMs), ...envOf(ctx) }, (res) => {
      const version = res.stdout.trim();
      return /^\d+\.\d+\.\d+/.test(version) ? { present: true, version, path: 'npm' } : { present: false };
    });
  },

  async listInstalled(target: Target, ctx: AdapterContext): Promise<InstalledList> {
    if (target.kind === 'node-prefix' || target.kind === 'node-project') {
      const dir = await nodeModulesOf(target);
      if (dir === undefined) return { packages: {}, via: 'database' };
      return { packages: await readNodeModules(dir, target.kind === 'node-project' ? target.path : undefined), via: 'database' };
    }
    // The system's global prefix is only known to npm itself.
    const cmd = { ...npmListCommand(target, ctx.timeoutMs), ...envOf(ctx) };
    const res = await ctx.runner.run(cmd);
    // npm ls exits 1 on tree problems (missing, invalid) yet still prints the JSON tree.
    if (res.exitCode !== 0 && !res.stdout.trim().startsWith('{')) throw failed(cmd, res);
    return { packages: parseNpmLs(res.stdout), via: 'command' };
  },

  async listAvailable(name: string, ctx: AdapterContext, sources?: ManagerSources): Promise<AvailableVersion[]> {
    return listAvailableNpm(ctx.runner, name, sources, ctx);
  },

  commands(changes, target, sources) {
    return npmCommands(changes, target, sources);
  },
};

/** Versions of `name` from `npm view` (dates from `time`), ascending by semver; invalid versions dropped. */
export async function listAvailableNpm(
  runner: Runner, name: string, sources: ManagerSources = {}, ctx: Pick<AdapterContext, 'env' | 'timeoutMs'> = {},
): Promise<AvailableVersion[]> {
  const view = npmViewCommand(name, sources, ctx.timeoutMs);
  // The registry's auth config (view.env) stays over the context's environment.
  const cmd = ctx.env || view.env ? { ...view, env: { ...ctx.env, ...view.env } } : view;
  const res = await runner.run(cmd);
  // `npm view --json` reports errors (E404 included) as JSON on stdout with a non-zero exit.
  if (res.exitCode !== 0 && !res.stdout.trim().startsWith('{')) throw failed(cmd, res);
  return parseNpmView(res.stdout)
    .filter((v) => semver.valid(v.version))
    .sort((a, b) => semver.compare(a.version, b.version));
}

function failed(cmd: Parameters<Runner['run']>[0], res: Awaited<ReturnType<Runner['run']>>): CommandError {
  const last = (res.stderr.trim() || res.stdout.trim()).slice(-400);
  return new CommandError('E_COMMAND_FAILED', `${describe(cmd)} exited with ${res.exitCode}${last ? `: ${last}` : ''}`, {
    command: cmd, exitCode: res.exitCode, stderr: res.stderr, durationMs: res.durationMs,
  });
}
