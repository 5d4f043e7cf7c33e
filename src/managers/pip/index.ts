import { runChecked } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import { detectWith, envOf } from '../common.js';
import type { AdapterContext, Detection, InstalledList, ManagerAdapter, Target } from '../types.js';
import { listAvailablePip } from './available.js';
import { pipCommands, pipListCommand, pipVersionCommand, pythonFor } from './commands.js';
import { assertDirectory, findSitePackages, includesSystemSitePackages, readSitePackages } from './installed.js';
import { normalizePipName, parsePipList, parsePipVersion, validPipName } from './parse.js';
import { pep440 } from './versions.js';

/** pip: venvs and the system python, listed from dist-info files, changed with one pip call per target. */
export const pipAdapter: ManagerAdapter = {
  id: 'pip',
  os: ['linux', 'windows', 'macos'],
  versions: pep440,
  normalizeName: normalizePipName,
  validName: validPipName,

  async detect(ctx: AdapterContext): Promise<Detection> {
    const python = process.platform === 'win32' ? 'python' : 'python3';
    return detectWith(ctx, { ...pipVersionCommand(python, ctx.timeoutMs), ...envOf(ctx) }, (res) => {
      const version = parsePipVersion(res.stdout);
      return version ? { present: true, version, path: python } : { present: false };
    });
  },

  async listInstalled(target: Target, ctx: AdapterContext): Promise<InstalledList> {
    if (target.kind === 'venv') {
      const venv = target.path ?? '';
      await assertDirectory(venv, 'venv');
      const dirs = await findSitePackages(venv);
      // With system site-packages visible, or no site-packages found, only pip itself knows the whole answer.
      if (dirs.length > 0 && !(await includesSystemSitePackages(venv))) {
        return { packages: await readSitePackages(dirs), via: 'database' };
      }
    }
    const res = await runChecked(ctx.runner, { ...pipListCommand(pythonFor(target), ctx.timeoutMs), ...envOf(ctx) });
    return { packages: parsePipList(res.stdout), via: 'command' };
  },

  async listAvailable(name, ctx, sources) {
    if (!validPipName(name)) throw new GitfleetError('E_VALIDATION', `invalid pip package name ${JSON.stringify(name)}`);
    return listAvailablePip(name, sources, ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {});
  },

  commands(changes, target, sources) {
    return pipCommands(changes, target, sources);
  },
};
