import { realpath, stat } from 'node:fs/promises';
import { join, win32 } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseWslList, wslExec, wslExportCommand, wslImportCommand, wslUnregisterCommand } from '../../../src/sandboxes/wsl/commands.js';
import { makeWslDriver, wslDriver } from '../../../src/sandboxes/wsl/index.js';
import { describe as show, execRunner } from '../../../src/util/exec.js';
import { NOW, sandbox, scriptedRunner, tempDir } from '../helpers.js';

describe('wsl on this (non-Windows) host, for real', () => {
  let dir: string;
  beforeAll(async () => { dir = await realpath(await tempDir()); });
  const ctx = { runner: execRunner };
  const osName = process.platform === 'darwin' ? 'macos' : process.platform;

  it('available() is false and says why', async () => {
    expect(await wslDriver.available(ctx)).toEqual({ ok: false, reason: `wsl is only available on Windows hosts (this host is ${osName})` });
  });

  it('create() rejects with E_UNSUPPORTED and leaves nothing behind; inspect says why it is absent', async () => {
    const sb = sandbox({ type: 'wsl', path: join(dir, 'trainer'), distribution: 'Ubuntu-22.04' });
    await expect(wslDriver.create(sb, { ...ctx, now: NOW })).rejects.toMatchObject({
      code: 'E_UNSUPPORTED', message: `wsl is only available on Windows hosts (this host is ${osName})`,
    });
    await expect(stat(sb.path)).rejects.toThrow(/ENOENT/);
    expect(await wslDriver.inspect(sb, ctx)).toEqual({ exists: false, detail: `wsl is only available on Windows hosts (this host is ${osName})` });
  });
});

describe('wsl on Windows (scripted: wsl.exe cannot run here)', () => {
  const win = makeWslDriver('win32');
  // the driver only touches the host folder through node:fs, so a POSIX temp path stands in for C:\...
  let dir: string;
  beforeAll(async () => { dir = await realpath(await tempDir()); });

  it('create copies the template\'s distribution into gitfleet-<name>; limits are recorded', async () => {
    const sb = sandbox({ type: 'wsl', path: join(dir, 'trainer'), distribution: 'Ubuntu-22.04', limits: { memory: '4Gi' } });
    const r = scriptedRunner({
      'wsl.exe -l -q': { stdout: 'Ubuntu-22.04\r\n' },
      [show({ file: 'wsl.exe', args: ['--export', 'Ubuntu-22.04', win32.join(sb.path, 'base.tar')] })]: {},
      [show({ file: 'wsl.exe', args: ['--import', 'gitfleet-trainer', win32.join(sb.path, 'disk'), win32.join(sb.path, 'base.tar'), '--version', '2'] })]: {},
    });
    expect(await win.create(sb, { runner: r, now: NOW })).toEqual({ created: true, limits: 'recorded' });
    expect(r.calls.map((c) => c.args[0])).toEqual(['-l', '--export', '--import']);
    expect(r.calls[0]?.env).toEqual({ WSL_UTF8: '1' });

    const again = scriptedRunner({ 'wsl.exe -l -q': { stdout: 'Ubuntu-22.04\r\ngitfleet-trainer\r\n' } });
    expect(await win.create(sb, { runner: again, now: NOW })).toEqual({ created: false, limits: 'recorded' });
    expect(await win.inspect(sb, { runner: again })).toEqual({ exists: true, type: 'wsl', detail: 'distribution gitfleet-trainer' });
  });

  it('a missing base distribution is E_UNSUPPORTED naming what is installed', async () => {
    const sb = sandbox({ type: 'wsl', path: join(dir, 'other'), distribution: 'Debian' });
    const r = scriptedRunner({ 'wsl.exe -l -q': { stdout: 'Ubuntu-22.04\n' } });
    await expect(win.create(sb, { runner: r, now: NOW })).rejects.toMatchObject({
      code: 'E_UNSUPPORTED', message: 'WSL distribution Debian is not installed on this host (installed: Ubuntu-22.04); install it with wsl --install -d Debian',
    });
  });
});

