import { posix, win32 } from 'node:path';
import type { Command } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import { withoutCredentials } from '../../util/url-credentials.js';
import type { ManagerSources, PackageChange, Target } from '../types.js';
import { registryAuth } from './auth.js';
import { tarballName, validNpmName } from './parse.js';
import { semver } from './versions.js';

const QUIET = ['--no-audit', '--no-fund'];

/** npm flags that point a command at a target: `-g [--prefix P]` or `--prefix P`. */
export function npmTargetArgs(target: Target): string[] {
  switch (target.kind) {
    case 'system': return ['-g'];
    case 'node-prefix': return ['-g', '--prefix', checkPath(target.path)];
    case 'node-project': return ['--prefix', checkPath(target.path)];
    default: throw new GitfleetError('E_UNSUPPORTED', `npm cannot manage a target of kind "${target.kind}"`);
  }
}

/** `npm ls --json --depth=0 ...`: the listing fallback. */
export function npmListCommand(target: Target, timeoutMs?: number): Command {
  return { file: 'npm', args: ['ls', '--json', '--depth=0', ...npmTargetArgs(target)], ...(timeoutMs ? { timeoutMs } : {}) };
}

/** `npm --version`: detection. */
export function npmVersionCommand(timeoutMs?: number): Command {
  return { file: 'npm', args: ['--version'], ...(timeoutMs ? { timeoutMs } : {}) };
}

/** `npm view NAME time versions --json [--registry R]`: available versions with dates. */
export function npmViewCommand(name: string, sources: ManagerSources = {}, timeoutMs?: number): Command {
  if (!validNpmName(name)) throw new GitfleetError('E_VALIDATION', `invalid npm package name ${JSON.stringify(name)}`);
  const reg = registryOptions(sources);
  return { file: 'npm', args: ['view', name, 'time', 'versions', '--json', ...reg.args], ...reg.env, ...(timeoutMs ? { timeoutMs } : {}) };
}

/**
 * One `npm install` of every install/upgrade/downgrade of the target and one `npm uninstall` of
 * every remove (removes first). With find-links folders the spec is the `npm pack` tarball in the
 * first folder (the builder is pure, so it cannot look for it elsewhere). Throws E_VALIDATION first.
 */
export function npmCommands(
  changes: PackageChange[], target: Target, sources: ManagerSources = {}, platform: NodeJS.Platform = process.platform,
): Command[] {
  const seen = new Set<string>();
  for (const c of changes) {
    if (!validNpmName(c.name)) throw new GitfleetError('E_VALIDATION', `invalid npm package name ${JSON.stringify(c.name)}`);
    if (seen.has(c.name)) throw new GitfleetError('E_VALIDATION', `npm package ${c.name} appears more than once in one change set`);
    seen.add(c.name);
    if (c.kind !== 'remove' && (c.version === undefined || !semver.valid(c.version))) {
      throw new GitfleetError('E_VALIDATION', `invalid semver version ${JSON.stringify(c.version)} for npm package ${c.name}`);
    }
  }
  const where = npmTargetArgs(target);
  const dir = sources.findLinks?.[0];
  const spec = (c: PackageChange): string => {
    const version = c.version ?? '';
    return dir === undefined ? `${c.name}@${version}` : tarballPath(checkPath(dir), tarballName(c.name, version), platform);
  };
  const removes = changes.filter((c) => c.kind === 'remove').map((c) => c.name);
  const installs = changes.filter((c) => c.kind !== 'remove').map(spec);
  const saveExact = target.kind === 'node-project' ? ['--save-exact'] : [];
  const out: Command[] = [];
  if (removes.length > 0) out.push({ file: 'npm', args: ['uninstall', ...QUIET, ...where, ...removes] });
  if (installs.length > 0) {
    const reg = registryOptions(sources);
    out.push({ file: 'npm', args: ['install', ...QUIET, ...where, ...saveExact, ...reg.args, ...installs], ...reg.env });
  }
  return out;
}

// npm reads `dir/x.tgz` as a GitHub shorthand; a spec is a file only when it starts with `.`, `/` or a drive.
function tarballPath(dir: string, file: string, platform: NodeJS.Platform): string {
  const path = platform === 'win32' ? win32 : posix;
  const joined = path.join(dir, file);
  return path.isAbsolute(joined) || joined.startsWith('.') ? joined : `.${path.sep}${joined}`;
}

/** `--registry URL` (without credentials) and, when the URL had them, npm's auth config for it in `env`. */
function registryOptions(sources: ManagerSources): { args: string[]; env: { env?: Record<string, string> } } {
  if (!sources.registry) return { args: [], env: {} };
  let url: URL | undefined;
  try {
    url = new URL(sources.registry);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || /\s/.test(sources.registry)) {
    throw new GitfleetError('E_VALIDATION', `npm registry must be an http(s) URL: ${JSON.stringify(withoutCredentials(sources.registry))}`);
  }
  const auth = registryAuth(sources.registry);
  return { args: ['--registry', auth.url], env: Object.keys(auth.env).length > 0 ? { env: auth.env } : {} };
}

function checkPath(p: string | undefined): string {
  if (!p || p.includes('\0') || p.startsWith('-')) {
    throw new GitfleetError('E_VALIDATION', `invalid path ${JSON.stringify(p)} for npm (empty, starts with "-" or contains NUL)`);
  }
  return p;
}
