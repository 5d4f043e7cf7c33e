import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChecked } from '../../util/exec.js';
import { detectWith, isDir, withCtx } from '../common.js';
import type { AdapterContext, AvailableVersion, Detection, InstalledList, ManagerAdapter, Target } from '../types.js';
import { condaCommands, condaListCommand, condaSearchCommand, condaVersionCommand } from './commands.js';
import {
  isCondaNotFound, normalizeCondaName, parseCondaList, parseCondaMetaRecord, parseCondaSearch, parseCondaVersionOutput,
  validCondaName,
} from './parse.js';
import { condaVersions } from './versions.js';

/** conda: installed packages of an environment from its `conda-meta/*.json` records. */
export const condaAdapter: ManagerAdapter = {
  id: 'conda',
  os: ['linux', 'macos', 'windows'],
  versions: condaVersions,
  normalizeName: normalizeCondaName,
  validName: validCondaName,

  async detect(ctx: AdapterContext): Promise<Detection> {
    // conda 4.x printed its version on stderr.
    return detectWith(ctx, withCtx(condaVersionCommand(), ctx), (res) => ({
      present: true, version: parseCondaVersionOutput(`${res.stdout}\n${res.stderr}`),
    }));
  },

  async listInstalled(target: Target, ctx: AdapterContext): Promise<InstalledList> {
    if (target.kind === 'conda-env' && target.path && (await isDir(join(target.path, 'conda-meta')))) {
      return { packages: await readCondaMeta(join(target.path, 'conda-meta')), via: 'database' };
    }
    const res = await runChecked(ctx.runner, withCtx(condaListCommand(target), ctx));
    return { packages: parseCondaList(res.stdout), via: 'command' };
  },

  async listAvailable(name, ctx, sources): Promise<AvailableVersion[]> {
    const cmd = withCtx(condaSearchCommand(name, sources), ctx);
    const res = await ctx.runner.run(cmd);
    if (res.exitCode !== 0 && isCondaNotFound(res.stdout)) return [];
    // Reuse runChecked's CommandError (command, exit code, stderr tail) for the result already in hand.
    if (res.exitCode !== 0) await runChecked({ run: async () => res }, cmd);
    return parseCondaSearch(res.stdout, name);
  },

  commands: (changes, target, sources) => condaCommands(changes, target, sources),
};

/** Every `conda-meta/*.json` record (the `history` file and other non-JSON files are not records). */
async function readCondaMeta(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  for (const f of files) {
    const file = join(dir, f);
    const { name, version } = parseCondaMetaRecord(await readFile(file, 'utf8'), file);
    out[normalizeCondaName(name)] = version;
  }
  return out;
}
