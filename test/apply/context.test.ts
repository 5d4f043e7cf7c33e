import { describe, expect, it } from 'vitest';
import { checkInTarget, commandsFor, inTarget, type HostDeps } from '../../src/apply/context.js';
import { runHealthChecks } from '../../src/apply/health.js';
import { getManager } from '../../src/managers/api.js';
import type { PackageChange } from '../../src/managers/types.js';
import { driverFor } from '../../src/sandboxes/api.js';
import { makeWslDriver } from '../../src/sandboxes/wsl/index.js';
import { makeVenvDriver } from '../../src/sandboxes/venv/index.js';
import type { DesiredSandbox } from '../../src/sandboxes/types.js';
import { execRunner, type Command, type Runner } from '../../src/util/exec.js';
import { asWindowsHost } from '../sandboxes/windows-host.js';
import { sandbox, scriptedRunner } from '../sandboxes/helpers.js';
import { posix } from 'node:path';
import { sourcesFor } from '../../src/apply/context.js';
import { dockerRunCommand } from '../../src/sandboxes/docker/commands.js';
import { sourceFolders, sourceMountFolders, sourceMountPoint, sourcePathInside } from '../../src/sandboxes/sources.js';

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

describe('package folders (findLinks, npm tarballs) reach commands inside a sandbox where the sandbox sees them', () => {
  const installs: PackageChange[] = [{ kind: 'install', name: 'alpha', version: '1.1.0' }];
  const INSPECT = 'docker container inspect gitfleet-box';
  const container = (...mounts: string[]) => JSON.stringify([{
    State: { Status: 'running', Running: true }, Config: { Image: 'python:3.11-slim', Labels: { 'gitfleet.sandbox': 'box' } },
    Mounts: [{ Destination: '/sandbox' }, ...mounts.map((Destination) => ({ Destination, RW: false }))],
  }]);
  const argv = (cmds: { file: string; args: string[] }[]) => cmds.map((c) => [c.file, ...c.args]);
  const wheels = 'C:\\fleet\\artifacts\\wheels';

  it('docker: below the container\'s read-only mount of the checkout, checked first (pip --find-links and npm\'s tarball alike)', async () => {
    // wheels is in the checkout (deps.fleetDir): reached through the checkout's one mount, which git never replaces
    const inside = sourcePathInside(wheels, 'C:\\fleet');
    expect(inside).toBe(`${sourceMountPoint('C:\\fleet')}/artifacts/wheels`);
    const runner = scriptedRunner({ [INSPECT]: { stdout: container(sourceMountPoint('C:\\fleet')) } });
    const d: HostDeps = { ...deps, runner };
    const pip = await asWindowsHost(async () => (await commandsFor(sandboxes, d, 'sandbox:box', 'pip', installs, { findLinks: [wheels], noIndex: true })).map((c) => inTarget(sandboxes, d, 'sandbox:box', c)));
    expect(argv(pip)).toEqual([
      ['docker', 'exec', '-e', 'PIP_CONFIG_FILE=/dev/null', 'gitfleet-box', 'python3', ...PIP, 'install', ...COMMON, '--no-index', '--find-links', inside, 'alpha==1.1.0'],
    ]);
    const npm = await asWindowsHost(() => commandsFor(sandboxes, d, 'sandbox:box', 'npm', installs, { findLinks: [wheels] }));
    expect(argv(npm)).toEqual([['npm', 'install', '--no-audit', '--no-fund', '-g', `${inside}/alpha-1.1.0.tgz`]]);
    expect(runner.calls.map((c) => [c.file, ...c.args].join(' '))).toEqual([INSPECT, INSPECT]);
  });

  it('docker: a container without the mount fails the batch before anything runs inside, saying what to do', async () => {
    const runner = scriptedRunner({ [INSPECT]: { stdout: container() } });
    await expect(commandsFor(sandboxes, { ...deps, runner }, 'sandbox:box', 'pip', installs, { findLinks: [wheels], noIndex: true }))
      .rejects.toMatchObject({ code: 'E_UNSUPPORTED', message: expect.stringMatching(/container gitfleet-box was made without the read-only mount of package folder C:\\fleet .*docker rm -f gitfleet-box/) });
  });

  it('docker: removals read no folder, so they ask nothing of the container (a rollback on an old container still works)', async () => {
    const runner = scriptedRunner({});
    const got = await commandsFor(sandboxes, { ...deps, runner }, 'sandbox:box', 'pip', [{ kind: 'remove', name: 'beta' }], { findLinks: [wheels], noIndex: true });
    expect(argv(got)).toEqual([['python3', ...PIP, 'uninstall', '-y', ...COMMON, 'beta']]);
    expect(runner.calls).toEqual([]);
  });

  it('wsl: /mnt/<drive>/..., as wslpath spells the Windows folder', async () => {
    const got = await asWindowsHost(async () => (await commandsFor(sandboxes, deps, 'sandbox:ml', 'pip', installs, { findLinks: [wheels], noIndex: true })).map((c) => inTarget(sandboxes, deps, 'sandbox:ml', c)));
    expect(argv(got)).toEqual([
      ['wsl.exe', '-d', 'gitfleet-ml', '--exec', 'env', 'PIP_CONFIG_FILE=/dev/null', 'python3', ...PIP, 'install', ...COMMON, '--no-index', '--find-links', '/mnt/c/fleet/artifacts/wheels', 'alpha==1.1.0'],
    ]);
  });

  it('a venv on the host: the host folder as it is', async () => {
    const got = await asWindowsHost(() => commandsFor(sandboxes, deps, 'sandbox:py', 'pip', installs, { findLinks: [wheels], noIndex: true }));
    expect(got[0]?.args).toEqual([...PIP, 'install', ...COMMON, '--no-index', '--find-links', wheels, 'alpha==1.1.0']);
  });

  it('creation and commands agree: what a baseline\'s sources make docker mount is where the commands look', async () => {
    const fleetDir = '/srv/fleet';
    const sources = { pip: { findLinks: ['artifacts/wheels'], noIndex: true }, npm: { findLinks: ['artifacts/npm', '/opt/shared/npm'] } };
    const box = sandbox({ name: 'box', type: 'docker', path: '/opt/gitfleet/sandboxes/box', image: 'python:3.11-slim' });
    const folders = sourceFolders((['pip', 'npm'] as const).map((m) => sourcesFor(sources, m, fleetDir)));
    const mounted = sourceMountFolders(folders, fleetDir); // as sandboxSourceFolders hands them to create
    expect(mounted).toEqual(['/opt/shared/npm', fleetDir]);
    const run = dockerRunCommand(box, mounted).args;
    const targets = run.filter((_, i) => run[i - 1] === '--mount').map((m) => /target=([^,]+)/.exec(m)![1]!);
    expect(targets).toEqual(['/opt/shared/npm', fleetDir].map(sourceMountPoint));
    const runner = scriptedRunner({ [INSPECT]: { stdout: container(...targets) } });
    const d: HostDeps = { ...deps, runner, fleetDir };
    const pip = await commandsFor([box], d, 'sandbox:box', 'pip', installs, sourcesFor(sources, 'pip', fleetDir));
    const findLinks = pip[0]!.args[pip[0]!.args.indexOf('--find-links') + 1]!;
    const npm = await commandsFor([box], d, 'sandbox:box', 'npm', installs, sourcesFor(sources, 'npm', fleetDir));
    expect(findLinks).toBe(`${sourceMountPoint(fleetDir)}/artifacts/wheels`);
    expect(posix.dirname(npm[0]!.args.at(-1)!)).toBe(`${sourceMountPoint(fleetDir)}/artifacts/npm`);
    const shared = await commandsFor([box], d, 'sandbox:box', 'npm', installs, { findLinks: ['/opt/shared/npm'] });
    expect(posix.dirname(shared[0]!.args.at(-1)!)).toBe(sourceMountPoint('/opt/shared/npm'));
  });
});

