// Service definitions: each file is checked by the real tool that reads it (systemd-analyze, Python's
// plistlib and ElementTree), and arguments are parsed back by each platform's own splitting rules.
import { access, lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN as CLI, runCli } from '../helpers/cli.js';
import {
  agentArgv, quoteSystemdWord, quoteWindowsArg, renderLaunchdPlist, renderSystemdUnit, renderWinswXml,
  systemdCommandLine, windowsCommandLine, type ServiceOptions,
} from '../../src/agent/service/index.js';
import { execRunner, runChecked } from '../../src/util/exec.js';

const PYTHON = '/usr/bin/python3';
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';

// Arguments that each platform's quoting must carry through unchanged.
const TRICKY = [
  'with space', 'double"quote', "single'quote", 'percent%s and %%', 'dollar $HOME ${HOME} $$', 'back\\slash\\',
  'tab\there', 'new\nline', 'semi;colon', ';', '', '-leading-dash', 'ünïcödé ✓ 𝄞', 'trailing backslash \\', '\\"',
];
const WINDOWS_TRICKY = TRICKY.filter((a) => !a.includes('%'));

let tmp: string;
let nodeWithSpace: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitfleet-service-'));
  // A real node reached through a path with a space: the executable word itself must be quoted too.
  await mkdir(join(tmp, 'node dir'));
  nodeWithSpace = join(tmp, 'node dir', 'node');
  await symlink(process.execPath, nodeWithSpace);
});
afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

function options(over: Partial<ServiceOptions> = {}): ServiceOptions {
  return {
    execPath: process.execPath, cliPath: CLI, repo: 'https://git.example.com/fleet.git', host: 'web-01',
    stateDir: '/var/lib/gitfleet', ...over,
  };
}

// ---- systemd ------------------------------------------------------------------------------------------

const C_UNESCAPE: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', s: ' ' };

/** systemd's reading of a command line: specifiers (%%) at load, words with quotes and C escapes, then $$ at exec. */
function systemdSplit(value: string): string[] {
  const specified = value.replace(/%([\s\S]?)/g, (_, c: string) => {
    if (c === '%') return '%';
    throw new Error(`unexpected specifier %${c} in ${value}`);
  });
  const words: string[] = [];
  let i = 0;
  const s = specified;
  for (;;) {
    while (i < s.length && /[ \t\n]/.test(s[i]!)) i++;
    if (i >= s.length) break;
    let word = '';
    let quote: string | undefined;
    while (i < s.length) {
      const c = s[i]!;
      if (!quote && /[ \t\n]/.test(c)) break;
      if (c === '\\') {
        const e = s[i + 1] ?? '';
        if (e === 'x') { word += String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16)); i += 4; continue; }
        if (!(e in C_UNESCAPE)) throw new Error(`unknown escape \\${e} in ${value}`);
        word += C_UNESCAPE[e];
        i += 2;
        continue;
      }
      if (!quote && (c === '"' || c === "'")) { quote = c; i++; continue; }
      if (quote === c) { quote = undefined; i++; continue; }
      word += c;
      i++;
    }
    if (quote) throw new Error(`unterminated quote in ${value}`);
    words.push(word);
  }
  return words.map((w) => w.replace(/\$([\s\S]?)/g, (_, c: string) => {
    if (c === '$') return '$';
    throw new Error(`unexpected environment expansion $${c} in ${value}`);
  }));
}

/** Reads a quoted word list as systemd prints `Command Line:` in its dump (shell_maybe_quote: "…" with \ before \ " ` $). */
function dumpSplit(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
    words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  }
  return words;
}

function execStart(unit: string): string {
  const line = unit.split('\n').find((l) => l.startsWith('ExecStart='));
  if (!line) throw new Error('no ExecStart= line');
  return line.slice('ExecStart='.length);
}

async function verify(unit: string, env: Record<string, string> = {}): Promise<{ exitCode: number; stderr: string; stdout?: string }> {
  const dir = await mkdtemp(join(tmp, 'unit-'));
  const path = join(dir, 'gitfleet-agent.service');
  await writeFile(path, unit);
  // --man=no: no man pages here; --generators=no: generators need a booted systemd, which a container lacks.
  const res = await execRunner.run({ file: SYSTEMD_ANALYZE, args: ['verify', '--man=no', '--generators=no', path], env: { SYSTEMD_LOG_COLOR: '0', ...env } });
  return { exitCode: res.exitCode, stderr: res.stderr, ...(env.SYSTEMD_LOG_LEVEL ? { stdout: res.stdout } : {}) };
}

