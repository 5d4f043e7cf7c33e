import { mkdir, rm } from 'node:fs/promises';
import { join, posix, win32 } from 'node:path';
import { writeFileAtomic } from '../../util/atomic.js';
import { GitfleetError, errorMessage } from '../../util/errors.js';
import { describe, runChecked, type Command, type Runner } from '../../util/exec.js';
import { LAUNCHD_LABEL, LAUNCHD_LOG_DIR, LAUNCHD_PLIST } from './launchd.js';
import { SYSTEMD_UNIT } from './systemd.js';
import type { ServiceFile, ServicePlatform } from './types.js';

/** One thing install or uninstall does; the list is data, so `--dry-run` prints exactly what would happen. */
export type ServiceStep =
  | { kind: 'mkdir'; path: string; mode: number }
  | { kind: 'write'; path: string; content: string; mode: number }
  | { kind: 'remove'; path: string }
  // `mayFail`: stopping something that is not running is not an error.
  | { kind: 'run'; command: Command; mayFail?: boolean };

/** Where and how to install: `root` writes into a directory tree instead of the live system and starts nothing. */
export interface InstallTarget {
  platform: ServicePlatform;
  /** Install into this directory tree; no service manager of this host is touched (only `systemctl --root`). */
  root?: string;
  /** Write the files only: do not enable or start. */
  noStart?: boolean;
  /** Windows: the WinSW exe the XML is written beside (named after it). */
  winswExe?: string;
  /** Created (mode 0700) when absent, except where the service manager creates it. */
  stateDir?: string;
}

/** The steps that install a rendered service definition. */
export function planInstall(file: ServiceFile, t: InstallTarget): ServiceStep[] {
  const at = (p: string) => underRoot(t.root, p);
  const state: ServiceStep[] = t.stateDir && !(t.platform === 'systemd' && t.stateDir === '/var/lib/gitfleet')
    ? [{ kind: 'mkdir', path: at(t.stateDir), mode: 0o700 }] : [];
  if (t.platform === 'systemd') {
    const unit = at(`/etc/systemd/system/${SYSTEMD_UNIT}`);
    const steps: ServiceStep[] = [...state, { kind: 'write', path: unit, content: file.content, mode: 0o644 }];
    if (t.root !== undefined) {
      // Offline: makes the multi-user.target.wants symlink inside the root without a running systemd.
      if (!t.noStart) steps.push(run('systemctl', [`--root=${t.root}`, 'enable', SYSTEMD_UNIT]));
      return steps;
    }
    steps.push(run('systemctl', ['daemon-reload']));
    if (!t.noStart) steps.push(run('systemctl', ['enable', '--now', SYSTEMD_UNIT]));
    return steps;
  }
  if (t.platform === 'launchd') {
    const plist = `/Library/LaunchDaemons/${LAUNCHD_PLIST}`;
    const steps: ServiceStep[] = [
      ...state,
      { kind: 'mkdir', path: at(LAUNCHD_LOG_DIR), mode: 0o755 },
      // launchd refuses a plist that is group- or world-writable.
      { kind: 'write', path: at(plist), content: file.content, mode: 0o644 },
    ];
    if (t.root !== undefined || t.noStart) return steps;
    return [
      ...steps,
      // A reinstall: unload the old job first (fails harmlessly when none is loaded), undo a `launchctl disable`.
      run('launchctl', ['bootout', `system/${LAUNCHD_LABEL}`], true),
      run('launchctl', ['enable', `system/${LAUNCHD_LABEL}`]),
      run('launchctl', ['bootstrap', 'system', plist]),
    ];
  }
  const exe = winswExe(t);
  const steps: ServiceStep[] = [...state, { kind: 'write', path: at(winswXmlPath(exe)), content: file.content, mode: 0o644 }];
  if (t.root !== undefined || t.noStart) return steps;
  return [...steps, run(exe, ['install']), run(exe, ['start'])];
}

