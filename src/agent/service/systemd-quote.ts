// systemd's command-line syntax (systemd.service(5) "Command lines", systemd.syntax(7)).
const SAFE = /^[A-Za-z0-9_@+=:,./-]+$/;
const C_ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/**
 * One word of an ExecStart= line that systemd turns back into exactly `arg`.
 * `%` is doubled (specifiers are expanded first, when the unit loads); `$` is doubled when `env` is true
 * (ExecStart= expands `$VAR` when it runs the command; other settings do not); `\` and `"` are C-escaped
 * inside double quotes, and control characters become `\xNN`. A lone `;` is quoted, so it is not read as a separator.
 */
export function quoteSystemdWord(arg: string, env = true): string {
  if (SAFE.test(arg)) return arg;
  let out = '"';
  for (const ch of arg) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch in C_ESCAPES) out += C_ESCAPES[ch];
    else if (ch === '%') out += '%%';
    else if (ch === '$' && env) out += '$$';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The value of an ExecStart= line for an argument vector (argv[0] is the absolute executable path). */
export function systemdCommandLine(argv: readonly string[]): string {
  return argv.map((a) => quoteSystemdWord(a)).join(' ');
}
