import type { Command } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import type { ManagerSources, PackageChange, Target } from '../types.js';
import { validCondaName, validCondaVersion } from './parse.js';

/** `conda --version`. */
export function condaVersionCommand(): Command {
  return { file: 'conda', args: ['--version'] };
}

/** `conda list --json [-p PATH]`: the listing fallback. */
export function condaListCommand(target: Target): Command {
  return { file: 'conda', args: ['list', '--json', ...prefixArgs(target)] };
}

/** `conda search NAME --json` (with the baseline's channels). */
export function condaSearchCommand(name: string, sources: ManagerSources = {}): Command {
  checkName(name);
  return { file: 'conda', args: ['search', name, '--json', ...channelArgs(sources)] };
}

/**
 * One `conda install -y -p PATH a==1 b==2` for every install/upgrade/downgrade (conda solves them
 * together), then one `conda remove -y -p PATH c d`. Specs use `==`: in conda `name=1.2` is a fuzzy
 * match (1.2, 1.2.1, 1.2.9 ...) while `name==1.2` is the exact version a plan asks for.
 * The system target means conda's active (base) environment. Throws E_VALIDATION / E_UNSUPPORTED.
 */
export function condaCommands(changes: PackageChange[], target: Target, sources: ManagerSources = {}): Command[] {
  const prefix = prefixArgs(target);
  for (const c of changes) {
    checkName(c.name);
    if (c.kind === 'remove') continue;
    if (c.version === undefined || !validCondaVersion(c.version)) {
      throw new GitfleetError('E_VALIDATION', `invalid conda version ${JSON.stringify(c.version)} for package ${c.name}`);
    }
  }
  const specs = changes.filter((c) => c.kind !== 'remove').map((c) => `${c.name}==${c.version ?? ''}`);
  const removes = changes.filter((c) => c.kind === 'remove').map((c) => c.name);
  const out: Command[] = [];
  if (specs.length > 0) out.push({ file: 'conda', args: ['install', '-y', ...prefix, ...channelArgs(sources), ...specs] });
  if (removes.length > 0) out.push({ file: 'conda', args: ['remove', '-y', ...prefix, ...removes] });
  return out;
}

/** `-p PATH` for a conda-env target, nothing for the system; other kinds are not conda's. */
function prefixArgs(target: Target): string[] {
  if (target.kind === 'system') return [];
  if (target.kind !== 'conda-env') {
    throw new GitfleetError('E_UNSUPPORTED', `conda cannot manage a target of kind "${target.kind}" (use conda-env or system)`);
  }
  const p = target.path;
  if (!p || p.startsWith('-') || p.includes('\0')) throw new GitfleetError('E_VALIDATION', `invalid conda environment path ${JSON.stringify(p)}`);
  return ['-p', p];
}

/** `--override-channels -c URL` for `indexUrl` (it replaces the defaults) and `-c URL` for each extra. */
function channelArgs(sources: ManagerSources): string[] {
  const args: string[] = [];
  if (sources.indexUrl !== undefined) args.push('--override-channels', '-c', checkChannel(sources.indexUrl));
  for (const u of sources.extraIndexUrls ?? []) args.push('-c', checkChannel(u));
  return args;
}

function checkChannel(c: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._~:/?#@!$&'()*+,;=%-]*$/.test(c)) throw new GitfleetError('E_VALIDATION', `invalid conda channel ${JSON.stringify(c)}`);
  return c;
}

function checkName(name: string): void {
  if (!validCondaName(name)) throw new GitfleetError('E_VALIDATION', `invalid conda package name ${JSON.stringify(name)}`);
}
