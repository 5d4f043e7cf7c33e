// `.gitfleet.env` round trip: every value must read back exactly through a real POSIX shell and through systemd's
// own environment-file parser (the one EnvironmentFile= uses), newlines, quotes, backslashes, `$` and `#` included.
import { accessSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { envValueProblem, quoteEnvValue, renderEnvFile } from '../../src/secrets/env-file.js';
import { execRunner, runChecked } from '../../src/util/exec.js';
import { tempDir } from './helpers.js';

// name → value; every row is written to one env file as V<i>.
const VALUES: readonly (readonly [string, string])[] = [
  ['plain', 'abc-123_./:@%+,'],
  ['empty', ''],
  ['spaces around', '  lead and trail  '],
  ['single quote', "it's"],
  ['the shell quote idiom itself', `a'\\''b`],
  ['double quotes', 'say "hi"'],
  ['backslashes', 'C:\\path\\to\\x'],
  ['trailing backslash', 'ends with \\'],
  ['backslash-n is not a newline', 'literal \\n here'],
  ['multi-line', 'line 1\nline 2\nline 3'],
  ['trailing newline', 'value\n'],
  ['leading newline', '\nvalue'],
  ['backslash before a newline', 'a\\\nb'],
  ['a line that looks like a comment', 'first\n# not a comment\n; nor this'],
  ['a line that looks like an assignment', 'x\nOTHER=1'],
  ['hash', '#start and a #middle'],
  ['dollar', '$HOME ${HOME} $(id) $$ $1 cost: 5$'],
  ['dollar not before a name', 'cost: 5$, $-x $ $.'],
  ['backticks', '`id` and `whoami`'],
  ['tab and CR', 'a\tb\r\nc\r'],
  ['PEM block', '-----BEGIN KEY-----\nMIIB+/=\n-----END KEY-----\n'],
  ['unicode', 'pässwörd ✓ 密码 🔑'],
  ['equals', 'a=b=c'],
  ['json', '{"a": [1, "x\\"y"], "b": null}'],
  ['shell metacharacters', ';|&<>(){}[]*?!~^'],
];

const envFile = renderEnvFile(VALUES.map(([, v], i) => [`V${i}`, v] as const));
let dir: string;

beforeAll(async () => {
  dir = await tempDir('gitfleet-env-file-');
});

describe('.gitfleet.env round trip', () => {
  it.each(VALUES.map(([name, v], i) => [name, v, i] as const))('a POSIX shell (set -a; . FILE) reads %s back exactly', async (_name, value, i) => {
    const file = join(dir, 'sh.env');
    await writeFile(file, envFile);
    // test-only: the real shell is the reference reader (the product never runs one)
    const out = await execRunner.run({ file: 'sh', args: ['-c', `set -a; . "$1"; printf %s "$V${i}"`, 'sh', file], cleanEnv: true, env: {} });
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe(value);
  });

  // systemd's environment.d generator reads files with the same parser as EnvironmentFile= (parse_env_file), then
  // expands $VAR, which EnvironmentFile= does not (systemd.exec(5)), and drops empty values, which EnvironmentFile=
  // sets as empty. Those rows are left to the shell above; the escape rows still check that `\$` reads back as `$`.
  const generator = '/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator';
  const generatorOnly = (v: string) => v === '' || /\$[A-Za-z0-9_{$]/.test(v);
  it.skipIf(!hasFile(generator))('systemd reads every value back exactly (its env-file parser, via the environment.d generator)', async () => {
    const cfg = join(dir, 'systemd');
    await mkdir(join(cfg, 'environment.d'), { recursive: true });
    await writeFile(join(cfg, 'environment.d', '50-gitfleet.conf'), envFile);
    const out = await runChecked(execRunner, { file: generator, args: [], cleanEnv: true, env: { XDG_CONFIG_HOME: cfg, XDG_CONFIG_DIRS: join(dir, 'none') } });
    const got = parseGeneratorOutput(out.stdout);
    const checked = VALUES.map(([name, v], i) => [name, v, i] as const).filter(([, v]) => !generatorOnly(v));
    expect(checked.length).toBeGreaterThan(20);
    for (const [name, value, i] of checked) expect({ name, value: got.get(`V${i}`) }).toEqual({ name, value });
  });

  it.each([
    ['plain', 'plain'], ['', '""'], ['with space', '"with space"'], ["it's", `"it's"`], ['$HOME', '"\\$HOME"'],
    ['a\nb', '"a\nb"'], ['"\\`', '"\\"\\\\\\`"'],
  ])('quotes %j as %s', (v, q) => {
    expect(quoteEnvValue(v)).toBe(q);
  });

  it.each([
    ['NUL', 'a\u0000b'], ['byte order mark', '\uFEFFx'], ['noncharacter', 'x\uFDD0'], ['plane-1 noncharacter', 'x\u{1FFFE}'],
    ['lone high surrogate', 'x\uD800'], ['lone low surrogate', '\uDC00x'],
  ])('refuses a value with a %s', (_what, v) => {
    expect(envValueProblem(v)).toMatch(/cannot carry/);
  });
  it('accepts a value with astral characters', () => expect(envValueProblem('🔑 x\u{10FFFD}')).toBeNull());
});

// vitest decides skipIf while collecting: a synchronous check.
function hasFile(path: string): boolean {
  try { accessSync(path); return true; } catch { return false; }
}

/** The generator prints `KEY=value`, quoting a value with C escapes inside double quotes (systemd's shell_maybe_quote). */
function parseGeneratorOutput(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const raw = line.slice(eq + 1);
    out.set(line.slice(0, eq), raw.startsWith('"') ? unescapeC(raw.slice(1, -1)) : raw);
  }
  return out;
}

function unescapeC(s: string): string {
  const named: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' };
  return s.replace(/\\([0-7]{3}|.)/g, (_m, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e, 8)) : named[e] ?? e));
}

