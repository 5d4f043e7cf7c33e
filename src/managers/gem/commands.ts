import type { Command } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import type { ManagerSources, PackageChange, Target } from '../types.js';
import { validGemName } from './parse.js';
import { rubygems } from './versions.js';

/** `gem --version`. */
export function gemVersionCommand(): Command {
  return { file: 'gem', args: ['--version'] };
}

/** `gem list --local`: the listing fallback. */
export function gemListCommand(): Command {
  return { file: 'gem', args: ['list', '--local'] };
}

/**
 * `gem list --remote --exact --all --prerelease NAME` (against the baseline's sources): every version, prereleases
 * too (without `--prerelease`, `--all` lists released versions only); the policy decides which it may take.
 */
export function gemRemoteListCommand(name: string, sources: ManagerSources = {}): Command {
  checkName(name);
  return { file: 'gem', args: ['list', '--remote', '--exact', '--all', '--prerelease', ...sourceArgs(sources), name] };
}

/**
 * `gem install NAME --explain --prerelease --ignore-dependencies` (installs nothing): asked only when `gem list
 * --remote` listed nothing, since `gem list` says nothing of a source that failed while this reports it.
 */
export function gemExplainCommand(name: string, sources: ManagerSources = {}): Command {
  checkName(name);
  return { file: 'gem', args: ['install', name, '--explain', '--prerelease', '--ignore-dependencies', ...sourceArgs(sources)] };
}

/**
 * Per change: `gem install NAME -v VER --no-document` (one `-v` per invocation, so one package each). Gems keep
 * every installed version side by side and `require` loads the highest, so a downgrade is: install VER (fails before
 * anything is removed when the sources lack it), `gem uninstall NAME -a -x -I` (every version: RubyGems 3.3 removes
 * only one version for `-a -v '> VER'`), install VER again. An upgrade leaves the older ones (harmless; `gem cleanup`
 * exists for them). Removes are one `gem uninstall a b -a -x` (all versions; it refuses a gem others depend on). A
 * root target is a GEM_HOME: `--install-dir` and GEM_HOME=GEM_PATH=it, without which `gem uninstall` finds nothing
 * there and exits 0. Default gems are the Ruby's: `gem uninstall` leaves them, and so does the listing.
 */
export function gemCommands(changes: PackageChange[], target: Target, sources: ManagerSources = {}): Command[] {
  const dir = installDirArgs(target);
  const env = target.kind === 'root' && target.path !== undefined ? { env: { GEM_HOME: target.path, GEM_PATH: target.path } } : {};
  for (const c of changes) {
    checkName(c.name);
    if (c.kind === 'remove') continue;
    if (c.version === undefined || !/^[0-9]+(?:\.[0-9A-Za-z]+)*$/.test(c.version) || !rubygems.valid(c.version)) {
      throw new GitfleetError('E_VALIDATION', `invalid RubyGems version ${JSON.stringify(c.version)} for gem ${c.name}`);
    }
  }
  const src = sourceArgs(sources);
  const out: Command[] = [];
  for (const c of changes) {
    if (c.kind === 'remove') continue;
    const install: Command = { file: 'gem', args: ['install', c.name, '-v', c.version ?? '', '--no-document', ...dir, ...src], ...env };
    out.push(install);
    if (c.kind === 'downgrade') out.push({ file: 'gem', args: ['uninstall', c.name, '-a', '-x', '-I', ...dir], ...env }, { ...install });
  }
  const removes = changes.filter((c) => c.kind === 'remove').map((c) => c.name);
  if (removes.length > 0) out.push({ file: 'gem', args: ['uninstall', ...removes, '-a', '-x', ...dir], ...env });
  return out;
}

/** Nothing for the system; `--install-dir PATH` for a root target (a GEM_HOME). */
function installDirArgs(target: Target): string[] {
  if (target.kind === 'system') return [];
  if (target.kind !== 'root') throw new GitfleetError('E_UNSUPPORTED', `gem cannot manage a target of kind "${target.kind}" (use system or root)`);
  const p = target.path;
  if (!p || p.startsWith('-') || p.includes('\0')) throw new GitfleetError('E_VALIDATION', `invalid GEM_HOME ${JSON.stringify(p)}`);
  return ['--install-dir', p];
}

/** `--clear-sources --source URL` for `indexUrl` (it replaces rubygems.org), `--source URL` per extra. */
function sourceArgs(sources: ManagerSources): string[] {
  const args: string[] = [];
  if (sources.indexUrl !== undefined) args.push('--clear-sources', '--source', checkUrl(sources.indexUrl));
  for (const u of sources.extraIndexUrls ?? []) args.push('--source', checkUrl(u));
  return args;
}

function checkUrl(u: string): string {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw new GitfleetError('E_VALIDATION', `invalid gem source URL ${JSON.stringify(u)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:' && url.protocol !== 'file:') {
    throw new GitfleetError('E_VALIDATION', `gem source ${JSON.stringify(u)} must be an http(s) or file URL`);
  }
  return u;
}

function checkName(name: string): void {
  if (!validGemName(name)) throw new GitfleetError('E_VALIDATION', `invalid gem name ${JSON.stringify(name)}`);
}
