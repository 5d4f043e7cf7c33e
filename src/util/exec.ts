import { execa } from 'execa';
import { GitfleetError, type ErrorCode } from './errors.js';

/** A process to run: always an argument array, never a shell string. */
export interface Command {
  file: string;
  args: string[];
  env?: Record<string, string>;
  /** When true, `env` is the whole environment (nothing inherited but PATH). */
  cleanEnv?: boolean;
  cwd?: string;
  input?: string;
  /** Milliseconds; default 10 minutes. */
  timeoutMs?: number;
}

export interface CommandResult {
  command: Command;
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Everything needed to act on a failed command. */
export class CommandError extends GitfleetError {
  readonly command: Command;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly stderrTail: string;
  readonly durationMs: number;

  constructor(
    code: ErrorCode,
    message: string,
    fields: { command: Command; exitCode?: number; signal?: string; stderr?: string; durationMs: number },
    cause?: unknown,
  ) {
    super(code, message, { cause, retryable: code === 'E_COMMAND_TIMEOUT' });
    this.name = 'CommandError';
    this.command = fields.command;
    this.exitCode = fields.exitCode;
    this.signal = fields.signal;
    this.stderrTail = tail(fields.stderr ?? '', 2000);
    this.durationMs = fields.durationMs;
  }
}

/** The one interface through which gitfleet starts processes. */
export interface Runner {
  run(cmd: Command): Promise<CommandResult>;
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/** The real runner: execa with an argument array, no shell, a timeout, and errors that say what ran. */
export const execRunner: Runner = {
  async run(cmd) {
    validateCommand(cmd);
    const started = Date.now();
    const env = cmd.cleanEnv ? { PATH: process.env.PATH ?? '/usr/bin:/bin', ...cmd.env } : cmd.env;
    const result = await execa(cmd.file, cmd.args, {
      shell: false,
      reject: false,
      cwd: cmd.cwd,
      env,
      extendEnv: !cmd.cleanEnv,
      input: cmd.input,
      stdin: cmd.input === undefined ? 'ignore' : undefined,
      timeout: cmd.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      stripFinalNewline: false,
      maxBuffer: 256 * 1024 * 1024,
    });
    const durationMs = Date.now() - started;
    const stderr = String(result.stderr ?? '');
    const shown = describe(cmd);
    if (result.timedOut) {
      throw new CommandError('E_COMMAND_TIMEOUT', `${shown} timed out after ${cmd.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`, {
        command: cmd, signal: result.signal ?? undefined, stderr, durationMs,
      });
    }
    if (result.failed && result.exitCode === undefined) {
      const notFound = (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
      const code: ErrorCode = notFound ? 'E_COMMAND_NOT_FOUND' : 'E_COMMAND_FAILED';
      const why = notFound ? `${cmd.file} was not found on PATH` : `${shown} was killed by ${result.signal ?? 'a signal'}`;
      throw new CommandError(code, why, { command: cmd, signal: result.signal ?? undefined, stderr, durationMs }, result.cause);
    }
    return { command: cmd, exitCode: result.exitCode ?? 0, stdout: String(result.stdout ?? ''), stderr, durationMs };
  },
};

/** Runs and throws a CommandError on a non-zero exit. */
export async function runChecked(runner: Runner, cmd: Command): Promise<CommandResult> {
  const res = await runner.run(cmd);
  if (res.exitCode !== 0) {
    const last = tail(res.stderr.trim() || res.stdout.trim(), 400);
    throw new CommandError('E_COMMAND_FAILED', `${describe(cmd)} exited with ${res.exitCode}${last ? `: ${last}` : ''}`, {
      command: cmd, exitCode: res.exitCode, stderr: res.stderr, durationMs: res.durationMs,
    });
  }
  return res;
}

/** A readable, shell-like rendering of a command, for messages only (never executed). */
export function describe(cmd: Command): string {
  return [cmd.file, ...cmd.args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

function validateCommand(cmd: Command): void {
  if (!cmd.file || cmd.file.includes('\0')) throw new GitfleetError('E_INTERNAL', 'command file is empty or contains NUL');
  for (const a of cmd.args) {
    if (typeof a !== 'string' || a.includes('\0')) {
      throw new GitfleetError('E_INTERNAL', `argument of ${cmd.file} is not a string or contains NUL`);
    }
  }
}

function tail(s: string, n: number): string {
  return s.length <= n ? s : s.slice(s.length - n);
}
