// The gitfleet CLI with captured output: in this process through `main` (or one command's `run`), or as its own process.
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pino, type Level } from 'pino';
import { main } from '../../src/cli/main.js';
import type { CliCommand, CliContext } from '../../src/cli/types.js';
import { execRunner } from '../../src/util/exec.js';

/** `bin/gitfleet.js`: it runs the built dist/ (npm test builds first). */
export const CLI_BIN = join(import.meta.dirname, '../../bin/gitfleet.js');

/** What a run printed and how it ended. */
export interface CliRun { code: number; out: string; err: string }

/** Where and how `main` runs; what is left out is main's own default (process.cwd(), process.env, no TTY). */
export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Stdout claims to be a terminal. */
  tty?: boolean;
}

/** A stream that keeps what is written to it, synchronously, so nothing printed before a run ends is missed. */
function capture(isTTY?: boolean): Writable & { isTTY?: boolean; text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done(); } });
  return Object.assign(w, { isTTY, text: () => chunks.join('') });
}

/** `main(argv)` started but not awaited, for commands that keep running (`--watch`): read the output as it grows. */
export function startCli(argv: string[], o: CliOptions = {}): { done: Promise<number>; out: () => string; err: () => string } {
  const stdout = capture(o.tty);
  const stderr = capture();
  return { done: main(argv, { stdout, stderr, cwd: o.cwd, env: o.env }), out: stdout.text, err: stderr.text };
}

/** `main(argv)` to the end, with its exit code and output. */
export async function runCli(argv: string[], o: CliOptions = {}): Promise<CliRun> {
  const r = startCli(argv, o);
  const code = await r.done;
  return { code, out: r.out(), err: r.err() };
}

/** Options of `runCommand`: the context `main` cannot give (a stdin, a logger at a level) beside cwd and env. */
export interface CommandOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** What stdin holds (the context's `stdin`, which commands that read a value take before process.stdin). */
  input?: string;
  /** The logger's level; its JSON lines come back as `log`. */
  logLevel?: Level | 'silent';
}

/** One command's `run(ctx)` with a full context, for what `main` cannot pass in (stdin, the logger). */
export async function runCommand(cmd: CliCommand, argv: string[], o: CommandOptions): Promise<CliRun & { log: string }> {
  const stdout = capture();
  const stderr = capture();
  const log = capture();
  const ctx = {
    argv, stdout, stderr, cwd: o.cwd, env: o.env ?? {},
    log: pino({ level: o.logLevel ?? 'silent' }, log),
    stdin: Readable.from([o.input ?? '']),
  } satisfies CliContext & { stdin: Readable };
  const code = await cmd.run(ctx);
  return { code, out: stdout.text(), err: stderr.text(), log: log.text() };
}

/** Options of `spawnCli`; `env` is added to the inherited environment, `input` goes on stdin. */
export interface SpawnOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
}

/** `node bin/gitfleet.js ARGV` as its own process (the built dist/), to the end. */
export async function spawnCli(argv: string[], o: SpawnOptions = {}): Promise<CliRun> {
  const r = await execRunner.run({ file: process.execPath, args: [CLI_BIN, ...argv], cwd: o.cwd, env: o.env, input: o.input, timeoutMs: o.timeoutMs });
  return { code: r.exitCode, out: r.stdout, err: r.stderr };
}