const hasSystemdAnalyze = await access(SYSTEMD_ANALYZE).then(() => true, () => false);
if (!hasSystemdAnalyze) console.warn(`skipping systemd-analyze verify: ${SYSTEMD_ANALYZE} is not installed`);

describe('systemd unit', () => {
  it('has the settings the agent relies on', () => {
    const unit = renderSystemdUnit(options()).content;
    for (const line of [
      'Type=simple', 'Restart=on-failure', 'RestartSec=5s', 'TimeoutStopSec=90', 'KillMode=mixed', 'StandardOutput=journal',
      'StateDirectory=gitfleet', 'After=network-online.target', 'Wants=network-online.target', 'WantedBy=multi-user.target',
      'ProtectSystem=no', 'ProtectHome=read-only', 'PrivateTmp=yes', 'RestrictSUIDSGID=no', 'NoNewPrivileges=no',
    ]) expect(unit.split('\n')).toContain(line);
    expect(unit).not.toMatch(/^ProtectSystem=(strict|full|yes)/m);
  });

  it.each([
    ['default state dir', options(), 'StateDirectory=gitfleet', undefined],
    ['state dir elsewhere', options({ stateDir: '/srv/gitfleet' }), undefined, 'StateDirectory='],
    ['state dir in a home', options({ stateDir: '/root/gitfleet state' }), 'ReadWritePaths="-/root/gitfleet state"', 'StateDirectory='],
  ])('%s', (_, o, has, hasNot) => {
    const unit = renderSystemdUnit(o).content;
    if (has) expect(unit.split('\n')).toContain(has);
    if (hasNot) expect(unit).not.toContain(hasNot);
  });

  it('ExecStart= splits back into the agent argv, for arguments with spaces, quotes, %, $, backslashes, control characters', () => {
    const o = options({ execPath: nodeWithSpace, repo: '/srv/fleet repo$1%n.git', branch: 'release/1.x', interval: '1m', user: 'gitfleet', extraArgs: TRICKY });
    const unit = renderSystemdUnit(o).content;
    expect(systemdSplit(execStart(unit))).toEqual([nodeWithSpace, ...agentArgv(o)]);
    expect(agentArgv(o)).toEqual([CLI, 'agent', '--repo', o.repo, '--host', 'web-01', '--branch', 'release/1.x', '--interval', '1m', '--state-dir', '/var/lib/gitfleet', ...TRICKY]);
  });

  it('quotes any string so that it round-trips (property)', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('%', '$', '{', '"', "'", '\\', ' ', ';', '\n', '\x01')) })), (args) => {
      const clean = args.filter((a) => !a.includes('\0'));
      expect(systemdSplit(systemdCommandLine(['/usr/bin/node', ...clean]))).toEqual(['/usr/bin/node', ...clean]);
    }), { numRuns: 300 });
  });

  it.each([
    ['plain', 'plain'], ['a b', '"a b"'], ['50%', '"50%%"'], ['$HOME', '"$$HOME"'], ['a"b\\c', '"a\\"b\\\\c"'], [';', '";"'], ['', '""'], ['\x01', '"\\x01"'],
  ])('quotes %j as %s', (arg, quoted) => {
    expect(quoteSystemdWord(arg)).toBe(quoted);
  });

  it.skipIf(!hasSystemdAnalyze)('passes systemd-analyze verify without a warning', async () => {
    const res = await verify(renderSystemdUnit(options({ execPath: nodeWithSpace, user: 'root', interval: '30s', extraArgs: TRICKY })).content);
    expect(res).toEqual({ exitCode: 0, stderr: '' });
    const home = await verify(renderSystemdUnit(options({ stateDir: '/root/state dir' })).content);
    expect(home).toEqual({ exitCode: 0, stderr: '' });
  });

  it.skipIf(!hasSystemdAnalyze)('systemd-analyze verify does catch a broken unit (the check above can fail)', async () => {
    const good = renderSystemdUnit(options()).content;
    const missing = await verify(good.replace(/^ExecStart=\S+/m, 'ExecStart=/nonexistent/node'));
    expect(missing.exitCode).not.toBe(0);
    const typo = await verify(good.replace('ProtectHome=read-only', 'ProtectHome=readonly'));
    expect(typo.stderr).toMatch(/ProtectHome|protect home/i);
  });

  it.skipIf(!hasSystemdAnalyze)("systemd's own parse of ExecStart= (its debug dump) gives the agent argv back", async () => {
    // The dump shows the argv after specifiers and unquoting; $$ is turned into $ only when the command runs.
    const printable = TRICKY.filter((a) => !/[\t\n]/.test(a));
    const o = options({ execPath: nodeWithSpace, repo: 'file:///srv/a b%.git', extraArgs: printable });
    const res = await verify(renderSystemdUnit(o).content, { SYSTEMD_LOG_LEVEL: 'debug' });
    expect(res.exitCode).toBe(0);
    // The unit dump goes to stdout.
    const line = (res.stdout ?? '').split('\n').find((l) => l.trim().startsWith('Command Line:'));
    expect(line, res.stdout?.slice(-2000)).toBeDefined();
    const argv = dumpSplit(line!.trim().slice('Command Line:'.length).trim()).map((w) => w.replace(/\$\$/g, '$'));
    expect(argv).toEqual([nodeWithSpace, ...agentArgv(o)]);
  });
});

