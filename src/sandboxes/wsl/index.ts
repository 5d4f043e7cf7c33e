import { rm } from 'node:fs/promises';
import { runChecked } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import { ctxCommand, firstLine, unsupported } from '../env.js';
import { claimFolder, ownedMarker, readMarker, removeFolder } from '../marker.js';
import { checkSandboxName, checkSandboxPath } from '../paths.js';
import { mapSourceFolders, wslPath } from '../sources.js';
import { recordedLimits } from '../status.js';
import type { Availability, SandboxContext, SandboxDriver } from '../types.js';
import {
  distroName, parseWslList, wslExec, wslExportCommand, wslFiles, wslImportCommand, wslListCommand, wslUnregisterCommand,
} from './commands.js';

const OS_NAMES: Partial<Record<NodeJS.Platform, string>> = { linux: 'linux', darwin: 'macos', win32: 'windows' };

/** A wsl driver for `platform`: a copy of the template's distribution per sandbox, its marker in a host folder. */
export function makeWslDriver(platform: NodeJS.Platform): SandboxDriver {
  // every answer starts from the list of distributions; elsewhere than Windows there is none to ask for
  const distributions = (ctx: SandboxContext): Promise<{ names: string[] } | { reason: string }> =>
    platform === 'win32' ? list(ctx) : Promise.resolve({ reason: `wsl is only available on Windows hosts (this host is ${OS_NAMES[platform] ?? platform})` });
  const available = async (ctx: SandboxContext): Promise<Availability> => {
    const res = await distributions(ctx);
    return 'reason' in res ? { ok: false, reason: res.reason } : { ok: true };
  };
  const need = async (ctx: SandboxContext): Promise<string[]> => {
    const res = await distributions(ctx);
    if ('reason' in res) throw unsupported(res.reason);
    return res.names;
  };

  return {
    type: 'wsl',
    available,

    async inspect(sb, ctx) {
      const marker = await readMarker(checkSandboxPath(sb.path));
      const type = marker && marker !== 'invalid' ? marker.type : undefined;
      const res = await distributions(ctx);
      if ('reason' in res) return { exists: false, ...(type ? { type } : {}), detail: res.reason };
      return has(res.names, distroName(sb))
        ? { exists: true, ...(type ? { type } : {}), detail: `distribution ${distroName(sb)}` }
        : { exists: false, ...(type ? { type } : {}) };
    },

    async create(sb, ctx) {
      checkSandboxName(sb.name);
      checkSandboxPath(sb.path);
      const names = await need(ctx);
      const limits = recordedLimits(sb); // .wslconfig limits are per host, not per distribution
      if (has(names, distroName(sb))) {
        await claimFolder(sb, 'wsl', ctx.now);
        return { created: false, limits };
      }
      const base = sb.distribution;
      if (!base) throw new GitfleetError('E_VALIDATION', `wsl sandbox "${sb.name}" needs a distribution (template "${sb.template}" sets none)`);
      if (!has(names, base)) {
        throw unsupported(`WSL distribution ${base} is not installed on this host (installed: ${names.join(', ') || 'none'}); install it with wsl --install -d ${base}`);
      }
      await claimFolder(sb, 'wsl', ctx.now);
      const files = wslFiles(sb);
      try {
        await runChecked(ctx.runner, ctxCommand(ctx, wslExportCommand(base, files.tarball)));
        await runChecked(ctx.runner, ctxCommand(ctx, wslImportCommand(sb)));
      } finally {
        await rm(files.tarball, { force: true });
      }
      return { created: true, limits };
    },

    async remove(sb, ctx) {
      const marker = await ownedMarker(sb, 'wsl');
      const names = await need(ctx);
      if (has(names, distroName(sb))) {
        // a distribution of that name without our folder and marker is someone else's
        if (!marker) throw new GitfleetError('E_VALIDATION', `refusing to unregister ${distroName(sb)}: ${sb.path} has no gitfleet marker`);
        await runChecked(ctx.runner, ctxCommand(ctx, wslUnregisterCommand(sb)));
      }
      if (marker) await removeFolder(sb.path);
    },

    target() {
      // packages live in the distribution's own system, reached through `exec`
      return { kind: 'system' };
    },

    exec: wslExec,

    async sourcesInside(_sb, sources) {
      // Windows drives are mounted in every distribution (/mnt/c): nothing to set up, only to spell
      return mapSourceFolders(sources, wslPath);
    },
  };
}

/** The wsl driver for this host. */
export const wslDriver = makeWslDriver(process.platform);

async function list(ctx: SandboxContext): Promise<{ names: string[] } | { reason: string }> {
  let res;
  try {
    res = await ctx.runner.run(ctxCommand(ctx, wslListCommand(), 60_000));
  } catch (err) {
    if (err instanceof GitfleetError && err.code === 'E_COMMAND_NOT_FOUND') return { reason: 'wsl is not available on this host: wsl.exe is not on PATH' };
    throw err;
  }
  if (res.exitCode !== 0) {
    // also the answer when no distribution is installed: then there is nothing to copy a sandbox from either
    const out = (t: string) => t.replace(/\0/g, '');
    return { reason: `wsl is not available on this host: wsl.exe -l -q failed (${firstLine(out(res.stderr), out(res.stdout)) || `exit ${res.exitCode}`})` };
  }
  return { names: parseWslList(res.stdout) };
}

function has(names: string[], name: string): boolean {
  // WSL distribution names compare case-insensitively
  return names.some((n) => n.toLowerCase() === name.toLowerCase());
}

