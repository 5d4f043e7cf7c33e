import type { InstalledList, ManagerId } from '../managers/types.js';
import { CommandError, describe, type Command, type CommandResult } from '../util/exec.js';
import { GitfleetError, errorMessage } from '../util/errors.js';
import { ctxCommand, firstLine } from './env.js';
import { insideListCommand, insideListing, type InsideListing } from './listing.js';
import type { DesiredSandbox, SandboxContext, SandboxDriver } from './types.js';

/** What listing inside a sandbox needs: the driver's context (its `env` is for the docker / wsl.exe process itself). */
export interface InsideContext extends SandboxContext {
  /** Environment for the manager inside the sandbox (what the adapters get as `env`). */
  managerEnv?: Record<string, string>;
}

// A listing inside a container answers in seconds; without this a hung engine would hold a plan for the runner's 10 minutes.
const LIST_TIMEOUT_MS = 120_000;

/**
 * Lists what `manager` has installed inside a docker container or WSL distribution: the manager's machine-readable
 * listing run through the driver's `exec`, read by the adapter's own parser. Throws a GitfleetError whose message says
 * why not (no engine, no CLI, the sandbox gone or stopped, the manager failing).
 */
export async function listInside(sb: DesiredSandbox, manager: ManagerId, driver: SandboxDriver, ctx: InsideContext): Promise<InstalledList> {
  const prefix = `cannot list ${manager} packages inside ${sb.type} sandbox ${sb.name}: `;
  let listing: InsideListing;
  let cmd: Command;
  try {
    listing = await insideListing(manager);
    cmd = ctxCommand(ctx, insideListCommand(sb, listing.command, driver, ctx.managerEnv), LIST_TIMEOUT_MS);
  } catch (err) {
    throw prefixed(prefix, err);
  }
  let res: CommandResult;
  try {
    res = await ctx.runner.run(cmd);
  } catch (err) {
    if (err instanceof GitfleetError && err.code === 'E_COMMAND_NOT_FOUND') throw (await diagnose(sb, driver, ctx, prefix)) ?? prefixed(prefix, err);
    throw prefixed(prefix, err);
  }
  if (!listing.usable(res)) throw (await diagnose(sb, driver, ctx, prefix)) ?? failed(prefix, cmd, res);
  try {
    return { packages: listing.parse(res.stdout), via: 'command' };
  } catch (err) {
    throw prefixed(prefix, err);
  }
}

/**
 * Why a listing could not run, asked of the driver only after it failed (a listing that works costs one process):
 * its tool is missing, or the sandbox is gone or stopped. Undefined when the sandbox looks fine (the manager failed).
 */
async function diagnose(sb: DesiredSandbox, driver: SandboxDriver, ctx: SandboxContext, prefix: string): Promise<GitfleetError | undefined> {
  try {
    const a = await driver.available(ctx);
    if (!a.ok) return new GitfleetError('E_UNSUPPORTED', prefix + a.reason);
    const s = await driver.inspect(sb, ctx);
    if (!s.exists) return new GitfleetError('E_NOT_FOUND', `${prefix}it does not exist${s.detail ? ` (${s.detail})` : ''}; apply creates it`);
    if (s.running === false) return new GitfleetError('E_UNSUPPORTED', `${prefix}it is not running (${s.detail ?? 'stopped'}); start it and plan again`);
    return undefined;
  } catch {
    // the driver could not tell either: the listing's own failure is the best account there is
    return undefined;
  }
}

function failed(prefix: string, cmd: Command, res: CommandResult): CommandError {
  // wsl.exe prints its own errors in UTF-16
  const out = (t: string) => t.replace(/\0/g, '');
  const why = firstLine(out(res.stderr), out(res.stdout));
  return new CommandError('E_COMMAND_FAILED', `${prefix}${describe(cmd)} exited with ${res.exitCode}${why ? `: ${why}` : ''}`, {
    command: cmd, exitCode: res.exitCode, stderr: res.stderr, durationMs: res.durationMs,
  });
}

function prefixed(prefix: string, err: unknown): GitfleetError {
  const code = err instanceof GitfleetError ? err.code : 'E_INTERNAL';
  return new GitfleetError(code, prefix + errorMessage(err), { cause: err, retryable: err instanceof GitfleetError && err.retryable });
}
