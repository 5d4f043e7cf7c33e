import { GitfleetError } from '../util/errors.js';
import type { Runner } from '../util/exec.js';
import { condaDriver } from './conda/index.js';
import { dockerDriver } from './docker/index.js';
import { nodeDriver } from './node/index.js';
import type { DesiredSandbox, SandboxDriver, SandboxType } from './types.js';
import { venvDriver } from './venv/index.js';
import { wslDriver } from './wsl/index.js';
// Each driver registers here: one import and one entry per folder (test/sandboxes/registry.test.ts checks).

const drivers: SandboxDriver[] = [venvDriver, nodeDriver, condaDriver, dockerDriver, wslDriver];

/** Every registered driver, in registration order. */
export function allDrivers(): readonly SandboxDriver[] {
  return drivers;
}

/** The driver for a sandbox type; throws E_NOT_FOUND when none is registered. */
export function driverFor(type: SandboxType | string): SandboxDriver {
  const found = drivers.find((d) => d.type === type);
  if (!found) throw new GitfleetError('E_NOT_FOUND', `no sandbox driver for type "${type}"`);
  return found;
}

/** A Runner that runs every command inside `sb` (through its driver's `exec`): for package adapters and health checks. */
export function sandboxRunner(sb: DesiredSandbox, runner: Runner, driver: SandboxDriver = driverFor(sb.type)): Runner {
  return { run: (cmd) => runner.run(driver.exec(sb, cmd)) };
}
