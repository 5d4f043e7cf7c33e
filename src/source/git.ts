import type { Command, Runner } from '../util/exec.js';
import { runChecked } from '../util/exec.js';
import { CommandError } from '../util/exec.js';
import { GitfleetError } from '../util/errors.js';

// Git runs with no system or user config and never prompts: behaviour must not depend on the host's ~/.gitconfig.
const GIT_ENV: Record<string, string> = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_ASKPASS: 'true',
  LC_ALL: 'C',
};

/** A git command as data (no shell); `-c` options keep it safe in any repository. */
export function gitCommand(args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Command {
  return {
    file: 'git',
    args: ['-c', 'core.hooksPath=/dev/null', '-c', 'protocol.file.allow=always', ...args],
    cwd: opts.cwd,
    env: { ...GIT_ENV, ...(opts.env ?? {}) },
    input: opts.input,
    timeoutMs: opts.timeoutMs ?? 120_000,
  };
}

/** Runs git and returns stdout trimmed; failures become E_GIT with git's own message. */
export async function git(runner: Runner, args: string[], opts: Parameters<typeof gitCommand>[1] = {}): Promise<string> {
  try {
    return (await runChecked(runner, gitCommand(args, opts))).stdout.trim();
  } catch (err) {
    if (err instanceof CommandError) {
      throw new GitfleetError('E_GIT', `git ${args.filter((a) => !a.startsWith('-c')).slice(0, 3).join(' ')} failed: ${err.stderrTail.trim().split('\n').slice(-2).join(' ') || err.message}`, { cause: err, retryable: true });
    }
    throw err;
  }
}
