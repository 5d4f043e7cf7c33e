// `.gitfleet.env`: KEY=value lines that systemd's EnvironmentFile= and a POSIX shell (`set -a; . FILE`) read
// back to exactly the same value. Double quotes are the one quoting both read alike (systemd.exec(5)): inside
// them `\` escapes exactly "\`$ in both, and a newline is kept. Single quotes are not: the shell idiom `'\''`
// for a quote inside them reads as `''` plus a stray `'` in systemd, which knows no concatenation.

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BARE = /^[A-Za-z0-9_./:@%+,-]+$/;

/** True when a secret key can be an environment variable name (`.` and `-` cannot). */
export function isEnvName(key: string): boolean {
  return ENV_NAME.test(key);
}

/** Why `value` cannot be written to an env file (NUL, a byte order mark, a noncharacter, a lone surrogate), or null. */
export function envValueProblem(value: string): string | null {
  // systemd refuses NUL, U+FEFF and noncharacters in an environment file; a lone surrogate is no Unicode scalar
  // value and would be written as U+FFFD. Such a value cannot round-trip, so it is not written at all.
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (c === 0 || c === 0xfeff || (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) === 0xfffe || (c >= 0xd800 && c <= 0xdfff)) {
      return 'holds a character an environment file cannot carry (NUL, U+FEFF, a Unicode noncharacter or a lone surrogate)';
    }
  }
  return null;
}

/** One value quoted for an env file: bare when it is plain, else double-quoted with `\`, `"`, `` ` `` and `$` escaped. */
export function quoteEnvValue(value: string): string {
  if (BARE.test(value)) return value;
  return `"${value.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
}

/** The env file's text for the given keys, in order. */
export function renderEnvFile(entries: readonly (readonly [string, string])[]): string {
  return `# written by gitfleet from secrets/<host>.yaml; do not edit\n${entries.map(([k, v]) => `${k}=${quoteEnvValue(v)}\n`).join('')}`;
}