// ---- launchd ------------------------------------------------------------------------------------------

async function python(script: string, file: string): Promise<unknown> {
  const res = await runChecked(execRunner, { file: PYTHON, args: ['-c', script, file], cleanEnv: true, env: {} });
  return JSON.parse(res.stdout) as unknown;
}

const PLIST_JSON = 'import json,plistlib,sys; print(json.dumps(plistlib.load(open(sys.argv[1],"rb"))))';

describe('launchd plist', () => {
  it('loads with plistlib, and ProgramArguments are the agent argv exactly', async () => {
    const o = options({ stateDir: '/Library/Application Support/gitfleet', user: '_gitfleet', extraArgs: [...TRICKY, '<tag> & "x"', 'cr\rlf'] });
    const path = join(tmp, 'dev.gitfleet.agent.plist');
    await writeFile(path, renderLaunchdPlist(o).content);
    const plist = await python(PLIST_JSON, path) as Record<string, unknown>;
    expect(plist).toMatchObject({
      Label: 'dev.gitfleet.agent', RunAtLoad: true, KeepAlive: { SuccessfulExit: false }, ExitTimeOut: 90, UserName: '_gitfleet',
      StandardOutPath: '/Library/Logs/gitfleet/agent.log', StandardErrorPath: '/Library/Logs/gitfleet/agent.log',
    });
    expect(plist.ProgramArguments).toEqual([process.execPath, ...agentArgv(o)]);
  });

  it('plistlib rejects a plist that is not well-formed (the check above can fail)', async () => {
    const path = join(tmp, 'broken.plist');
    await writeFile(path, renderLaunchdPlist(options()).content.replace('</array>', ''));
    await expect(python(PLIST_JSON, path)).rejects.toThrow(/exited with 1/);
  });

  it('refuses control characters that XML cannot hold', () => {
    expect(() => renderLaunchdPlist(options({ extraArgs: ['bell\x07'] }))).toThrow(/control characters/);
  });
});

// ---- Windows (WinSW) ----------------------------------------------------------------------------------

/** CommandLineToArgvW for the arguments after the program name (the rules node gets through libuv). */
function commandLineToArgv(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (i >= s.length) return out;
    let word = '';
    let quoted = false;
    while (i < s.length && (quoted || (s[i] !== ' ' && s[i] !== '\t'))) {
      if (s[i] === '\\') {
        let n = 0;
        while (s[i] === '\\') { n++; i++; }
        if (s[i] === '"') {
          word += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) { word += '"'; i++; }
        } else word += '\\'.repeat(n);
      } else if (s[i] === '"') {
        if (quoted && s[i + 1] === '"') { word += '"'; i += 2; } else { quoted = !quoted; i++; }
      } else word += s[i++];
    }
    out.push(word);
  }
}

const WINSW_JSON = `import json,sys,xml.etree.ElementTree as ET
r=ET.parse(sys.argv[1]).getroot()
print(json.dumps({"root":r.tag,"text":{c.tag:(c.text or "") for c in r},"onfailure":[c.attrib for c in r.iter("onfailure")],"log":[c.attrib for c in r.iter("log")],"account":[c.text for c in r.iter("username")]}))`;

interface WinswJson { root: string; text: Record<string, string>; onfailure: Record<string, string>[]; log: Record<string, string>[]; account: string[] }

