import { posix } from 'node:path';
import type { Command } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import type { PackageChange, Target } from '../types.js';
import { rpm } from './versions.js';

// rpm package names: letters, digits and `._+-` (Fedora naming guidelines), never a leading `-`.
const NAME_RE = /^[A-Za-z0-9_+][A-Za-z0-9._+-]*$/;

/** The `rpm -qa` query format the listing parser reads. */
export const RPM_QA_FORMAT = '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n';

/** The `dnf repoquery` query format the available-versions parser reads. */
export const REPOQUERY_FORMAT = '%{evr}\\t%{buildtime}\\n';

/** True for an rpm package name. */
export function validRpmName(name: string): boolean {
  return name.length <= 255 && NAME_RE.test(name);
}

/** `rpm -qa` with the listing format, inside `--root` for root targets. */
export function rpmQaCommand(target: Target): Command {
  const args = ['-qa', '--qf', RPM_QA_FORMAT];
  if (target.kind === 'root') args.unshift('--root', rootOf(target));
  else if (target.kind !== 'system') unsupported(target);
  return { file: 'rpm', args, env: { LC_ALL: 'C' } };
}

/** `dnf repoquery` for every available version of `name` with its build time (in UTC). */
export function repoqueryCommand(name: string): Command {
  checkName(name);
  return { file: 'dnf', args: ['repoquery', '-q', '--qf', REPOQUERY_FORMAT, name], env: { LC_ALL: 'C', TZ: 'UTC' } };
}

/** `name-[epoch:]version-release`, the NEVR form dnf matches exactly. */
export function nevr(name: string, version: string): string {
  return `${name}-${version}`;
}

/**
 * Commands for the changes: `dnf remove`, then `dnf downgrade`, then `dnf install` (installs and
 * upgrades: installing an exact newer NEVR upgrades it), each one invocation for all its packages.
 */
export function dnfCommands(changes: PackageChange[], target: Target): Command[] {
  const extra = target.kind === 'root' ? [`--installroot=${rootOf(target)}`] : target.kind === 'system' ? [] : unsupported(target);
  const removes: string[] = [];
  const downgrades: string[] = [];
  const installs: string[] = [];
  for (const c of changes) {
    checkName(c.name);
    if (c.kind === 'remove') {
      removes.push(c.name);
      continue;
    }
    if (c.version === undefined || !validEvr(c.version)) {
      throw new GitfleetError('E_VALIDATION', `dnf ${c.kind} of "${c.name}": ${JSON.stringify(c.version)} is not a valid rpm [epoch:]version-release`);
    }
    (c.kind === 'downgrade' ? downgrades : installs).push(nevr(c.name, c.version));
  }
  const out: Command[] = [];
  if (removes.length > 0) out.push({ file: 'dnf', args: ['remove', '-y', ...extra, ...removes] });
  if (downgrades.length > 0) out.push({ file: 'dnf', args: ['downgrade', '-y', ...extra, ...downgrades] });
  if (installs.length > 0) out.push({ file: 'dnf', args: ['install', '-y', ...extra, ...installs] });
  return out;
}

function validEvr(version: string): boolean {
  return /^[0-9A-Za-z][0-9A-Za-z._+~^:-]*$/.test(version) && rpm.valid(version);
}

function rootOf(target: Target): string {
  const root = target.path;
  if (!root || !posix.isAbsolute(root) || /[\0\n]/.test(root)) {
    throw new GitfleetError('E_VALIDATION', `dnf root target needs an absolute path, got ${JSON.stringify(root)}`);
  }
  return root;
}

function unsupported(target: Target): never {
  throw new GitfleetError('E_UNSUPPORTED', `dnf cannot manage a ${target.kind} target (only system and root)`);
}

function checkName(name: string): void {
  if (!validRpmName(name)) {
    throw new GitfleetError('E_VALIDATION', `"${name}" is not a valid rpm package name (letters, digits and . _ + -, not starting with -)`);
  }
}
