import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChecked } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import { detectWith, isDir, withCtx } from '../common.js';
import type { AdapterContext, AvailableVersion, Detection, InstalledList, ManagerAdapter, Target } from '../types.js';
import { chocoCommands, chocoListCommand, chocoSearchCommand, chocoVersionCommand } from './commands.js';
import { normalizeChocoName, parseChocoList, parseChocoSearch, parseChocoVersionOutput, parseNuspec, validChocoName } from './parse.js';
import { nuget } from './versions.js';

/** Chocolatey (Windows): installed packages from `<install dir>\lib\<id>\<id>.nuspec`. */
export const chocoAdapter: ManagerAdapter = {
  id: 'choco',
  os: ['windows'],
  versions: nuget,
  normalizeName: normalizeChocoName,
  validName: validChocoName,

  async detect(ctx: AdapterContext): Promise<Detection> {
    return detectWith(ctx, withCtx(chocoVersionCommand(), ctx), (res) => ({ present: true, version: parseChocoVersionOutput(res.stdout) }));
  },

  async listInstalled(target: Target, ctx: AdapterContext): Promise<InstalledList> {
    const dir = await installDir(target, ctx);
    if (dir !== undefined) return { packages: await readLib(join(dir, 'lib')), via: 'database' };
    const res = await runChecked(ctx.runner, withCtx(chocoListCommand(), ctx));
    return { packages: parseChocoList(res.stdout), via: 'command' };
  },

  async listAvailable(name, ctx, sources): Promise<AvailableVersion[]> {
    const res = await runChecked(ctx.runner, withCtx(chocoSearchCommand(name, sources), ctx));
    return parseChocoSearch(res.stdout, name);
  },

  commands: (changes, target, sources) => chocoCommands(changes, target, sources),
};

/**
 * The Chocolatey install directory to read: a root target's path (which must exist), or for the system
 * `%ChocolateyInstall%` (from the context, then the process) or the default `C:\ProgramData\chocolatey`
 * on Windows — when it has a `lib` folder. Undefined means "ask choco".
 */
async function installDir(target: Target, ctx: AdapterContext): Promise<string | undefined> {
  if (target.kind === 'root') {
    if (!target.path || !(await isDir(target.path))) {
      throw new GitfleetError('E_NOT_FOUND', `Chocolatey install directory ${JSON.stringify(target.path)} does not exist`);
    }
    return target.path;
  }
  if (target.kind !== 'system') {
    throw new GitfleetError('E_UNSUPPORTED', `choco cannot list a target of kind "${target.kind}" (use system or root)`);
  }
  const dir = ctx.env?.ChocolateyInstall ?? process.env.ChocolateyInstall ?? (process.platform === 'win32' ? 'C:\\ProgramData\\chocolatey' : undefined);
  return dir !== undefined && (await isDir(join(dir, 'lib'))) ? dir : undefined;
}

/** Every `lib/<folder>/*.nuspec`; folders without one (an install in progress, `lib-bad` debris) are skipped. */
async function readLib(lib: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const folders = await readdir(lib, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw new GitfleetError('E_IO', `cannot read ${lib}: ${err.message}`, { cause: err });
  });
  for (const f of folders) {
    if (!f.isDirectory() || f.name.startsWith('.')) continue;
    const files = await readdir(join(lib, f.name));
    const nuspec = files.find((n) => n.toLowerCase() === `${f.name.toLowerCase()}.nuspec`) ?? files.find((n) => n.toLowerCase().endsWith('.nuspec'));
    if (nuspec === undefined) continue;
    const file = join(lib, f.name, nuspec);
    const { id, version } = parseNuspec(await readFile(file, 'utf8'), file);
    out[normalizeChocoName(id)] = version;
  }
  return out;
}
