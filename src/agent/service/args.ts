import { win32, posix } from 'node:path';
import { GitfleetError } from '../../util/errors.js';
import type { ServiceOptions, ServicePlatform } from './types.js';

// The same patterns as schemas/common.schema.json (name, duration) and fleet.schema.json (branch).
const HOST = /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/;
const BRANCH = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/;
const DURATION = /^(?:[0-9]+(?:ms|s|m|h|d))+$/;
const POSIX_USER = /^[a-z_][a-z0-9_-]{0,31}\$?$/i;
// DOMAIN\user, .\user, user@domain, or a gMSA ending in `$`; no quotes or XML/command-line metacharacters.
const WINDOWS_USER = /^(?:[A-Za-z0-9._ -]{1,64}\\)?[A-Za-z0-9._ @-]{1,104}\$?$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// XML 1.0 forbids these characters even as character references; plist and WinSW files are XML.
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** The agent's argument vector after the node binary: the bin script, `agent` and its flags. */
export function agentArgv(o: ServiceOptions): string[] {
  return [
    o.cliPath,
    'agent',
    '--repo', o.repo,
    '--host', o.host,
    ...(o.branch ? ['--branch', o.branch] : []),
    ...(o.interval ? ['--interval', o.interval] : []),
    ...(o.driftInterval ? ['--drift-interval', o.driftInterval] : []),
    '--state-dir', o.stateDir,
    ...(o.extraArgs ?? []),
  ];
}

/** Checks options before they reach a service file; throws E_VALIDATION naming the field and what would be right. */
export function validateServiceOptions(o: ServiceOptions, platform: ServicePlatform): void {
  const windows = platform === 'windows';
  const isAbs = windows ? (p: string) => win32.isAbsolute(p) && /^(?:[A-Za-z]:\\|\\\\)/.test(p) : posix.isAbsolute;
  const abs = windows ? 'an absolute Windows path such as C:\\Program Files\\nodejs\\node.exe' : 'an absolute path';
  if (!isAbs(o.execPath)) fail('node path', o.execPath, abs);
  if (!isAbs(o.cliPath)) fail('gitfleet path', o.cliPath, abs);
  if (!isAbs(o.stateDir)) fail('state directory', o.stateDir, abs);
  if (!HOST.test(o.host)) fail('host', o.host, 'a host name: lower-case letters, digits, ".", "_", "-", at most 63 characters');
  if (o.repo === '' || o.repo.startsWith('-')) fail('repo', o.repo, 'a repository URL or path that does not start with "-"');
  if (o.branch !== undefined && !BRANCH.test(o.branch)) fail('branch', o.branch, 'a branch name such as main');
  if (o.interval !== undefined && !DURATION.test(o.interval)) fail('interval', o.interval, 'a duration such as 30s or 5m');
  if (o.driftInterval !== undefined && !DURATION.test(o.driftInterval)) fail('drift interval', o.driftInterval, 'a duration such as 5m');
  if (o.user !== undefined && !(windows ? WINDOWS_USER : POSIX_USER).test(o.user)) {
    fail('user', o.user, windows ? 'an account such as .\\gitfleet, DOMAIN\\gitfleet or DOMAIN\\gmsa$' : 'a user name such as gitfleet');
  }
  for (const arg of [o.execPath, ...agentArgv(o)]) checkText(arg, platform);
}

function checkText(arg: string, platform: ServicePlatform): void {
  if (arg.includes('\0')) fail('argument', arg, 'text without NUL characters');
  if (LONE_SURROGATE.test(arg)) fail('argument', arg, 'well-formed Unicode text');
  if (platform !== 'systemd' && XML_FORBIDDEN.test(arg)) fail('argument', arg, 'text without control characters other than tab, newline and carriage return (XML cannot hold them)');
  // WinSW expands %NAME% in <executable> and <arguments> and has no escape for a literal %.
  if (platform === 'windows' && arg.includes('%')) fail('argument', arg, 'text without "%": WinSW would expand it as an environment variable');
}

function fail(what: string, value: string, right: string): never {
  throw new GitfleetError('E_VALIDATION', `invalid ${what} ${JSON.stringify(value)}: expected ${right}`);
}
