import { describe, expect, it } from 'vitest';
import { commandsFor, inTarget, type HostDeps } from '../../src/apply/context.js';
import { getManager } from '../../src/managers/api.js';
import type { PackageChange } from '../../src/managers/types.js';
import { driverFor } from '../../src/sandboxes/api.js';
import { makeWslDriver } from '../../src/sandboxes/wsl/index.js';
import type { DesiredSandbox } from '../../src/sandboxes/types.js';
import { execRunner } from '../../src/util/exec.js';
import { asWindowsHost } from '../sandboxes/windows-host.js';
import { sandbox } from '../sandboxes/helpers.js';

// A Windows host: its WSL distribution is Linux, its venvs are Windows venvs. Commands are compared whole.
const wsl = makeWslDriver('win32');
const deps: HostDeps = {
  runner: execRunner, manager: getManager, fleetDir: 'C:\\fleet', env: { PIP_CONFIG_FILE: '/dev/null' },
  driver: (type) => (type === 'wsl' ? wsl : driverFor(type)),
};
const sandboxes: DesiredSandbox[] = [
  sandbox({ name: 'ml', type: 'wsl', path: 'C:\\gitfleet\\sandboxes\\ml', distribution: 'Ubuntu-22.04' }),
  sandbox({ name: 'box', type: 'docker', path: 'C:\\gitfleet\\sandboxes\\box', image: 'python:3.11-slim' }),
  sandbox({ name: 'py', type: 'venv', path: 'C:\\gitfleet\\sandboxes\\py' }),
];
const changes: PackageChange[] = [{ kind: 'remove', name: 'beta' }, { kind: 'upgrade', name: 'alpha', version: '1.1.0' }];
const PIP = ['-m', 'pip'];
const COMMON = ['--no-input', '--disable-pip-version-check'];

async function run(target: string) {
  return asWindowsHost(async () => (await commandsFor(sandboxes, deps, target, 'pip', changes)).map((c) => inTarget(sandboxes, deps, target, c)));
}

describe('pip changes as they run in each kind of target on a Windows host', () => {
  it('inside a WSL distribution: python3 through wsl.exe --exec, like the listing there', async () => {
    const got = await run('sandbox:ml');
    expect(got.map((c) => [c.file, ...c.args])).toEqual([
      ['wsl.exe', '-d', 'gitfleet-ml', '--exec', 'env', 'PIP_CONFIG_FILE=/dev/null', 'python3', ...PIP, 'uninstall', '-y', ...COMMON, 'beta'],
      ['wsl.exe', '-d', 'gitfleet-ml', '--exec', 'env', 'PIP_CONFIG_FILE=/dev/null', 'python3', ...PIP, 'install', ...COMMON, 'alpha==1.1.0'],
    ]);
  });

  it('inside a docker container: python3 through docker exec', async () => {
    const got = await run('sandbox:box');
    expect(got.map((c) => [c.file, ...c.args])).toEqual([
      ['docker', 'exec', '-e', 'PIP_CONFIG_FILE=/dev/null', 'gitfleet-box', 'python3', ...PIP, 'uninstall', '-y', ...COMMON, 'beta'],
      ['docker', 'exec', '-e', 'PIP_CONFIG_FILE=/dev/null', 'gitfleet-box', 'python3', ...PIP, 'install', ...COMMON, 'alpha==1.1.0'],
    ]);
  });

  it('in a venv on the host: still the host\'s own spelling (Scripts\\python.exe)', async () => {
    const got = await run('sandbox:py');
    expect(got.map((c) => [c.file, ...c.args])).toEqual([
      ['C:\\gitfleet\\sandboxes\\py\\Scripts\\python.exe', ...PIP, 'uninstall', '-y', ...COMMON, 'beta'],
      ['C:\\gitfleet\\sandboxes\\py\\Scripts\\python.exe', ...PIP, 'install', ...COMMON, 'alpha==1.1.0'],
    ]);
  });

  it('a manager with no listing inside is refused there before anything runs', async () => {
    await expect(commandsFor(sandboxes, deps, 'sandbox:ml', 'conda', [{ kind: 'install', name: 'numpy', version: '1.26.4' }])).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
  });
});
