import type { CliCommand, CliContext } from './types.js';
import { GitfleetError } from '../util/errors.js';
import { HOST_KEYGEN_HELP, hostKeygen } from './host-keygen.js';

/** A subcommand loaded from its own file when that file exists (`host register` lives in host-register.ts). */
interface HostSub {
  run(ctx: CliContext, argv: string[]): Promise<number>;
  help?: string;
}

async function registerSub(): Promise<HostSub | undefined> {
  try {
    // A variable specifier: the file may not exist yet in this build, and that must not break `host keygen`.
    const spec = './host-register.js';
    const mod = (await import(spec)) as Record<string, unknown>;
    // Either a CliCommand (preferred) or a function `hostRegister(ctx, argv)`.
    const cmd = Object.values(mod).find((v): v is CliCommand => typeof v === 'object' && v !== null && typeof (v as CliCommand).run === 'function');
    if (cmd) return { run: (ctx, argv) => cmd.run({ ...ctx, argv }), help: cmd.help };
    const fn = mod.hostRegister;
    return typeof fn === 'function' ? { run: fn as HostSub['run'] } : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes('host-register')) return undefined;
    throw err;
  }
}

/** `gitfleet host keygen|register`. */
export const hostCommand: CliCommand & { helpFor(argv: string[]): Promise<string | undefined> } = {
  name: 'host',
  summary: "this host's identity and registration: host keygen, host register",
  help: `Usage: gitfleet host <keygen|register> [flags]

Subcommands:
  keygen    create the host's age identity and print its recipient
  register  propose this host to the fleet as a pull request

${HOST_KEYGEN_HELP}`,
  /** `host register --help`: register's own flags live in its file, not in the text above. */
  async helpFor(argv) {
    return argv[0] === 'register' ? (await registerSub())?.help : undefined;
  },
  async run(ctx) {
    const [sub, ...rest] = ctx.argv;
    if (sub === 'keygen') return hostKeygen(ctx, rest);
    if (sub === 'register') {
      const reg = await registerSub();
      if (!reg) throw new GitfleetError('E_UNSUPPORTED', '`gitfleet host register` is not available in this build yet');
      return reg.run(ctx, rest);
    }
    throw new GitfleetError('E_USAGE', sub === undefined ? 'missing subcommand: keygen or register' : `unknown subcommand "${sub}": keygen or register`);
  },
};
