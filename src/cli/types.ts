import type { Logger } from 'pino';

/** What a command gets: its arguments after the command name, output streams and a logger. */
export interface CliContext {
  argv: string[];
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  log: Logger;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** One CLI verb. `run` returns the exit code (0 ok, 1 error, 2 changes present with --detailed-exitcode). */
export interface CliCommand {
  name: string;
  summary: string;
  /** Full help: usage, flags, an example. */
  help: string;
  run(ctx: CliContext): Promise<number>;
}
