import type { Command } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import type { ManagerSources, PackageChange, Target } from '../types.js';
import { validChocoName } from './parse.js';
import { nuget } from './versions.js';

/** `choco --version`. */
export function chocoVersionCommand(): Command {
  return { file: 'choco', args: ['--version'] };
}

/** `choco list -r`: the listing fallback. Chocolatey v2 lists only local packages here (v1 needed --local-only). */
export function chocoListCommand(): Command {
  return { file: 'choco', args: ['list', '-r'] };
}

/** `choco search NAME --exact --all-versions -r`. */
export function chocoSearchCommand(name: string, sources: ManagerSources = {}): Command {
  checkName(name);
  return { file: 'choco', args: ['search', name, '--exact', '--all-versions', '-r', ...sourceArgs(sources)] };
}

/**
 * One `choco install|upgrade NAME --version VER -y --no-progress` per versioned change (choco applies one
 * `--version` to every name on its command line, so versioned changes cannot share one), with
 * `--allow-downgrade` for downgrades, then one `choco uninstall a b -y` for all removes.
 * Throws E_VALIDATION for an invalid id or version and E_UNSUPPORTED for a target other than the system.
 */
export function chocoCommands(changes: PackageChange[], target: Target, sources: ManagerSources = {}): Command[] {
  if (target.kind !== 'system') {
    throw new GitfleetError('E_UNSUPPORTED', `choco installs only into the system (its install directory); target kind "${target.kind}" is not supported`);
  }
  for (const c of changes) {
    checkName(c.name);
    if (c.kind === 'remove') continue;
    if (c.version === undefined || !nuget.valid(c.version)) {
      throw new GitfleetError('E_VALIDATION', `invalid NuGet version ${JSON.stringify(c.version)} for choco package ${c.name}`);
    }
  }
  const src = sourceArgs(sources);
  const out: Command[] = [];
  for (const c of changes) {
    if (c.kind === 'remove') continue;
    const verb = c.kind === 'install' ? 'install' : 'upgrade';
    const downgrade = c.kind === 'downgrade' ? ['--allow-downgrade'] : [];
    out.push({ file: 'choco', args: [verb, c.name, '--version', c.version ?? '', ...downgrade, '-y', '--no-progress', ...src] });
  }
  const removes = changes.filter((c) => c.kind === 'remove').map((c) => c.name);
  if (removes.length > 0) out.push({ file: 'choco', args: ['uninstall', ...removes, '-y'] });
  return out;
}

/** `--source URL` for a baseline's `registry` or `indexUrl` (a feed URL or a configured source name). */
function sourceArgs(sources: ManagerSources): string[] {
  const src = sources.registry ?? sources.indexUrl;
  if (src === undefined) return [];
  if (src === '' || src.startsWith('-') || /[\s"'`;&|<>^%\0]/.test(src)) {
    throw new GitfleetError('E_VALIDATION', `invalid choco source ${JSON.stringify(src)}`);
  }
  return ['--source', src];
}

function checkName(name: string): void {
  if (!validChocoName(name)) throw new GitfleetError('E_VALIDATION', `invalid choco package id ${JSON.stringify(name)}`);
}