describe('WinSW XML', () => {
  const winOptions = (over: Partial<ServiceOptions> = {}) => options({
    execPath: 'C:\\Program Files\\nodejs\\node.exe', cliPath: 'C:\\Program Files\\gitfleet\\bin\\gitfleet.js',
    stateDir: 'C:\\ProgramData\\gitfleet', ...over,
  });

  it('parses with ElementTree; <arguments> splits back (CommandLineToArgvW) into the agent argv', async () => {
    const o = winOptions({ repo: 'C:\\fleet repo\\', extraArgs: [...WINDOWS_TRICKY, '<tag> & "x"', 'a\\\\"b', 'cr\rlf'] });
    const path = join(tmp, 'gitfleet-agent.xml');
    await writeFile(path, renderWinswXml(o).content);
    const xml = await python(WINSW_JSON, path) as WinswJson;
    expect(xml.root).toBe('service');
    expect(xml.text).toMatchObject({
      id: 'gitfleet-agent', executable: o.execPath, stoptimeout: '90 sec', stopparentprocessfirst: 'true', startmode: 'Automatic',
    });
    expect(xml.onfailure).toEqual([{ action: 'restart', delay: '5 sec' }]);
    expect(xml.log).toEqual([{ mode: 'roll' }]);
    expect(xml.account).toEqual(['LocalSystem']);
    expect(commandLineToArgv(xml.text.arguments!)).toEqual(agentArgv(o));
  });

  it('quotes any string so that it round-trips (property)', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: fc.constantFrom('\\', '"', ' ', '\t', 'a', 'é') })), (args) => {
      expect(commandLineToArgv(windowsCommandLine(args))).toEqual(args);
    }), { numRuns: 500 });
  });

  it.each([
    ['plain', 'plain'], ['a b', '"a b"'], ['', '""'], ['a"b', '"a\\"b"'], ['C:\\dir\\', 'C:\\dir\\'], ['C:\\my dir\\', '"C:\\my dir\\\\"'], ['\\\\"', '"\\\\\\\\\\""'],
  ])('quotes %j as %s', (arg, quoted) => {
    expect(quoteWindowsArg(arg)).toBe(quoted);
  });

  it('runs as a given account when asked, without a password in the file', () => {
    const xml = renderWinswXml(winOptions({ user: 'DOMAIN\\gitfleet$' })).content;
    expect(xml).toContain('<username>DOMAIN\\gitfleet$</username>');
    expect(xml).not.toContain('<password>');
  });

  it.each([
    ['a % (WinSW expands %NAME%)', winOptions({ extraArgs: ['100%'] }), /%/],
    ['a POSIX node path', winOptions({ execPath: '/usr/bin/node' }), /absolute Windows path/],
  ])('refuses %s', (_, o, message) => {
    expect(() => renderWinswXml(o)).toThrow(message);
  });
});

describe('options are validated before they reach a file', () => {
  it.each([
    ['a relative node path', { execPath: 'node' }, /node path/],
    ['a host name with a space', { host: 'web 01' }, /invalid host/],
    ['a repo that looks like a flag', { repo: '--upload-pack=x' }, /invalid repo/],
    ['a bad interval', { interval: 'soon' }, /invalid interval/],
    ['a branch with ..', { branch: 'a..b' }, /invalid branch/],
    ['a user with a newline', { user: 'root\nExecStartPre=/bin/sh' }, /invalid user/],
    ['a NUL in an argument', { extraArgs: ['a\0b'] }, /NUL/],
  ])('refuses %s', (_, over, message) => {
    expect(() => renderSystemdUnit(options(over as Partial<ServiceOptions>))).toThrow(message);
  });
});

// ---- CLI ----------------------------------------------------------------------------------------------

const cli = (argv: string[]) => runCli(argv, { env: {}, cwd: tmp });

const exists = (p: string) => lstat(p).then(() => true, () => false);
const hasSystemctl = await exists('/usr/bin/systemctl') || await exists('/bin/systemctl');
if (!hasSystemctl) console.warn('skipping systemctl --root enable: systemctl is not installed');
const OTHER_PLATFORM = process.platform === 'darwin' ? 'systemd' : 'launchd';
const AGENT = ['--repo', 'https://git.example.com/fleet.git', '--host', 'web-01'];

