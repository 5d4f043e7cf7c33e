import { readFile } from 'node:fs/promises';
import { join, posix, win32 } from 'node:path';
import { runChecked } from '../../util/exec.js';
import { ctxCommand, firstLine, probe, withPath } from '../env.js';
import { claimFolder, ownedMarker, removeFolder } from '../marker.js';
import { checkSandboxName, checkSandboxPath } from '../paths.js';
import { folderStatus, recordedLimits } from '../status.js';
import type { SandboxDriver } from '../types.js';
import { parseToolVersion } from '../version.js';
import { pickInterpreter } from './python.js';

/** A venv driver for `platform` (its layout: `bin/` or `Scripts\`). */
export function makeVenvDriver(platform: NodeJS.Platform): SandboxDriver {
  const path = platform === 'win32' ? win32 : posix;
  const binDir = (venv: string) => (platform === 'win32' ? path.join(venv, 'Scripts') : path.join(venv, 'bin'));

  const driver: SandboxDriver = {
    type: 'venv',

    async available(ctx) {
      const file = platform === 'win32' ? 'python' : 'python3';
      const res = await probe(ctx, file, ['--version']);
      if (!res) return { ok: false, reason: `python is not available on this host: ${file} is not on PATH` };
      const version = parseToolVersion(res.stdout) ?? parseToolVersion(res.stderr);
      if (res.exitCode !== 0 || !version) return { ok: false, reason: `python is not available on this host: ${file} --version failed (${firstLine(res.stderr, res.stdout)})` };
      return { ok: true, version };
    },

    inspect(sb) {
      return folderStatus(sb, 'venv', venvPresent);
    },

    async create(sb, ctx) {
      checkSandboxName(sb.name);
      const dir = checkSandboxPath(sb.path);
      const before = await folderStatus(sb, 'venv', venvPresent);
      if (before.exists && before.type === 'venv') {
        await claimFolder(sb, 'venv', ctx.now); // refreshes template/limits in the marker
        return { created: false, limits: recordedLimits(sb) };
      }
      // pick the interpreter before claiming the folder: an unsupported host leaves nothing behind
      const py = await pickInterpreter(sb, ctx, platform);
      await claimFolder(sb, 'venv', ctx.now);
      await runChecked(ctx.runner, ctxCommand(ctx, { file: py.file, args: [...py.args, '-m', 'venv', dir] }));
      return { created: true, limits: recordedLimits(sb) };
    },

    async remove(sb) {
      if (await ownedMarker(sb, 'venv')) await removeFolder(sb.path);
    },

    target(sb) {
      return { kind: 'venv', path: checkSandboxPath(sb.path) };
    },

    exec(sb, cmd) {
      const dir = checkSandboxPath(sb.path);
      return withPath(cmd, [binDir(dir)], platform, { ...sb.env, VIRTUAL_ENV: dir });
    },
  };
  return driver;
}

/** The venv driver for this host. */
export const venvDriver = makeVenvDriver(process.platform);

/** `Python X.Y.Z` from the venv's `pyvenv.cfg`, or false when there is no venv. */
async function venvPresent(dir: string): Promise<string | false> {
  try {
    const cfg = await readFile(join(dir, 'pyvenv.cfg'), 'utf8');
    const v = /^\s*version(?:_info)?\s*=\s*(\S+)/m.exec(cfg)?.[1];
    return v ? `Python ${v}` : 'a venv';
  } catch {
    return false;
  }
}
