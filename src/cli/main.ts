import type { CliCommand, CliContext } from './types.js';
import { GitfleetError, ValidationError, errorMessage } from '../util/errors.js';
import { makeLogger } from '../util/log.js';

const USAGE = `gitfleet — GitOps for fleets of hosts

Usage: gitfleet <command> [flags]

Commands:
{commands}

Run 'gitfleet <command> --help' for a command's flags and an example.`;

/** The CLI entry point: returns the process exit code. */
export async function main(argv: string[], io: Partial<Pick<CliContext, 'stdout' | 'stderr' | 'env' | 'cwd'>> = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    // Asked for: stdout and 0. No command at all is a usage error: stderr and 1.
    (name ? stdout : stderr).write((await usage()) + '\n');
    return name ? 0 : 1;
  }
  if (name === '--version' || name === 'version') {
    stdout.write(`${await version()}\n`);
    return 0;
  }
  const cmd = await findCommand(name);
  if (!cmd) {
    stderr.write(`gitfleet: unknown command "${name}"\n\n${await usage()}\n`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    // A command with subcommands in other files (host register) can give the subcommand's own help.
    const sub = await (cmd as CliCommand & { helpFor?: (argv: string[]) => Promise<string | undefined> }).helpFor?.(rest);
    stdout.write((sub ?? cmd.help).trimEnd() + '\n');
    return 0;
  }
  const log = makeLogger({ stream: stderr, env });
  try {
    return await cmd.run({ argv: rest, stdout, stderr, log, cwd: io.cwd ?? process.cwd(), env });
  } catch (err) {
    if (err instanceof ValidationError) {
      stderr.write(err.message + '\n');
      return 1;
    }
    if (err instanceof GitfleetError) {
      stderr.write(`gitfleet ${name}: ${err.message}${err.code === 'E_USAGE' ? `\n\n${cmd.help.trimEnd()}` : ''}\n`);
      return 1;
    }
    stderr.write(`gitfleet ${name}: internal error: ${errorMessage(err)}\n${(err as Error)?.stack ?? ''}\n`);
    return 1;
  }
}

/**
 * The command `name`, loading only its own file (src/cli/<name>.ts) when it follows the convention:
 * importing every command and the libraries behind them costs more than a whole no-op apply.
 */
export async function findCommand(name: string): Promise<CliCommand | undefined> {
  if (/^[a-z][a-z0-9-]{0,40}$/.test(name)) {
    try {
      const mod = (await import(`./${name}.js`)) as Record<string, unknown>;
      const hit = Object.values(mod).find((v): v is CliCommand => isCommand(v) && v.name === name);
      if (hit) return hit;
    } catch {
      // no such file: the registry below decides (and reports a broken command file when it loads it)
    }
  }
  const { commands } = await import('./commands.js');
  return commands.find((c) => c.name === name);
}

function isCommand(v: unknown): v is CliCommand {
  return typeof v === 'object' && v !== null && typeof (v as CliCommand).name === 'string' && typeof (v as CliCommand).run === 'function';
}

async function usage(): Promise<string> {
  const { commands } = await import('./commands.js');
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  return USAGE.replace('{commands}', commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n'));
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
