import { posix, win32 } from 'node:path';
import type { Command } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import { withoutCredentials } from '../../util/url-credentials.js';
import type { ManagerSources, PackageChange, Target } from '../types.js';
import { hasUserInfo } from './auth.js';
import { normalizePipName, validPipName } from './parse.js';
import { pep440 } from './versions.js';

/** The interpreter of a venv: `bin/python`, or `Scripts\python.exe` on Windows. */
export function venvPython(venv: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? win32.join(venv, 'Scripts', 'python.exe') : posix.join(venv, 'bin', 'python');
}

/** The interpreter whose pip manages a target (`python3` from PATH for the system). */
export function pythonFor(target: Target, platform: NodeJS.Platform = process.platform): string {
  if (target.kind === 'system') return platform === 'win32' ? 'python' : 'python3';
  if (target.kind === 'venv') return venvPython(checkPath(target.path), platform);
  throw new GitfleetError('E_UNSUPPORTED', `pip cannot manage a target of kind "${target.kind}"`);
}

/** `python -m pip list --format=json`: the listing fallback. */
export function pipListCommand(python: string, timeoutMs?: number): Command {
  return { file: python, args: ['-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'], ...(timeoutMs ? { timeoutMs } : {}) };
}

/** `python3 -m pip --version`: detection. */
export function pipVersionCommand(python = 'python3', timeoutMs?: number): Command {
  return { file: python, args: ['-m', 'pip', '--version'], ...(timeoutMs ? { timeoutMs } : {}) };
}

/** pip's command-line options and environment for a baseline's sources. */
export interface PipSourceOptions {
  args: string[];
  /** PIP_INDEX_URL / PIP_EXTRA_INDEX_URL when their URLs carry credentials: never on a command line (it is shown in errors and process lists). */
  env: Record<string, string>;
}

/**
 * pip options for a baseline's sources, validated. Index URLs with credentials (user-info) go into pip's own
 * environment variables instead of `--index-url`, the way pip documents for CI secrets; an option given on the
 * command line would override the variable, so all URLs of that option move together.
 */
export function pipSourceOptions(sources: ManagerSources = {}): PipSourceOptions {
  const args: string[] = [];
  const env: Record<string, string> = {};
  if (sources.noIndex) args.push('--no-index');
  for (const dir of sources.findLinks ?? []) args.push('--find-links', checkPath(dir));
  if (sources.indexUrl) {
    const url = checkUrl(sources.indexUrl);
    if (hasUserInfo(url)) env.PIP_INDEX_URL = url;
    else args.push('--index-url', url);
  }
  const extras = (sources.extraIndexUrls ?? []).map(checkUrl);
  // pip splits PIP_EXTRA_INDEX_URL on whitespace, which checkUrl has ruled out.
  if (extras.some(hasUserInfo)) env.PIP_EXTRA_INDEX_URL = extras.join(' ');
  else for (const u of extras) args.push('--extra-index-url', u);
  return { args, env };
}

/**
 * One `pip install name==ver ...` for every install/upgrade/downgrade of the target, and one
 * `pip uninstall -y name ...` for removes (removes first, so a replaced package cannot clash).
 * Throws E_VALIDATION before building anything when a name or version is invalid.
 */
export function pipCommands(
  changes: PackageChange[], target: Target, sources: ManagerSources = {}, platform: NodeJS.Platform = process.platform,
): Command[] {
  const seen = new Set<string>();
  for (const c of changes) {
    if (!validPipName(c.name)) throw new GitfleetError('E_VALIDATION', `invalid pip package name ${JSON.stringify(c.name)}`);
    const key = normalizePipName(c.name);
    if (seen.has(key)) throw new GitfleetError('E_VALIDATION', `pip package ${c.name} appears more than once in one change set`);
    seen.add(key);
    if (c.kind === 'remove') continue;
    if (c.version === undefined || !pep440.valid(c.version)) {
      throw new GitfleetError('E_VALIDATION', `invalid PEP 440 version ${JSON.stringify(c.version)} for pip package ${c.name}`);
    }
  }
  const python = pythonFor(target, platform);
  const removes = changes.filter((c) => c.kind === 'remove').map((c) => c.name);
  const installs = changes.filter((c) => c.kind !== 'remove').map((c) => `${c.name}==${c.version ?? ''}`);
  const base = ['-m', 'pip'];
  const common = ['--no-input', '--disable-pip-version-check'];
  const out: Command[] = [];
  if (removes.length > 0) out.push({ file: python, args: [...base, 'uninstall', '-y', ...common, ...removes] });
  if (installs.length > 0) {
    const src = pipSourceOptions(sources);
    const env = Object.keys(src.env).length > 0 ? { env: src.env } : {};
    out.push({ file: python, args: [...base, 'install', ...common, ...src.args, ...installs], ...env });
  }
  return out;
}

function checkPath(p: string | undefined): string {
  if (!p || p.includes('\0') || p.startsWith('-')) {
    throw new GitfleetError('E_VALIDATION', `invalid path ${JSON.stringify(p)} for pip (empty, starts with "-" or contains NUL)`);
  }
  return p;
}

function checkUrl(u: string): string {
  // The message names the URL without its credentials, if it has any.
  const shown = JSON.stringify(withoutCredentials(u));
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw new GitfleetError('E_VALIDATION', `invalid pip index URL ${shown}`);
  }
  if (!['http:', 'https:', 'file:'].includes(url.protocol)) {
    throw new GitfleetError('E_VALIDATION', `pip index URL must be http(s) or file: ${shown}`);
  }
  if (/\s/.test(u)) throw new GitfleetError('E_VALIDATION', `pip index URL must not contain white space: ${shown}`);
  return u;
}