/** The steps that stop and remove an installed service; the state directory is kept (inventory, audit log). */
export function planUninstall(t: InstallTarget): ServiceStep[] {
  const at = (p: string) => underRoot(t.root, p);
  if (t.platform === 'systemd') {
    const unit = { kind: 'remove', path: at(`/etc/systemd/system/${SYSTEMD_UNIT}`) } as const;
    if (t.root !== undefined) return [run('systemctl', [`--root=${t.root}`, 'disable', SYSTEMD_UNIT], true), unit];
    return [run('systemctl', ['disable', '--now', SYSTEMD_UNIT], true), unit, run('systemctl', ['daemon-reload'])];
  }
  if (t.platform === 'launchd') {
    const plist = { kind: 'remove', path: at(`/Library/LaunchDaemons/${LAUNCHD_PLIST}`) } as const;
    if (t.root !== undefined) return [plist];
    return [run('launchctl', ['bootout', `system/${LAUNCHD_LABEL}`], true), plist];
  }
  const exe = winswExe(t);
  const xml = { kind: 'remove', path: at(winswXmlPath(exe)) } as const;
  if (t.root !== undefined) return [xml];
  // WinSW needs its XML to uninstall: remove the file last.
  return [run(exe, ['stop'], true), run(exe, ['uninstall']), xml];
}

/** Carries out steps in order; a failing step stops the rest (except `mayFail` commands). Returns a line per step. */
export async function executeSteps(steps: readonly ServiceStep[], runner: Runner): Promise<string[]> {
  const done: string[] = [];
  for (const step of steps) {
    try {
      if (step.kind === 'mkdir') await mkdir(step.path, { recursive: true, mode: step.mode });
      else if (step.kind === 'write') await writeFileAtomic(step.path, step.content, step.mode);
      else if (step.kind === 'remove') {
        if (!(await removeIfPresent(step.path))) {
          done.push(`${describeStep(step)} (was not there)`);
          continue;
        }
      }
      else if (step.mayFail) {
        const res = await runner.run(step.command);
        if (res.exitCode !== 0) {
          done.push(`${describeStep(step)} (exit ${res.exitCode}, ignored)`);
          continue;
        }
      } else await runChecked(runner, step.command);
    } catch (err) {
      if (err instanceof GitfleetError) throw err;
      throw new GitfleetError('E_IO', `${describeStep(step)} failed: ${errorMessage(err)}`, { cause: err });
    }
    done.push(describeStep(step));
  }
  return done;
}

/** A step as one line: `write PATH`, `run systemctl daemon-reload`, … */
export function describeStep(step: ServiceStep): string {
  if (step.kind === 'run') return `run ${describe(step.command)}`;
  if (step.kind === 'mkdir') return `mkdir ${step.path}`;
  return `${step.kind} ${step.path}`;
}

/** WinSW v2 reads `<exe base name>.xml` from the exe's folder. */
export function winswXmlPath(exe: string): string {
  const p = exe.includes('\\') ? win32 : posix;
  return p.join(p.dirname(exe), `${p.basename(exe).replace(/\.exe$/i, '')}.xml`);
}

/** A target path inside `root` (a Windows path loses its drive letter and uses `/`), or the path itself. */
export function underRoot(root: string | undefined, p: string): string {
  if (root === undefined) return p;
  const rel = p.replace(/^[A-Za-z]:/, '').replace(/\\/g, '/');
  return join(root, rel);
}

async function removeIfPresent(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function winswExe(t: InstallTarget): string {
  if (!t.winswExe) throw new GitfleetError('E_USAGE', '--winsw PATH is required on Windows: the WinSW exe (e.g. C:\\gitfleet\\gitfleet-agent.exe) whose XML this writes');
  if (!/\.exe$/i.test(t.winswExe)) throw new GitfleetError('E_USAGE', `--winsw must name the WinSW .exe, got "${t.winswExe}"`);
  return t.winswExe;
}

function run(file: string, args: string[], mayFail = false): ServiceStep {
  return mayFail ? { kind: 'run', command: { file, args, timeoutMs: 120_000 }, mayFail } : { kind: 'run', command: { file, args, timeoutMs: 120_000 } };
}
