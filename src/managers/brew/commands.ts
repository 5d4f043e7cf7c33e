import { posix } from 'node:path';
import type { Command } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import type { AvailableVersion, PackageChange, Target } from '../types.js';
import { stripRevision, validBrewName } from './parse.js';
import { loose } from './versions.js';

// How gitfleet pins brew versions (decided here, relied on by the planner):
// brew installs only a formula's *current* version; there is no `brew install foo@1.2.3` for an arbitrary
// old release. So (1) listAvailable reports exactly that one version, and a plan built from it only asks
// for what brew will install; (2) install/upgrade commands name the formula without a version;
// (3) a downgrade can never be honoured and commands() throws E_UNSUPPORTED; (4) an older major line
// is pinned by naming a versioned formula as the package (`postgresql@15`, `python@3.11`, `node@20`);
// (5) `brewVersionProblem` lets the planner report a version brew cannot give before anything runs.

/** Prefixes brew uses when none is given, in the order brew's own installer prefers them. */
export const BREW_SYSTEM_PREFIXES = ['/opt/homebrew', '/usr/local', '/home/linuxbrew/.linuxbrew'] as const;

// Auto-update would change what "current" means between plan and apply; env hints are noise in logs.
const BREW_ENV = { HOMEBREW_NO_AUTO_UPDATE: '1', HOMEBREW_NO_ENV_HINTS: '1' };

/** The brew executable for a target: `<prefix>/bin/brew` for a root prefix, `brew` from PATH otherwise. */
export function brewFile(target: Target): string {
  if (target.kind === 'system') return 'brew';
  if (target.kind === 'root') return posix.join(checkPath(target.path), 'bin', 'brew');
  throw new GitfleetError('E_UNSUPPORTED', `brew cannot manage a target of kind "${target.kind}" (use system or root)`);
}

/** `brew --version`. */
export function brewVersionCommand(): Command {
  return { file: 'brew', args: ['--version'], env: BREW_ENV };
}

/** `brew info --json=v2 --installed`: the listing fallback. */
export function brewListCommand(target: Target): Command {
  return { file: brewFile(target), args: ['info', '--json=v2', '--installed'], env: BREW_ENV };
}

/** `brew info --json=v2 NAME`: the version brew would install. */
export function brewInfoCommand(name: string): Command {
  checkName(name);
  return { file: 'brew', args: ['info', '--json=v2', name], env: BREW_ENV };
}

/**
 * A GitfleetError (E_UNSUPPORTED) when brew cannot give `change` its exact version, given what
 * listAvailable reported; undefined when it can. Pure: the planner calls it with data it already has.
 */
export function brewVersionProblem(change: PackageChange, available: AvailableVersion[]): GitfleetError | undefined {
  if (change.kind === 'remove' || change.version === undefined) return undefined;
  if (change.kind === 'downgrade') return downgradeError(change);
  const current = available[0]?.version;
  if (current !== undefined && stripRevision(current) === stripRevision(change.version)) return undefined;
  return new GitfleetError(
    'E_UNSUPPORTED',
    `brew can only install the current version of ${change.name} (${current ?? 'unknown'}), not ${change.version}; ` +
      `pin an older line with a versioned formula such as ${change.name}@${change.version.split('.')[0] ?? ''} where one exists`,
  );
}

/**
 * One `brew install a b`, one `brew upgrade c d` and one `brew uninstall e f` (in that order, each only
 * when needed). Versions are validated but not passed: see the note at the top of this file.
 * Throws E_UNSUPPORTED for a downgrade and E_VALIDATION for an invalid name or version.
 */
export function brewCommands(changes: PackageChange[], target: Target): Command[] {
  const file = brewFile(target);
  for (const c of changes) {
    checkName(c.name);
    if (c.kind === 'remove') continue;
    if (c.version === undefined || !loose.valid(stripRevision(c.version))) {
      throw new GitfleetError('E_VALIDATION', `invalid version ${JSON.stringify(c.version)} for brew package ${c.name}`);
    }
    if (c.kind === 'downgrade') throw downgradeError(c);
  }
  const names = (kind: PackageChange['kind']): string[] => changes.filter((c) => c.kind === kind).map((c) => c.name);
  const out: Command[] = [];
  const install = names('install');
  const upgrade = names('upgrade');
  const remove = names('remove');
  if (install.length > 0) out.push({ file, args: ['install', ...install], env: BREW_ENV });
  if (upgrade.length > 0) out.push({ file, args: ['upgrade', ...upgrade], env: BREW_ENV });
  if (remove.length > 0) out.push({ file, args: ['uninstall', ...remove], env: BREW_ENV });
  return out;
}

function downgradeError(c: PackageChange): GitfleetError {
  return new GitfleetError(
    'E_UNSUPPORTED',
    `brew cannot downgrade ${c.name} to ${c.version ?? '?'}: it installs only a formula's current version; ` +
      `pin an older line with a versioned formula (e.g. ${c.name}@${(c.version ?? '').split('.')[0] ?? ''}) instead`,
  );
}

function checkName(name: string): void {
  if (!validBrewName(name)) throw new GitfleetError('E_VALIDATION', `invalid brew formula or cask name ${JSON.stringify(name)}`);
}

function checkPath(p: string | undefined): string {
  if (!p || p.includes('\0') || !posix.isAbsolute(p)) {
    throw new GitfleetError('E_VALIDATION', `invalid brew prefix ${JSON.stringify(p)} (must be an absolute path)`);
  }
  return p;
}
