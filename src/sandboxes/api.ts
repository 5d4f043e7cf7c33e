import { GitfleetError } from '../util/errors.js';
import type { Runner } from '../util/exec.js';
import type { DesiredSandbox, SandboxDriver, SandboxType } from './types.js';
import { LOADABLE_DRIVERS, loadDrivers } from './load.js';
// Each driver registers in load.ts (one loader per folder; test/sandboxes/registry.test.ts checks);
// this registry loads them all.

const lookup = await loadDrivers(LOADABLE_DRIVERS);
const drivers: SandboxDriver[] = LOADABLE_DRIVERS.map(lookup);

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
