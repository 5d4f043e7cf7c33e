import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandError, runChecked } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import { detectWith, isDir, withCtx } from '../common.js';
import type { AdapterContext, AvailableVersion, Detection, InstalledList, ManagerAdapter, Target } from '../types.js';
import { gemCommands, gemExplainCommand, gemListCommand, gemRemoteListCommand, gemVersionCommand } from './commands.js';
import {
  classifyGemExplain, highestGemVersion, normalizeGemName, parseGemListLocal, parseGemListRemote, parseGemspecContent,
  parseGemspecFileName, parseGemVersionOutput, validGemName,
} from './parse.js';
import { rubygems } from './versions.js';

/**
 * RubyGems: installed gems from `<GEM_HOME>/specifications/*.gemspec`. Default gems (`specifications/default/`, and
 * `default:` in `gem list`) are the Ruby's, not the target's: gem cannot remove them, so they are not listed.
 */
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
    const versions = parseGemListRemote(res.stdout, name);
    if (versions.length > 0) return versions;
    // Nothing listed: no such gem, or a source that failed, which `gem list` does not tell apart. The probe does.
    const cmd = withCtx(gemExplainCommand(name, sources), ctx);
    const probe = await ctx.runner.run(cmd);
    const said = classifyGemExplain(probe.exitCode, probe.stderr);
    if (said.kind === 'absent') return [];
    const why = said.kind === 'found' ? `gem list --remote listed no version of ${name}, yet gem install --explain finds one` : said.reason;
    throw new CommandError('E_COMMAND_FAILED', `cannot list the versions of gem ${name}: ${why}`, {
      command: cmd, exitCode: probe.exitCode, stderr: probe.stderr, durationMs: res.durationMs + probe.durationMs,
    });
  },

  commands: (changes, target, sources) => gemCommands(changes, target, sources),
};

/**
 * The GEM_HOME to read: a root target's path (which must exist), or for the system the context's `GEM_HOME` when
 * `GEM_PATH` is that same folder and it has a `specifications` folder. Otherwise gem's path holds more (the Ruby's
 * bundled gems, Debian's rubygems-integration folders) and `gem` itself knows where its gems are.
 */
async function gemHome(target: Target, ctx: AdapterContext): Promise<string | undefined> {
  if (target.kind === 'root') {
    if (!target.path || !(await isDir(target.path))) throw new GitfleetError('E_NOT_FOUND', `GEM_HOME ${JSON.stringify(target.path)} does not exist`);
    return target.path;
  }
  if (target.kind !== 'system') throw new GitfleetError('E_UNSUPPORTED', `gem cannot list a target of kind "${target.kind}" (use system or root)`);
  const home = ctx.env?.GEM_HOME;
  if (home === undefined || ctx.env?.GEM_PATH !== home) return undefined;
  return (await isDir(join(home, 'specifications'))) ? home : undefined;
}

/** name → highest version over `specifications/*.gemspec` (not `specifications/default/`: see the adapter). */
async function readSpecifications(dir: string): Promise<Record<string, string>> {
  const files = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw new GitfleetError('E_IO', `cannot read ${dir}: ${err.message}`, { cause: err });
  });
  const all = new Map<string, string[]>();
  for (const f of files.filter((n) => n.endsWith('.gemspec'))) {
    const spec = parseGemspecFileName(f) ?? parseGemspecContent(await readFile(join(dir, f), 'utf8'), join(dir, f));
    all.set(spec.name, [...(all.get(spec.name) ?? []), spec.version]);
  }
  const out: Record<string, string> = {};
  for (const [name, versions] of all) {
    const v = highestGemVersion(versions);
    if (v !== undefined) out[normalizeGemName(name)] = v;
  }
  return out;
}
