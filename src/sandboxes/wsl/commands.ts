import { win32 } from 'node:path';
import type { Command } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import { carriesCredentials } from '../env.js';
import { checkSandboxName, checkSandboxPath } from '../paths.js';
import type { DesiredSandbox } from '../types.js';

/** wsl.exe prints UTF-16 unless told otherwise; WSL_UTF8=1 asks recent versions for UTF-8 (the parser copes with both). */
const WSL_ENV = { WSL_UTF8: '1' };

/** The WSL distribution of a sandbox: `gitfleet-<name>`, a copy of the template's distribution. */
export function distroName(sb: DesiredSandbox): string {
  return `gitfleet-${checkSandboxName(sb.name)}`;
}

/** Where the imported distribution's disk and the temporary export live, under the sandbox's host folder. Pure. */
export function wslFiles(sb: DesiredSandbox): { disk: string; tarball: string } {
  const dir = checkSandboxPath(sb.path);
  return { disk: win32.join(dir, 'disk'), tarball: win32.join(dir, 'base.tar') };
}

/** `wsl.exe -l -q`: the registered distributions, one a line. */
export function wslListCommand(): Command {
  return { file: 'wsl.exe', args: ['-l', '-q'], env: WSL_ENV };
}

/** `wsl.exe --export DIST TAR`: the template's distribution as a tarball. */
export function wslExportCommand(distribution: string, tarball: string): Command {
  return { file: 'wsl.exe', args: ['--export', distribution, tarball], env: WSL_ENV };
}

/** `wsl.exe --import gitfleet-<name> DISK TAR --version 2`: the sandbox's own distribution. */
export function wslImportCommand(sb: DesiredSandbox): Command {
  const f = wslFiles(sb);
  return { file: 'wsl.exe', args: ['--import', distroName(sb), f.disk, f.tarball, '--version', '2'], env: WSL_ENV };
}

/** `wsl.exe --unregister gitfleet-<name>` (deletes its disk). */
export function wslUnregisterCommand(sb: DesiredSandbox): Command {
  return { file: 'wsl.exe', args: ['--unregister', distroName(sb)], env: WSL_ENV };
}

// A name WSLENV can carry: its list is `:`-separated with `/flags` after a name.
const WSLENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `cmd` run inside the sandbox's distribution: `wsl.exe -d gitfleet-<name> [--cd DIR] --exec [env K=V...] file args...`.
 * `--exec` runs the program without the distribution's shell, so arguments arrive as given. Entries that carry
 * credentials are not spelled out: they are set in wsl.exe's own environment and listed in WSLENV (`NAME/u`), which
 * WSL's interop copies into the Linux process. A name WSLENV cannot carry (npm's `npm_config_//host/:_authToken`)
 * is refused: E_UNSUPPORTED, rather than a token on a command line.
 */
export function wslExec(sb: DesiredSandbox, cmd: Command): Command {
  checkSandboxPath(sb.path); // not used inside, but a bad path means a bad sandboxes entry: refuse it everywhere
  const env = { ...sb.env, ...(cmd.env ?? {}) };
  const hidden = Object.entries(env).filter(([k, v]) => carriesCredentials(k, v));
  const refused = hidden.find(([k]) => !WSLENV_NAME.test(k));
  if (refused) {
    throw new GitfleetError('E_UNSUPPORTED', `credentials cannot be passed into WSL sandbox ${sb.name} as ${refused[0].replace(/:_(?:authToken|auth|password)$/, ':_…')}: WSLENV carries plain variable names only, and gitfleet puts no credentials on a command line (npm registry credentials are not supported inside WSL sandboxes)`);
  }
  const vars = Object.entries(env).filter(([k, v]) => !carriesCredentials(k, v)).map(([k, v]) => `${k}=${v}`);
  const { env: _env, cwd: _cwd, cleanEnv: _clean, ...rest } = cmd;
  const wslenv = [...(cmd.env?.WSLENV ? [cmd.env.WSLENV] : []), ...hidden.map(([k]) => `${k}/u`)].join(':');
  return {
    ...rest,
    ...(hidden.length > 0 ? { env: { ...Object.fromEntries(hidden), WSLENV: wslenv } } : {}),
    file: 'wsl.exe',
    args: [
      '-d', distroName(sb),
      ...(cmd.cwd !== undefined ? ['--cd', cmd.cwd] : []),
      '--exec',
      ...(vars.length > 0 ? ['env', ...vars] : []),
      cmd.file, ...cmd.args,
    ],
  };
}

/** The distribution names in `wsl.exe -l -q` output, whether it came as UTF-8 or as UTF-16 read as bytes. Pure. */
export function parseWslList(stdout: string): string[] {
  return stdout
    .replace(/\0/g, '')
    // a UTF-16 BOM arrives as U+FEFF, or as two U+FFFD when the bytes were decoded as UTF-8
    .replace(/^[\uFEFF\uFFFD]+/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}
