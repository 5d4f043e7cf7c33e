import { readdir, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CommandError, runChecked } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import { detectWith, isDir, withCtx } from '../common.js';
import type { AdapterContext, AvailableVersion, Detection, InstalledList, ManagerAdapter, Target } from '../types.js';
import { BREW_SYSTEM_PREFIXES, brewCommands, brewInfoCommand, brewListCommand, brewVersionCommand } from './commands.js';
import {
  isBrewNotFound, normalizeBrewName, parseBrewInfoAvailable, parseBrewInfoInstalled, parseBrewVersionOutput, pickKeg,
  stripRevision, validBrewName,
} from './parse.js';
import { loose } from './versions.js';

/** Homebrew (macOS and Linuxbrew): formulae from the Cellar, casks from the Caskroom. */
export const brewAdapter: ManagerAdapter = {
  id: 'brew',
  os: ['macos', 'linux'],
  versions: loose,
  normalizeName: normalizeBrewName,
  validName: validBrewName,

  async detect(ctx: AdapterContext): Promise<Detection> {
    return detectWith(ctx, withCtx(brewVersionCommand(), ctx), (res) => ({ present: true, version: parseBrewVersionOutput(res.stdout) }));
  },

  async listInstalled(target: Target, ctx: AdapterContext): Promise<InstalledList> {
    const prefix = await prefixFor(target);
    if (prefix !== undefined) return { packages: await readPrefix(prefix), via: 'database' };
    const res = await runChecked(ctx.runner, withCtx(brewListCommand(target), ctx));
    return { packages: parseBrewInfoInstalled(res.stdout), via: 'command' };
  },

  async listAvailable(name: string, ctx: AdapterContext): Promise<AvailableVersion[]> {
    try {
      const res = await runChecked(ctx.runner, withCtx(brewInfoCommand(name), ctx));
      return parseBrewInfoAvailable(res.stdout, name);
    } catch (err) {
      // An unknown name is an empty answer, not a failure.
      if (err instanceof CommandError && err.exitCode !== undefined && isBrewNotFound(err.stderrTail)) return [];
      throw err;
    }
  },

  commands: (changes, target) => brewCommands(changes, target),
};

/** The prefix whose Cellar to read: the root target's path, or the first system prefix that has a Cellar. */
async function prefixFor(target: Target): Promise<string | undefined> {
  if (target.kind === 'root') {
    if (!target.path || !(await isDir(target.path))) {
      throw new GitfleetError('E_NOT_FOUND', `brew prefix ${JSON.stringify(target.path)} does not exist`);
    }
    return target.path;
  }
  if (target.kind !== 'system') {
    throw new GitfleetError('E_UNSUPPORTED', `brew cannot manage a target of kind "${target.kind}" (use system or root)`);
  }
  for (const p of BREW_SYSTEM_PREFIXES) if (await isDir(join(p, 'Cellar'))) return p;
  return undefined;
}

/** Reads `Cellar/<formula>/<version>/` and `Caskroom/<cask>/<version>/`; a formula wins a name clash. */
async function readPrefix(prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [cask, versions] of await versionFolders(join(prefix, 'Caskroom'))) {
    const v = pickKeg(versions);
    if (v !== undefined) out[normalizeBrewName(cask)] = v;
  }
  for (const [formula, versions] of await versionFolders(join(prefix, 'Cellar'))) {
    // `opt/<formula>` points at the keg brew considers current (`../Cellar/<formula>/<version>`).
    const linked = await readlink(join(prefix, 'opt', formula)).then((t) => basename(t), () => undefined);
    const v = pickKeg(versions, linked);
    if (v !== undefined) out[normalizeBrewName(formula)] = stripRevision(v);
  }
  return out;
}

async function versionFolders(dir: string): Promise<Array<[string, string[]]>> {
  const names = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw new GitfleetError('E_IO', `cannot read ${dir}: ${err.message}`, { cause: err });
  });
  const out: Array<[string, string[]]> = [];
  for (const d of names) {
    if (!d.isDirectory() || d.name.startsWith('.')) continue;
    const inner = await readdir(join(dir, d.name), { withFileTypes: true });
    out.push([d.name, inner.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name)]);
  }
  return out;
}
