import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ManagerId } from '../../src/managers/types.js';
import { dockerDriver } from '../../src/sandboxes/docker/index.js';
import { INSIDE_MANAGERS, insideListCommand, insideListing, listsInside } from '../../src/sandboxes/listing.js';
import { venvDriver } from '../../src/sandboxes/venv/index.js';
import { makeWslDriver } from '../../src/sandboxes/wsl/index.js';
import type { CommandResult } from '../../src/util/exec.js';
import { sandbox } from './helpers.js';

const fixture = (f: string): string => readFileSync(join(import.meta.dirname, '../fixtures', f), 'utf8');
const docker = sandbox({ type: 'docker', path: '/opt/gitfleet/sandboxes/trainer', image: 'python:3.11-slim' });
const wsl = sandbox({ type: 'wsl', path: 'C:\\gitfleet\\sandboxes\\trainer', distribution: 'Ubuntu-22.04' });
const wslDriver = makeWslDriver('win32');
const DPKG_FORMAT = '--showformat=${binary:Package}\\t${Version}\\t${db:Status-Abbrev}\\n';
const RPM_FORMAT = '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n';
const result = (over: Partial<CommandResult>): CommandResult => ({ command: { file: 'x', args: [] }, exitCode: 0, stdout: '', stderr: '', durationMs: 1, ...over });

describe('listing commands inside docker and wsl sandboxes (pure)', () => {
  // [manager, docker exec argv, wsl.exe argv]: the adapters' own listings, Linux spellings, wrapped by the drivers
  it.each<[ManagerId, string[], string[]]>([
    ['pip',
      ['exec', 'gitfleet-trainer', 'python3', '-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'],
      ['-d', 'gitfleet-trainer', '--exec', 'python3', '-m', 'pip', 'list', '--format=json', '--disable-pip-version-check']],
    ['npm',
      ['exec', 'gitfleet-trainer', 'npm', 'ls', '--json', '--depth=0', '-g'],
      ['-d', 'gitfleet-trainer', '--exec', 'npm', 'ls', '--json', '--depth=0', '-g']],
    ['apt',
      ['exec', '-e', 'LC_ALL=C', 'gitfleet-trainer', 'dpkg-query', '-W', DPKG_FORMAT],
      ['-d', 'gitfleet-trainer', '--exec', 'env', 'LC_ALL=C', 'dpkg-query', '-W', DPKG_FORMAT]],
    ['dnf',
      ['exec', '-e', 'LC_ALL=C', 'gitfleet-trainer', 'rpm', '-qa', '--qf', RPM_FORMAT],
      ['-d', 'gitfleet-trainer', '--exec', 'env', 'LC_ALL=C', 'rpm', '-qa', '--qf', RPM_FORMAT]],
    ['gem',
      ['exec', 'gitfleet-trainer', 'gem', 'list', '--local'],
      ['-d', 'gitfleet-trainer', '--exec', 'gem', 'list', '--local']],
  ])('%s', async (manager, dockerArgs, wslArgs) => {
    const listing = await insideListing(manager);
    expect(insideListCommand(docker, listing.command, dockerDriver)).toEqual({ file: 'docker', args: dockerArgs });
    expect(insideListCommand(wsl, listing.command, wslDriver)).toEqual({ file: 'wsl.exe', args: wslArgs });
  });

  it('covers exactly the managers that exist inside a Linux container', () => {
    expect([...INSIDE_MANAGERS].sort()).toEqual(['apt', 'dnf', 'gem', 'npm', 'pip']);
  });

  it('passes the sandbox\'s and the manager\'s environment inside, the listing\'s own winning', async () => {
    const { command } = await insideListing('apt');
    const sb = { ...docker, env: { PYTHONUNBUFFERED: '1' } };
    expect(insideListCommand(sb, command, dockerDriver, { LC_ALL: 'de_DE.UTF-8', PIP_CONFIG_FILE: '/dev/null' }).args)
      .toEqual(['exec', '-e', 'PYTHONUNBUFFERED=1', '-e', 'LC_ALL=C', '-e', 'PIP_CONFIG_FILE=/dev/null', 'gitfleet-trainer', 'dpkg-query', '-W', DPKG_FORMAT]);
    expect(insideListCommand({ ...wsl, env: { A: '1' } }, (await insideListing('pip')).command, wslDriver).args)
      .toEqual(['-d', 'gitfleet-trainer', '--exec', 'env', 'A=1', 'python3', '-m', 'pip', 'list', '--format=json', '--disable-pip-version-check']);
  });

  it.each<[string, () => unknown, string, RegExp]>([
    ['a name that is not a resource name', () => insideListCommand({ ...docker, name: '--privileged' }, { file: 'gem', args: [] }, dockerDriver), 'E_VALIDATION', /sandbox name "--privileged" is refused/],
    ['a relative path', () => insideListCommand({ ...docker, path: 'sandboxes/x' }, { file: 'gem', args: [] }, dockerDriver), 'E_VALIDATION', /must be absolute/],
    ['a path with ..', () => insideListCommand({ ...wsl, path: 'C:\\gitfleet\\..\\Windows' }, { file: 'gem', args: [] }, wslDriver), 'E_VALIDATION', /`\.\.`/],
    ['an option-like variable name (wsl runs `env K=V`)', () => insideListCommand(wsl, { file: 'gem', args: [] }, wslDriver, { '-i': 'x' }), 'E_VALIDATION', /variable name "-i" for wsl sandbox trainer is refused/],
    ['a variable name with =', () => insideListCommand({ ...docker, env: { 'A=B': 'c' } }, { file: 'gem', args: [] }, dockerDriver), 'E_VALIDATION', /variable name "A=B" for docker sandbox trainer is refused/],
    ['a venv sandbox (listed from its files by the adapters)', () => insideListCommand(sandbox({ type: 'venv', path: '/opt/v' }), { file: 'gem', args: [] }, venvDriver), 'E_INTERNAL', /only for docker and wsl/],
    ['another type\'s driver', () => insideListCommand(docker, { file: 'gem', args: [] }, wslDriver), 'E_INTERNAL', /through their own driver/],
  ])('refuses %s', (_, build, code, msg) => {
    expect(build).toThrow(expect.objectContaining({ code, message: expect.stringMatching(msg) }));
  });

  it('has no listing for a manager that does not live inside a Linux container', async () => {
    await expect(insideListing('conda')).rejects.toMatchObject({ code: 'E_UNSUPPORTED', message: expect.stringMatching(/cannot list conda packages inside docker or wsl sandboxes \(it can for pip, npm, apt, dnf, gem\)/) });
    await expect(insideListing('winget')).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
  });

  it.each([['docker', true], ['wsl', true], ['venv', false], ['node', false], ['conda', false]])('listsInside(%s) is %s', (type, want) => {
    expect(listsInside(type)).toBe(want);
  });
});