describe('gitfleet service', () => {
  it('print writes the unit to stdout, with agent flags after --', async () => {
    const res = await cli(['service', 'print', '--platform', 'systemd', ...AGENT, '--interval', '1m', '--', '--no-http']);
    expect(res.code).toBe(0);
    expect(res.out).toBe(renderSystemdUnit(options({ interval: '1m', extraArgs: ['--no-http'] })).content);
  });

  it('install --root --no-start writes the unit under ROOT/etc/systemd/system; uninstall --root removes it', async () => {
    const root = await mkdtemp(join(tmp, 'root-'));
    const unit = join(root, 'etc/systemd/system/gitfleet-agent.service');
    const installed = await cli(['service', 'install', '--platform', 'systemd', '--root', root, '--no-start', ...AGENT]);
    expect(installed).toEqual({ code: 0, out: `write ${unit}\n`, err: '' });
    expect(await readFile(unit, 'utf8')).toBe((await cli(['service', 'print', '--platform', 'systemd', ...AGENT])).out);
    expect(((await lstat(unit)).mode & 0o777).toString(8)).toBe('644');
    const removed = await cli(['service', 'uninstall', '--platform', 'systemd', '--root', root, '--no-start']);
    expect(removed.code).toBe(0);
    expect(await exists(unit)).toBe(false);
  });

  it.skipIf(!hasSystemctl)('install --root (without --no-start) enables the unit offline with systemctl --root; uninstall disables it', async () => {
    const root = await mkdtemp(join(tmp, 'root-'));
    const wants = join(root, 'etc/systemd/system/multi-user.target.wants/gitfleet-agent.service');
    const installed = await cli(['service', 'install', '--platform', 'systemd', '--root', root, ...AGENT]);
    expect(installed.code, installed.err).toBe(0);
    expect(installed.out).toContain(`run systemctl --root=${root} enable gitfleet-agent.service`);
    expect(await readlink(wants)).toBe('/etc/systemd/system/gitfleet-agent.service');
    const removed = await cli(['service', 'uninstall', '--platform', 'systemd', '--root', root]);
    expect(removed.code, removed.err).toBe(0);
    expect(await exists(wants)).toBe(false);
    expect(await exists(join(root, 'etc/systemd/system/gitfleet-agent.service'))).toBe(false);
    // A second uninstall finds nothing to do and says so.
    expect((await cli(['service', 'uninstall', '--platform', 'systemd', '--root', root])).out).toContain('(was not there)');
  });

  it('--dry-run prints the steps and touches nothing', async () => {
    const root = await mkdtemp(join(tmp, 'root-'));
    const res = await cli(['service', 'install', '--platform', 'launchd', '--root', root, '--dry-run', ...AGENT]);
    expect(res.code).toBe(0);
    expect(res.out).toContain(`would write ${join(root, 'Library/LaunchDaemons/dev.gitfleet.agent.plist')}`);
    expect(await exists(join(root, 'Library'))).toBe(false);
  });

  it('install --root for launchd writes the plist and the log folder', async () => {
    const root = await mkdtemp(join(tmp, 'root-'));
    const res = await cli(['service', 'install', '--platform', 'launchd', '--root', root, ...AGENT]);
    expect(res.code, res.err).toBe(0);
    const plist = await python(PLIST_JSON, join(root, 'Library/LaunchDaemons/dev.gitfleet.agent.plist')) as { ProgramArguments: string[] };
    expect(plist.ProgramArguments).toContain('/Library/Application Support/gitfleet');
    expect(await exists(join(root, 'Library/Logs/gitfleet'))).toBe(true);
  });

  it('install --root for Windows writes the XML beside the WinSW exe and says what to run next', async () => {
    const root = await mkdtemp(join(tmp, 'root-'));
    const exe = 'C:\\gitfleet\\gitfleet-agent.exe';
    const res = await cli(['service', 'install', '--platform', 'windows', '--root', root, '--winsw', exe, ...AGENT,
      '--node', 'C:\\Program Files\\nodejs\\node.exe', '--cli', 'C:\\gitfleet\\bin\\gitfleet.js']);
    expect(res.code, res.err).toBe(0);
    expect(res.out).toContain(`Next, as Administrator:\n  ${exe} install\n  ${exe} start\n`);
    const xml = await python(WINSW_JSON, join(root, 'gitfleet/gitfleet-agent.xml')) as WinswJson;
    expect(xml.text.executable).toBe('C:\\Program Files\\nodejs\\node.exe');
  });

  it.each([
    ['a platform that is not this host\'s, without --root', ['install', '--platform', OTHER_PLATFORM, ...AGENT], new RegExp(`cannot install a ${OTHER_PLATFORM} service on this host`)],
    ['uninstall of Windows on another OS, without --root', ['uninstall', '--platform', 'windows', '--winsw', 'C:\\w\\gitfleet-agent.exe'], /cannot uninstall a windows service/],
    ['install without --repo', ['install', '--root', '/nonexistent', '--platform', 'systemd', '--host', 'x'], /missing --repo/],
    ['an unknown platform', ['print', '--platform', 'upstart', ...AGENT], /--platform must be/],
    ['an unknown subcommand', ['start'], /unknown subcommand "start"/],
    ['Windows without --winsw', ['install', '--platform', 'windows', '--root', '/nonexistent', ...AGENT, '--node', 'C:\\node.exe', '--cli', 'C:\\gitfleet.js'], /--winsw PATH is required/],
  ])('refuses %s', async (_, argv, message) => {
    const res = await cli(['service', ...argv]);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(message);
  });
});
