import type { Command } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import type { ManagerSources, PackageChange, Target } from '../types.js';
import { validWingetName } from './parse.js';
import { loose } from './versions.js';

const AGREE = ['--accept-package-agreements', '--accept-source-agreements'];

/** `winget --version`. */
export function wingetVersionCommand(): Command {
  return { file: 'winget', args: ['--version'] };
}

/** `winget export -o FILE --include-versions`: writes every installed package (with its version) to FILE. */
export function wingetExportCommand(file: string): Command {
  if (!file || file.startsWith('-') || file.includes('\0')) throw new GitfleetError('E_VALIDATION', `invalid export file ${JSON.stringify(file)}`);
  return { file: 'winget', args: ['export', '-o', file, '--include-versions', '--accept-source-agreements'] };
}

/** `winget show --id ID --versions`. */
export function wingetShowVersionsCommand(id: string, sources: ManagerSources = {}): Command {
  checkName(id);
  return { file: 'winget', args: ['show', '--id', id, '--exact', '--versions', ...sourceArgs(sources), '--accept-source-agreements'] };
}

/**
 * One command per package (winget takes one `--id` per run): `winget install` for installs,
 * `winget upgrade` for upgrades, and for a downgrade `winget uninstall` followed by `winget install`
 * (winget has no downgrade; installers generally refuse to install over a newer version).
 * Removes are `winget uninstall --id ID --exact --silent`. Only the system target exists for winget.
 */
export function wingetCommands(changes: PackageChange[], target: Target, sources: ManagerSources = {}): Command[] {
  if (target.kind !== 'system') {
    throw new GitfleetError('E_UNSUPPORTED', `winget installs only into the system; target kind "${target.kind}" is not supported`);
  }
  for (const c of changes) {
    checkName(c.name);
    if (c.kind === 'remove') continue;
    if (c.version === undefined || !loose.valid(c.version)) {
      throw new GitfleetError('E_VALIDATION', `invalid version ${JSON.stringify(c.version)} for winget package ${c.name}`);
    }
  }
  const src = sourceArgs(sources);
  const out: Command[] = [];
  for (const c of changes) {
    const uninstall: Command = { file: 'winget', args: ['uninstall', '--id', c.name, '--exact', '--silent'] };
    if (c.kind === 'remove') {
      out.push(uninstall);
      continue;
    }
    const versioned = ['--id', c.name, '--version', c.version ?? '', '--exact', '--silent', ...src, ...AGREE];
    if (c.kind === 'downgrade') out.push(uninstall);
    out.push({ file: 'winget', args: [c.kind === 'upgrade' ? 'upgrade' : 'install', ...versioned] });
  }
  return out;
}

/** `--source NAME` for a baseline's `registry` (a configured winget source such as `winget` or `msstore`). */
function sourceArgs(sources: ManagerSources): string[] {
  const src = sources.registry;
  if (src === undefined) return [];
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(src)) throw new GitfleetError('E_VALIDATION', `invalid winget source name ${JSON.stringify(src)}`);
  return ['--source', src];
}

function checkName(name: string): void {
  if (!validWingetName(name)) throw new GitfleetError('E_VALIDATION', `invalid winget package identifier ${JSON.stringify(name)}`);
}