describe('wsl commands (pure)', () => {
  const sb = sandbox({ type: 'wsl', path: 'C:\\gitfleet\\sandboxes\\trainer', distribution: 'Ubuntu-22.04', env: { LANG: 'C.UTF-8' } });

  it('exec runs the program in the sandbox\'s distribution without a shell', () => {
    expect(wslExec(sb, { file: 'python3', args: ['-c', 'print("a b")'], env: { X: '1' }, cwd: '/root', timeoutMs: 9 })).toEqual({
      file: 'wsl.exe', args: ['-d', 'gitfleet-trainer', '--cd', '/root', '--exec', 'env', 'LANG=C.UTF-8', 'X=1', 'python3', '-c', 'print("a b")'], timeoutMs: 9,
    });
    expect(wslExec({ ...sb, env: {} }, { file: 'pip', args: ['list'] }).args).toEqual(['-d', 'gitfleet-trainer', '--exec', 'pip', 'list']);
  });

  it('exec passes credential-bearing env through WSLENV from wsl.exe\'s own environment, never on its command line', () => {
    const url = 'https://__token__:s3cr3t@pkgs.example.com/simple/';
    const cmd = wslExec(sb, { file: 'python3', args: ['-m', 'pip', 'install', 'alpha==1.0.0'], env: { PIP_CONFIG_FILE: '/dev/null', PIP_INDEX_URL: url, PIP_EXTRA_INDEX_URL: `${url} https://pypi.org/simple/` } });
    expect(cmd).toEqual({
      file: 'wsl.exe',
      args: ['-d', 'gitfleet-trainer', '--exec', 'env', 'LANG=C.UTF-8', 'PIP_CONFIG_FILE=/dev/null', 'python3', '-m', 'pip', 'install', 'alpha==1.0.0'],
      env: { PIP_INDEX_URL: url, PIP_EXTRA_INDEX_URL: `${url} https://pypi.org/simple/`, WSLENV: 'PIP_INDEX_URL/u:PIP_EXTRA_INDEX_URL/u' },
    });
    // a WSLENV the command already had is kept in front
    expect(wslExec({ ...sb, env: {} }, { file: 'pip', args: ['list'], env: { WSLENV: 'USERPROFILE/p', PIP_INDEX_URL: url } }).env?.WSLENV).toBe('USERPROFILE/p:PIP_INDEX_URL/u');
  });

  it('refuses npm registry credentials (a name WSLENV cannot carry) instead of putting the token on a command line', () => {
    let err: unknown;
    try {
      wslExec(sb, { file: 'npm', args: ['install', 'x@1.0.0'], env: { 'npm_config_//npm.example.com/:_authToken': 'npm_s3cr3t' } });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'E_UNSUPPORTED', message: expect.stringMatching(/credentials cannot be passed into WSL sandbox trainer.*npm registry credentials are not supported inside WSL sandboxes/) });
    expect((err as Error).message).not.toMatch(/s3cr3t/);
  });

  it('import, export, unregister', () => {
    expect(wslExportCommand('Ubuntu-22.04', 'C:\\t\\base.tar').args).toEqual(['--export', 'Ubuntu-22.04', 'C:\\t\\base.tar']);
    expect(wslImportCommand(sb).args).toEqual(['--import', 'gitfleet-trainer', 'C:\\gitfleet\\sandboxes\\trainer\\disk', 'C:\\gitfleet\\sandboxes\\trainer\\base.tar', '--version', '2']);
    expect(wslUnregisterCommand(sb).args).toEqual(['--unregister', 'gitfleet-trainer']);
  });

  it.each<[string, string, string[]]>([
    ['UTF-8', 'Ubuntu-22.04\r\ndocker-desktop\r\n', ['Ubuntu-22.04', 'docker-desktop']],
    ['UTF-16LE decoded as UTF-8 (what the runner sees)', Buffer.from('\uFEFFUbuntu\r\nDebian\r\n', 'utf16le').toString('utf8'), ['Ubuntu', 'Debian']],
    ['empty', '\r\n', []],
  ])('parses wsl -l -q output: %s', (_, out, want) => expect(parseWslList(out)).toEqual(want));
});

describe('the host folders a WSL sandbox\'s packages install from', () => {
  const win = makeWslDriver('win32');
  const sb = sandbox({ type: 'wsl', path: 'C:\\gitfleet\\sandboxes\\trainer', distribution: 'Ubuntu-22.04' });

  it('are spelled as WSL mounts the Windows drives (/mnt/<drive>), with nothing asked of wsl.exe', async () => {
    const r = scriptedRunner({});
    expect(await win.sourcesInside!(sb, { findLinks: ['C:\\fleet\\artifacts\\wheels', 'D:\\npm'], noIndex: true }, { runner: r }))
      .toEqual({ findLinks: ['/mnt/c/fleet/artifacts/wheels', '/mnt/d/npm'], noIndex: true });
    expect(r.calls).toEqual([]);
  });

  it('a network share cannot be reached that way: E_UNSUPPORTED', async () => {
    await expect(win.sourcesInside!(sb, { findLinks: ['\\\\nas\\wheels'] }, { runner: scriptedRunner({}) })).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
  });
});
