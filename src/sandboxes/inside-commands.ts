import type { ManagerId, ManagerSources, PackageChange } from '../managers/types.js';
import type { Command } from '../util/exec.js';
import { GitfleetError } from '../util/errors.js';
import { INSIDE_MANAGERS, INSIDE_PLATFORM, INSIDE_TARGET } from './listing.js';

type Build = (changes: PackageChange[], sources?: ManagerSources) => Command[];

// The adapters' own builders, for the system inside and its platform rather than the host's: a Windows host would
// otherwise send `python` (and Windows paths) into a Linux distribution whose listing ran `python3`.
// Loaded on demand, like the listings.
const BUILDERS: Partial<Record<ManagerId, () => Promise<Build>>> = {
  pip: async () => {
    const c = await import('../managers/pip/commands.js');
    return (changes, sources) => c.pipCommands(changes, INSIDE_TARGET, sources, INSIDE_PLATFORM);
  },
  npm: async () => {
    const c = await import('../managers/npm/commands.js');
    return (changes, sources) => c.npmCommands(changes, INSIDE_TARGET, sources, INSIDE_PLATFORM);
  },
  apt: async () => {
    const c = await import('../managers/apt/commands.js');
    return (changes) => c.aptCommands(changes, INSIDE_TARGET);
  },
  dnf: async () => {
    const c = await import('../managers/dnf/commands.js');
    return (changes) => c.dnfCommands(changes, INSIDE_TARGET);
  },
  gem: async () => {
    const c = await import('../managers/gem/commands.js');
    return (changes, sources) => c.gemCommands(changes, INSIDE_TARGET, sources);
  },
};

/**
 * The install/upgrade/downgrade/remove commands for `changes` as they run inside a docker or wsl sandbox (not yet
 * wrapped by the driver's `exec`): built for Linux, like the listing. E_UNSUPPORTED for a manager that has no listing
 * inside, since what it changed could not be read back.
 */
export async function insideCommands(manager: ManagerId, changes: PackageChange[], sources?: ManagerSources): Promise<Command[]> {
  const load = BUILDERS[manager];
  if (!load || !INSIDE_MANAGERS.includes(manager)) {
    throw new GitfleetError('E_UNSUPPORTED', `gitfleet cannot change ${manager} packages inside docker or wsl sandboxes (it can for ${INSIDE_MANAGERS.join(', ')})`);
  }
  return (await load())(changes, sources);
}

// What a policy's health check calls the target's Python by. Inside, gitfleet spells it: a Debian or Ubuntu WSL
// distribution (and many images) has no `python`, and a fleet's one check may serve Windows venvs and Linux containers.
const PYTHON_NAMES: ReadonlySet<string> = new Set(['python', 'python3']);

/**
 * A policy's health-check command as it runs inside a docker or wsl sandbox (not yet wrapped by the driver's `exec`):
 * a check calling the sandbox's Python as `python` or `python3` gets the interpreter that the listing and the changes
 * there run (built for INSIDE_PLATFORM, so python3 whatever the host); any other program runs as the policy names it.
 */
export async function insideCheckCommand(cmd: Command): Promise<Command> {
  if (!PYTHON_NAMES.has(cmd.file)) return cmd;
  const c = await import('../managers/pip/commands.js');
  return { ...cmd, file: c.pythonFor(INSIDE_TARGET, INSIDE_PLATFORM) };
}