describe('a policy\'s health check as it runs in each kind of target on a Windows host', () => {
  const TORCH = ['-c', 'import torch'];
  it.each<[string, string[], string[]]>([
    ['inside a WSL distribution: python3, as pip inside runs', ['python', ...TORCH], ['wsl.exe', '-d', 'gitfleet-ml', '--exec', 'env', 'PIP_CONFIG_FILE=/dev/null', 'python3', ...TORCH]],
    ['inside a docker container: python3', ['python', ...TORCH], ['docker', 'exec', '-e', 'PIP_CONFIG_FILE=/dev/null', 'gitfleet-box', 'python3', ...TORCH]],
    ['inside a docker container: another program as given', ['node', '-e', '1'], ['docker', 'exec', '-e', 'PIP_CONFIG_FILE=/dev/null', 'gitfleet-box', 'node', '-e', '1']],
  ])('%s', async (name, check, want) => {
    const target = name.includes('WSL') ? 'sandbox:ml' : 'sandbox:box';
    const got = await asWindowsHost(() => checkInTarget(sandboxes, deps, target, { file: check[0]!, args: check.slice(1) }));
    expect([got.file, ...got.args]).toEqual(want);
  });

  it('in a venv on the host: as the policy gives it, the venv\'s Scripts folder first on Path', async () => {
    const venv = makeVenvDriver('win32');
    const onWindows: HostDeps = { ...deps, driver: (type) => (type === 'venv' ? venv : deps.driver(type)) };
    const got = await asWindowsHost(() => checkInTarget(sandboxes, onWindows, 'sandbox:py', { file: 'python', args: TORCH }));
    expect([got.file, ...got.args]).toEqual(['python', ...TORCH]);
    expect(got.env?.Path?.split(';')[0]).toBe('C:\\gitfleet\\sandboxes\\py\\Scripts');
  });

  it('runHealthChecks sends the spelled command to the runner, with the check\'s timeout', async () => {
    const ran: Command[] = [];
    // Only the one command this check must become is answered; anything else fails the check with what it got.
    const runner: Runner = {
      async run(cmd) {
        ran.push(cmd);
        const ok = cmd.file === 'docker' && cmd.args.join(' ') === 'exec -e PIP_CONFIG_FILE=/dev/null gitfleet-box python3 -c import torch';
        return { command: cmd, exitCode: ok ? 0 : 99, stdout: '', stderr: ok ? '' : `unexpected ${[cmd.file, ...cmd.args].join(' ')}`, durationMs: 1 };
      },
    };
    const results = await asWindowsHost(() => runHealthChecks([{ name: 'torch-imports', command: ['python', ...TORCH], target: 'sandbox:box', timeout: '7s' }], {
      runner, inTarget: (target, cmd) => checkInTarget(sandboxes, deps, target, cmd),
    }));
    expect(results).toMatchObject([{ name: 'torch-imports', ok: true }]);
    expect(ran.map((c) => c.timeoutMs)).toEqual([7000]);
  });
});