describe('reading the listings with the adapters\' parsers (captured output)', () => {
  it.each<[ManagerId, string, Record<string, string>]>([
    ['npm', fixture('npm/npm-ls-global-prefix.json'), { '@fleet/scoped': '2.0.0-rc.1', 'fleet-b': '1.0.0' }],
    ['dnf', fixture('dnf/rpm-qa-root.txt'), { 'kernel-core': '6.8.9-300.fc40', 'hello-gf': '2.10-1.fc40', NetworkManager: '1:1.46.0-1.fc40', tinyrpm: '2:1.0~rc1-3.fc40', 'zero-epoch': '1.0-1' }],
    ['apt', 'libc6:amd64\t2.36-9+deb12u7\tii \ntzdata\t2024a-0+deb12u1\tii \nold\t1.0\trc \nwaiting\t1:2.0~rc1-1\tiW \n', { 'libc6:amd64': '2.36-9+deb12u7', tzdata: '2024a-0+deb12u1', waiting: '1:2.0~rc1-1' }],
  ])('%s', async (manager, stdout, want) => {
    expect((await insideListing(manager)).parse(stdout)).toEqual(want);
  });

  it('pip names are normalized as the adapter does', async () => {
    const got = (await insideListing('pip')).parse(fixture('pip/pip-list-system.json'));
    expect(got).toMatchObject({ pip: '23.0.1', pygments: '2.14.0', pygobject: '3.42.2', 'lazr-restfulclient': '0.14.5' });
    expect(got).not.toHaveProperty('Pygments');
  });

  it('gem keeps the highest version of each', async () => {
    expect((await insideListing('gem')).parse(fixture('gem/list-local.txt'))).toMatchObject({ debug: '1.5.0', nokogiri: '1.10.7', rake: '13.0.3' });
  });

  it.each<[ManagerId, string]>([['pip', 'Traceback (most recent call last):'], ['npm', 'npm ERR! code ENOENT'], ['apt', 'dpkg-query: error']])('%s: anything else is E_PARSE', async (manager, stdout) => {
    await expect(insideListing(manager).then((l) => l.parse(stdout))).rejects.toMatchObject({ code: 'E_PARSE' });
  });

  it('npm ls exiting 1 with its JSON tree is a listing; other failures are not', async () => {
    const npm = await insideListing('npm');
    expect(npm.usable(result({ exitCode: 1, stdout: '{\n  "dependencies": {}\n}\n' }))).toBe(true);
    expect(npm.usable(result({ exitCode: 1, stderr: 'Error response from daemon: container is not running' }))).toBe(false);
    const pip = await insideListing('pip');
    expect(pip.usable(result({ exitCode: 1, stdout: '[]' }))).toBe(false);
    expect(pip.usable(result({ exitCode: 0, stdout: '[]' }))).toBe(true);
  });
});
