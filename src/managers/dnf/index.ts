import { runChecked } from '../../util/exec.js';
import { detectWith, withCtxOverriding } from '../common.js';
import type { ManagerAdapter } from '../types.js';
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
    const cmd = withCtxOverriding({ file: 'dnf', args: ['--version'], env: { LC_ALL: 'C' } }, ctx);
    return detectWith(ctx, cmd, (res) => ({ present: true, version: parseDnfVersion(res.stdout), path: 'dnf' }));
  },

  async listInstalled(target, ctx) {
    const res = await runChecked(ctx.runner, withCtxOverriding(rpmQaCommand(target), ctx));
    return { packages: parseRpmQa(res.stdout, rpm.compare), via: 'command' };
  },

  async listAvailable(name, ctx) {
    const res = await runChecked(ctx.runner, withCtxOverriding(repoqueryCommand(name), ctx));
    return parseRepoquery(res.stdout, rpm.compare);
  },

  commands(changes, target) {
    return dnfCommands(changes, target);
  },
};
