// Real wheels and venvs for pip tests: wheels are written by /usr/bin/python3 with zipfile.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execRunner, runChecked, type CommandResult } from '../../src/util/exec.js';

export const PYTHON = '/usr/bin/python3';

/** A distribution to build: `name` goes into METADATA as written; the file name is escaped per the wheel spec. */
export interface WheelSpec {
  name: string;
  version: string;
}

// The project's one wheel writer (also used by the demo artifacts and the benchmarks).
const WRITE_WHEELS = join(import.meta.dirname, '../../scripts/write-wheels.py');

/** Writes one wheel per spec into `dir`. */
export async function writeWheels(dir: string, specs: WheelSpec[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  // The METADATA body line checks that readers stop at the end of the headers.
  const withBody = specs.map((w) => ({ ...w, description: 'body line: not a header' }));
  await runChecked(execRunner, { file: PYTHON, args: [WRITE_WHEELS, dir], input: JSON.stringify(withBody) });
}

/** A clean environment for pip: no user config, no PIP_FIND_LINKS from this machine, no cache. */
export function pipEnv(): Record<string, string> {
  return { PIP_CONFIG_FILE: '/dev/null', PIP_NO_CACHE_DIR: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONDONTWRITEBYTECODE: '1' };
}

/** Creates a venv with /usr/bin/python3 (with pip only when asked: that costs ~2 s). */
export async function makeVenv(dir: string, withPip: boolean): Promise<string> {
  await runChecked(execRunner, { file: PYTHON, args: ['-m', 'venv', ...(withPip ? [] : ['--without-pip']), dir], env: pipEnv(), cleanEnv: true });
  return dir;
}

/** Runs `VENV/bin/python -m pip ARGS` in the clean environment; throws on a non-zero exit. */
export async function pip(venv: string, args: string[]): Promise<CommandResult> {
  return runChecked(execRunner, { file: join(venv, 'bin', 'python'), args: ['-m', 'pip', ...args], env: pipEnv(), cleanEnv: true });
}

/** `pip list --format=json` of a venv as normalized name → version (the reference for listing). */
export async function pipListReference(venv: string): Promise<Record<string, string>> {
  const res = await pip(venv, ['list', '--format=json']);
  const out: Record<string, string> = {};
  for (const e of JSON.parse(res.stdout) as { name: string; version: string }[]) {
    out[e.name.replace(/[-_.]+/g, '-').toLowerCase()] = e.version;
  }
  return out;
}
