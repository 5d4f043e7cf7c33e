// Small pieces every adapter's index.ts needs: the context applied to a command, detection, a directory test.
import { stat } from 'node:fs/promises';
import type { Command, CommandResult } from '../util/exec.js';
import { GitfleetError } from '../util/errors.js';
import type { AdapterContext, Detection } from './types.js';

/** The context's environment under the command's own, and its timeout, applied to a command. */
export function withCtx(cmd: Command, ctx: AdapterContext): Command {
  const out: Command = ctx.env === undefined ? cmd : { ...cmd, env: { ...ctx.env, ...cmd.env } };
  return ctx.timeoutMs === undefined ? out : { ...out, timeoutMs: ctx.timeoutMs };
}

/**
 * The context's environment over the command's own (apt and dnf let the caller override `LC_ALL`),
 * and its timeout when non-zero, applied to a command.
 */
export function withCtxOverriding(cmd: Command, ctx: AdapterContext): Command {
  const env = ctx.env || cmd.env ? { ...cmd.env, ...ctx.env } : undefined;
  return { ...cmd, ...(env ? { env } : {}), ...(ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}) };
}

/** The context's environment as a partial command (it replaces the command's own). */
export function envOf(ctx: Pick<AdapterContext, 'env'>): { env?: Record<string, string> } {
  return ctx.env ? { env: ctx.env } : {};
}

/**
 * Runs a manager's version command: absent when the executable is not found or exits non-zero,
 * otherwise what `read` makes of the output.
 */
export async function detectWith(ctx: AdapterContext, cmd: Command, read: (res: CommandResult) => Detection): Promise<Detection> {
  try {
    const res = await ctx.runner.run(cmd);
    if (res.exitCode !== 0) return { present: false };
    return read(res);
  } catch (err) {
    if (err instanceof GitfleetError && err.code === 'E_COMMAND_NOT_FOUND') return { present: false };
    throw err;
  }
}

/** True when `p` is an existing directory (following links); false for anything unreadable. */
export async function isDir(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false);
}
