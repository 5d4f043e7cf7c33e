import { spawn } from 'node:child_process';
import { GitfleetError, type ErrorCode } from './errors.js';
import { withoutCredentials } from './url-credentials.js';

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
  /** What ran; its `env` and `input` are readable but not enumerable (see `withHiddenSecrets`). */
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
    this.command = withHiddenSecrets(fields.command);
    this.exitCode = fields.exitCode;
    this.signal = fields.signal;
    this.stderrTail = tail(fields.stderr ?? '', 2000);
    this.durationMs = fields.durationMs;
  }
}

/**
 * A copy of the command whose `env` (index credentials, npm auth) and `input` are readable but not enumerable, so that
 * JSON, pino's serializers and util.inspect leave them out wherever an error or a result is logged, nested or as a
 * `cause`. The one helper for both CommandError and the results of runs that succeeded. A copy, because the caller's
 * command may be spread again (`{ ...cmd }`) to run it, which must keep its env.
 */
function withHiddenSecrets(cmd: Command): Command {
  const { env, input, ...shown } = cmd;
  const out: Command = { ...shown };
  if (env !== undefined) Object.defineProperty(out, 'env', { value: env, enumerable: false });
  if (input !== undefined) Object.defineProperty(out, 'input', { value: input, enumerable: false });
  return out;
}

/** The one interface through which gitfleet starts processes. */
export interface Runner {
  run(cmd: Command): Promise<CommandResult>;
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/** The real runner: an argument array, no shell, a timeout, and errors that say what ran. */
export const execRunner: Runner = {
  async run(cmd) {
    validateCommand(cmd);
    const started = Date.now();
    const env = cmd.cleanEnv ? { PATH: process.env.PATH ?? '/usr/bin:/bin', ...cmd.env } : cmd.env;
    const opts = { cwd: cmd.cwd, env, extendEnv: !cmd.cleanEnv, input: cmd.input, timeout: cmd.timeoutMs ?? DEFAULT_TIMEOUT_MS };
    // execa costs ~60 ms of module loading per process; it is needed only for Windows' .cmd shims and quoting.
    const result = process.platform === 'win32' ? await viaExeca(cmd, opts) : await viaSpawn(cmd, opts);
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
    return { command: withHiddenSecrets(cmd), exitCode: result.exitCode ?? 0, stdout: String(result.stdout ?? ''), stderr, durationMs };
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

/**
 * A readable, shell-like rendering of a command, for messages only (never executed). Credentials are left out: URL
 * user-info, and npm auth config passed as `K=V` (`docker exec -e`, `env`), since messages reach journals and events.
 */
export function describe(cmd: Command): string {
  return [cmd.file, ...cmd.args].map((a) => redact(a)).map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

function redact(arg: string): string {
  return withoutCredentials(arg).replace(/(:_(?:authToken|auth|password)=)[\s\S]*/, '$1[redacted]');
}

function validateCommand(cmd: Command): void {
  if (!cmd.file || cmd.file.includes('\0')) throw new GitfleetError('E_INTERNAL', 'command file is empty or contains NUL');
  for (const a of cmd.args) {
    if (typeof a !== 'string' || a.includes('\0')) {
      throw new GitfleetError('E_INTERNAL', `argument of ${cmd.file} is not a string or contains NUL`);
    }
  }
}

interface SpawnOptions { cwd?: string; env?: Record<string, string>; extendEnv: boolean; input?: string; timeout: number }
interface Outcome { exitCode?: number; signal?: string; stdout: string; stderr: string; timedOut: boolean; failed: boolean; cause?: unknown }

const MAX_BUFFER = 256 * 1024 * 1024;

/** POSIX: node's own spawn (argument array, no shell), with execa's semantics for env, input, timeout and output. */
function viaSpawn(cmd: Command, o: SpawnOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    let cause: unknown;
    let settled = false;
    const done = (r: Omit<Outcome, 'stdout' | 'stderr' | 'timedOut'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut });
    };
    const child = spawn(cmd.file, cmd.args, {
      cwd: o.cwd, env: o.extendEnv ? { ...process.env, ...o.env } : o.env, shell: false, windowsHide: true,
      stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    // execa's convention: a timeout of 0 means none
    const timer = o.timeout > 0 ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, o.timeout) : undefined;
    const collect = (into: Buffer[]) => (b: Buffer): void => {
      into.push(b);
      size += b.length;
      if (size > MAX_BUFFER && !cause) {
        cause = new Error(`output exceeded ${MAX_BUFFER} bytes`);
        child.kill('SIGKILL');
      }
    };
    child.stdout?.on('data', collect(out));
    child.stderr?.on('data', collect(err));
    child.on('error', (e) => done({ failed: true, cause: e })); // ENOENT and other spawn failures
    // A killed command's grandchildren may hold the pipes open: do not wait for them to close.
    child.on('exit', (_code, signal) => {
      if (!timedOut && !cause) return;
      done({ signal: signal ?? undefined, failed: true, cause });
      child.stdout?.destroy();
      child.stderr?.destroy();
    });
    child.on('close', (code, signal) => {
      const killed = code === null || cause !== undefined;
      done({ exitCode: killed ? undefined : code, signal: signal ?? undefined, failed: killed || code !== 0, cause });
    });
    if (o.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined); // EPIPE when the command exits without reading its input
      child.stdin.end(o.input);
    }
  });
}

/** Windows: execa, loaded only here (it resolves .cmd shims and quotes arguments for them). */
async function viaExeca(cmd: Command, o: SpawnOptions): Promise<Outcome> {
  const { execa } = await import('execa');
  const r = await execa(cmd.file, cmd.args, {
    shell: false, reject: false, cwd: o.cwd, env: o.env, extendEnv: o.extendEnv, input: o.input,
    stdin: o.input === undefined ? 'ignore' : undefined, timeout: o.timeout, killSignal: 'SIGKILL',
    stripFinalNewline: false, maxBuffer: MAX_BUFFER,
  });
  return { exitCode: r.exitCode, signal: r.signal ?? undefined, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), timedOut: Boolean(r.timedOut), failed: r.failed, cause: r.cause };
}

function tail(s: string, n: number): string {
  return s.length <= n ? s : s.slice(s.length - n);
}
