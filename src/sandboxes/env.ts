import { GitfleetError } from '../util/errors.js';
import type { Command, CommandResult } from '../util/exec.js';
import type { SandboxContext } from './types.js';
import { withoutCredentials } from '../util/url-credentials.js';

/**
 * True for an environment entry that carries credentials: a URL with user-info (PIP_INDEX_URL with a token) or npm's
 * per-registry auth config (`npm_config_//host/:_authToken`). Such entries must not be spelled out on the command line
 * of `docker exec` or `wsl.exe`, where process lists and error messages show them.
 */
export function carriesCredentials(name: string, value: string): boolean {
  return /:_(?:authToken|auth|password)$/.test(name) || withoutCredentials(value) !== value;
}

/**
 * `cmd` with `dirs` first on its PATH and `vars` set. The PATH it extends is the command's own, else this process's
 * (read, never changed), so the command still finds everything else.
 */
export function withPath(cmd: Command, dirs: string[], platform: NodeJS.Platform, vars: Record<string, string> = {}): Command {
  const env = { ...(cmd.env ?? {}) };
  const sep = platform === 'win32' ? ';' : ':';
  // Windows spells it `Path`; reuse whatever spelling the command already has so that there is one entry
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? (platform === 'win32' ? 'Path' : 'PATH');
  const base = env[key] ?? inheritedPath(platform);
  return { ...cmd, env: { ...vars, ...env, [key]: [...dirs, ...(base ? [base] : [])].join(sep) } };
}

function inheritedPath(platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return process.env.PATH;
  const key = Object.keys(process.env).find((k) => k.toUpperCase() === 'PATH');
  return key ? process.env[key] : undefined;
}

/** Runs a probe (`tool --version`); `undefined` when the tool is not on PATH, the result otherwise. */
export async function probe(ctx: SandboxContext, file: string, args: string[]): Promise<CommandResult | undefined> {
  try {
    return await ctx.runner.run(ctxCommand(ctx, { file, args }, 30_000));
  } catch (err) {
    if (err instanceof GitfleetError && err.code === 'E_COMMAND_NOT_FOUND') return undefined;
    throw err;
  }
}

/** `cmd` with the context's environment and timeout. */
export function ctxCommand(ctx: SandboxContext, cmd: Command, defaultTimeoutMs?: number): Command {
  const timeoutMs = ctx.timeoutMs ?? defaultTimeoutMs;
  return {
    ...cmd,
    ...(ctx.env || cmd.env ? { env: { ...(ctx.env ?? {}), ...(cmd.env ?? {}) } } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
}

/** The first non-empty line of a tool's output, trimmed (for reasons and versions). */
export function firstLine(...texts: string[]): string {
  for (const t of texts) {
    const line = t.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '');
    if (line) return line;
  }
  return '';
}

/** An E_UNSUPPORTED error carrying an `available()` reason. */
export function unsupported(reason: string): GitfleetError {
  return new GitfleetError('E_UNSUPPORTED', reason);
}
