import { stat } from 'node:fs/promises';
import { join, posix, win32 } from 'node:path';
import { runChecked } from '../../util/exec.js';
import { ctxCommand, probe, unsupported, withPath } from '../env.js';
import { checkClaim, claimFolder, ownedMarker, removeFolder, writeNewMarker } from '../marker.js';
import { checkSandboxName, checkSandboxPath } from '../paths.js';
import { folderStatus, recordedLimits } from '../status.js';
import type { DesiredSandbox, SandboxContext, SandboxDriver } from '../types.js';
import { parseToolVersion } from '../version.js';

/** The conda-compatible tools gitfleet uses, in order of preference. */
export const CONDA_TOOLS = ['conda', 'mamba', 'micromamba'] as const;

/** The command that makes a conda env at the sandbox's path. Pure. */
export function condaCreateCommand(tool: string, sb: DesiredSandbox): { file: string; args: string[] } {
  return { file: tool, args: ['create', '-y', '-p', checkSandboxPath(sb.path), ...(sb.python ? [`python=${sb.python}`] : [])] };
}

/** The command that removes the conda env at the sandbox's path (and its entry in conda's environments list). Pure. */
export function condaRemoveCommand(tool: string, sb: DesiredSandbox): { file: string; args: string[] } {
  return { file: tool, args: ['env', 'remove', '-y', '-p', checkSandboxPath(sb.path)] };
}

/** The folders a conda env puts executables in, as `conda activate` does. Pure. */
export function condaBinDirs(prefix: string, platform: NodeJS.Platform): string[] {
  if (platform !== 'win32') return [posix.join(prefix, 'bin')];
  return [prefix, ...['Library\\mingw-w64\\bin', 'Library\\usr\\bin', 'Library\\bin', 'Scripts', 'bin'].map((d) => win32.join(prefix, d))];
}

/** A conda driver for `platform`. */
export function makeCondaDriver(platform: NodeJS.Platform): SandboxDriver {
  return {
    type: 'conda',

    async available(ctx) {
      const found = await findConda(ctx);
      return 'reason' in found ? { ok: false, reason: found.reason } : { ok: true, version: `${found.tool} ${found.version}` };
    },

    inspect(sb) {
      return folderStatus(sb, 'conda', envPresent);
    },

    async create(sb, ctx) {
      checkSandboxName(sb.name);
      checkSandboxPath(sb.path);
      const before = await folderStatus(sb, 'conda', envPresent);
      if (before.exists && before.type === 'conda') {
        await claimFolder(sb, 'conda', ctx.now);
        return { created: false, limits: recordedLimits(sb) };
      }
      const found = await findConda(ctx);
      if ('reason' in found) throw unsupported(found.reason);
      // conda and micromamba balk at a non-conda folder: check the claim, create, then write the marker
      const prior = await checkClaim(sb, 'conda');
      await runChecked(ctx.runner, ctxCommand(ctx, condaCreateCommand(found.tool, sb)));
      if (prior) await claimFolder(sb, 'conda', ctx.now);
      else await writeNewMarker(sb, 'conda', ctx.now);
      return { created: true, limits: recordedLimits(sb) };
    },

    async remove(sb, ctx) {
      if (!(await ownedMarker(sb, 'conda'))) return;
      const found = await findConda(ctx);
      if (!('reason' in found) && (await envPresent(sb.path))) await runChecked(ctx.runner, ctxCommand(ctx, condaRemoveCommand(found.tool, sb)));
      await removeFolder(sb.path);
    },

    target(sb) {
      return { kind: 'conda-env', path: checkSandboxPath(sb.path) };
    },

    exec(sb, cmd) {
      const dir = checkSandboxPath(sb.path);
      return withPath(cmd, condaBinDirs(dir, platform), platform, { ...sb.env, CONDA_PREFIX: dir, CONDA_DEFAULT_ENV: dir });
    },
  };
}

/** The conda driver for this host. */
export const condaDriver = makeCondaDriver(process.platform);

async function findConda(ctx: SandboxContext): Promise<{ tool: string; version: string } | { reason: string }> {
  for (const tool of CONDA_TOOLS) {
    const res = await probe(ctx, tool, ['--version']);
    const version = res && res.exitCode === 0 ? parseToolVersion(res.stdout) : undefined;
    if (version) return { tool, version };
  }
  return { reason: `conda is not available on this host: none of ${CONDA_TOOLS.join(', ')} is on PATH` };
}

async function envPresent(dir: string): Promise<string | false> {
  try {
    return (await stat(join(dir, 'conda-meta'))).isDirectory() ? 'a conda env' : false;
  } catch {
    return false;
  }
}
