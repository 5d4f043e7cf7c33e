import { GitfleetError } from '../../util/errors.js';
import { runChecked, type Command } from '../../util/exec.js';
import type { AdapterContext, ManagerAdapter } from '../types.js';
import { dnfCommands, repoqueryCommand, rpmQaCommand, validRpmName } from './commands.js';
import { parseDnfVersion, parseRepoquery, parseRpmQa } from './parse.js';
import { rpm } from './versions.js';

/**
 * The dnf/rpm adapter. The rpmdb is sqlite (or BerkeleyDB on old hosts), not a stable plain-text
 * format, so listing asks `rpm -qa` rather than reading the database files.
 */
export const dnfAdapter: ManagerAdapter = {
  id: 'dnf',
  os: ['linux'],
  versions: rpm,
  // rpm names are case-sensitive (NetworkManager, perl-Data-Dumper): nothing to fold.
  normalizeName: (name) => name,
  validName: validRpmName,

  async detect(ctx) {
    // dnf is what changes packages; an rpm without dnf (e.g. on Debian) does not make dnf usable.
    try {
      const res = await ctx.runner.run(withCtx({ file: 'dnf', args: ['--version'], env: { LC_ALL: 'C' } }, ctx));
      if (res.exitCode !== 0) return { present: false };
      return { present: true, version: parseDnfVersion(res.stdout), path: 'dnf' };
    } catch (err) {
      if (err instanceof GitfleetError && err.code === 'E_COMMAND_NOT_FOUND') return { present: false };
      throw err;
    }
  },

  async listInstalled(target, ctx) {
    const res = await runChecked(ctx.runner, withCtx(rpmQaCommand(target), ctx));
    return { packages: parseRpmQa(res.stdout, rpm.compare), via: 'command' };
  },

  async listAvailable(name, ctx) {
    const res = await runChecked(ctx.runner, withCtx(repoqueryCommand(name), ctx));
    return parseRepoquery(res.stdout, rpm.compare);
  },

  commands(changes, target) {
    return dnfCommands(changes, target);
  },
};

function withCtx(cmd: Command, ctx: AdapterContext): Command {
  const env = ctx.env || cmd.env ? { ...cmd.env, ...ctx.env } : undefined;
  return { ...cmd, ...(env ? { env } : {}), ...(ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}) };
}
