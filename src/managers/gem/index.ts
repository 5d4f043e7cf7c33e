import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChecked } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import { detectWith, isDir, withCtx } from '../common.js';
import type { AdapterContext, AvailableVersion, Detection, InstalledList, ManagerAdapter, Target } from '../types.js';
import { gemCommands, gemListCommand, gemRemoteListCommand, gemVersionCommand } from './commands.js';
import {
  highestGemVersion, normalizeGemName, parseGemListLocal, parseGemListRemote, parseGemspecContent, parseGemspecFileName,
  parseGemVersionOutput, validGemName,
} from './parse.js';
import { rubygems } from './versions.js';

/** RubyGems: installed gems from `<GEM_HOME>/specifications/*.gemspec` (and `specifications/default/`). */
export const gemAdapter: ManagerAdapter = {
  id: 'gem',
  os: ['linux', 'macos', 'windows'],
  versions: rubygems,
  normalizeName: normalizeGemName,
  validName: validGemName,

  async detect(ctx: AdapterContext): Promise<Detection> {
    return detectWith(ctx, withCtx(gemVersionCommand(), ctx), (res) => ({ present: true, version: parseGemVersionOutput(res.stdout) }));
  },

  async listInstalled(target: Target, ctx: AdapterContext): Promise<InstalledList> {
    const home = await gemHome(target, ctx);
    if (home !== undefined) return { packages: await readSpecifications(join(home, 'specifications')), via: 'database' };
    const res = await runChecked(ctx.runner, withCtx(gemListCommand(), ctx));
    return { packages: parseGemListLocal(res.stdout), via: 'command' };
  },

  async listAvailable(name, ctx, sources): Promise<AvailableVersion[]> {
    const res = await runChecked(ctx.runner, withCtx(gemRemoteListCommand(name, sources), ctx));
    return parseGemListRemote(res.stdout, name);
  },

  commands: (changes, target, sources) => gemCommands(changes, target, sources),
};

/**
 * The GEM_HOME to read: a root target's path (which must exist), or for the system the context's
 * `GEM_HOME` when it has a `specifications` folder. Without one, `gem` itself knows where its gems are.
 */
async function gemHome(target: Target, ctx: AdapterContext): Promise<string | undefined> {
  if (target.kind === 'root') {
    if (!target.path || !(await isDir(target.path))) throw new GitfleetError('E_NOT_FOUND', `GEM_HOME ${JSON.stringify(target.path)} does not exist`);
    return target.path;
  }
  if (target.kind !== 'system') throw new GitfleetError('E_UNSUPPORTED', `gem cannot list a target of kind "${target.kind}" (use system or root)`);
  const home = ctx.env?.GEM_HOME;
  return home !== undefined && (await isDir(join(home, 'specifications'))) ? home : undefined;
}

/** name → highest version over `specifications/*.gemspec` and `specifications/default/*.gemspec`. */
async function readSpecifications(dir: string): Promise<Record<string, string>> {
  const all = new Map<string, string[]>();
  for (const d of [dir, join(dir, 'default')]) {
    const files = await readdir(d).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw new GitfleetError('E_IO', `cannot read ${d}: ${err.message}`, { cause: err });
    });
    for (const f of files.filter((n) => n.endsWith('.gemspec'))) {
      const spec = parseGemspecFileName(f) ?? parseGemspecContent(await readFile(join(d, f), 'utf8'), join(d, f));
      all.set(spec.name, [...(all.get(spec.name) ?? []), spec.version]);
    }
  }
  const out: Record<string, string> = {};
  for (const [name, versions] of all) {
    const v = highestGemVersion(versions);
    if (v !== undefined) out[normalizeGemName(name)] = v;
  }
  return out;
}
