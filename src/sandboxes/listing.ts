import type { ManagerId, Target } from '../managers/types.js';
import type { Command, CommandResult } from '../util/exec.js';
import { GitfleetError } from '../util/errors.js';
import { checkSandboxName, checkSandboxPath } from './paths.js';
import type { DesiredSandbox, SandboxDriver, SandboxType } from './types.js';

/** A manager's machine-readable listing as it runs inside a sandbox, and the adapter's own parser for its output. */
export interface InsideListing {
  /** The listing as it runs inside (not yet wrapped by the driver's `exec`). */
  command: Command;
  /** stdout → installed name → version, normalized as the adapter's `listInstalled` does. */
  parse(stdout: string): Record<string, string>;
  /** True when the result holds a listing to parse. */
  usable(res: CommandResult): boolean;
}

/** Sandbox types whose packages live inside (a container, a distribution): listed there through the driver's `exec`. */
export const INSIDE_TYPES: readonly SandboxType[] = ['docker', 'wsl'];

/**
 * The platform inside every docker and wsl sandbox: Linux, whatever the host runs (a Windows host's WSL distribution
 * and its Linux containers alike). The one place that decides it: listing and the change commands both build with it,
 * so they spell things the same way (python3, not python).
 */
export const INSIDE_PLATFORM: NodeJS.Platform = 'linux';

/** Where packages live inside a docker or wsl sandbox: that system's own, reached through the driver's `exec`. */
export const INSIDE_TARGET: Readonly<Target> = { kind: 'system' };

const SYSTEM = INSIDE_TARGET;
const exitedZero = (res: CommandResult): boolean => res.exitCode === 0;

// Loaded on demand, like src/managers/load.ts: a plan without docker or wsl sandboxes loads none of them.
const LISTINGS: Partial<Record<ManagerId, () => Promise<InsideListing>>> = {
  pip: async () => {
    const [c, p] = await Promise.all([import('../managers/pip/commands.js'), import('../managers/pip/parse.js')]);
    return { command: c.pipListCommand(c.pythonFor(SYSTEM, INSIDE_PLATFORM)), parse: p.parsePipList, usable: exitedZero };
  },
  npm: async () => {
    const [c, p] = await Promise.all([import('../managers/npm/commands.js'), import('../managers/npm/parse.js')]);
    // npm ls exits 1 on tree problems (missing, invalid) yet still prints the JSON tree, as the adapter allows
    return { command: c.npmListCommand(SYSTEM), parse: p.parseNpmLs, usable: (r) => r.exitCode === 0 || r.stdout.trim().startsWith('{') };
  },
  apt: async () => {
    const [c, p] = await Promise.all([import('../managers/apt/commands.js'), import('../managers/apt/parse.js')]);
    // dpkg-query, not the status file: the file is inside the container, and the query prints binary:Package keys as the file reader makes them
    return { command: c.dpkgQueryCommand(SYSTEM), parse: p.parseDpkgQuery, usable: exitedZero };
  },
  dnf: async () => {
    const [c, p, v] = await Promise.all([import('../managers/dnf/commands.js'), import('../managers/dnf/parse.js'), import('../managers/dnf/versions.js')]);
    return { command: c.rpmQaCommand(SYSTEM), parse: (out) => p.parseRpmQa(out, v.rpm.compare), usable: exitedZero };
  },
  gem: async () => {
    const [c, p] = await Promise.all([import('../managers/gem/commands.js'), import('../managers/gem/parse.js')]);
    return { command: c.gemListCommand(), parse: p.parseGemListLocal, usable: exitedZero };
  },
};

/** Managers whose packages gitfleet can list inside a docker or wsl sandbox. */
export const INSIDE_MANAGERS = Object.keys(LISTINGS) as ManagerId[];

/** True when packages of this sandbox type are listed inside it (docker, wsl) rather than from the host's files. */
export function listsInside(type: string): boolean {
  return (INSIDE_TYPES as readonly string[]).includes(type);
}

/** The listing of `manager` inside a sandbox; E_UNSUPPORTED for a manager that has none there. */
export async function insideListing(manager: ManagerId): Promise<InsideListing> {
  const load = LISTINGS[manager];
  if (!load) {
    throw new GitfleetError('E_UNSUPPORTED', `gitfleet cannot list ${manager} packages inside docker or wsl sandboxes (it can for ${INSIDE_MANAGERS.join(', ')})`);
  }
  return load();
}

// What `docker exec -e` and `env` (wsl) take as a variable name; anything else could be read as an option.
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The command that lists `listing` inside `sb`: the adapter's listing with `managerEnv` under its own environment,
 * wrapped by the driver's `exec`. Validates the sandbox's name and path and every variable name first. Pure.
 */
export function insideListCommand(sb: DesiredSandbox, listing: Command, driver: SandboxDriver, managerEnv: Record<string, string> = {}): Command {
  if (!listsInside(sb.type) || driver.type !== sb.type) {
    throw new GitfleetError('E_INTERNAL', `${sb.type} sandbox ${sb.name}: packages are listed inside only for ${INSIDE_TYPES.join(' and ')} sandboxes, through their own driver`);
  }
  checkSandboxName(sb.name);
  checkSandboxPath(sb.path);
  const env = { ...managerEnv, ...(listing.env ?? {}) };
  for (const key of Object.keys({ ...sb.env, ...env })) {
    if (!ENV_KEY.test(key)) throw new GitfleetError('E_VALIDATION', `environment variable name ${JSON.stringify(key)} for ${sb.type} sandbox ${sb.name} is refused: use letters, digits and _`);
  }
  return driver.exec(sb, { ...listing, env });
}
