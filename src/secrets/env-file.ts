// `.gitfleet.env`: KEY=value lines a shell can source, systemd and dotenv readers can read.

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BARE = /^[A-Za-z0-9_./:@%+,-]+$/;

/** True when a secret key can be an environment variable name (`.` and `-` cannot). */
export function isEnvName(key: string): boolean {
  return ENV_NAME.test(key);
}

/** One value quoted for an env file: bare when it is plain, else single-quoted with `'` written as `'\''`. */
export function quoteEnvValue(value: string): string {
  if (BARE.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The env file's text for the given keys, in order. */
export function renderEnvFile(entries: readonly (readonly [string, string])[]): string {
  return `# written by gitfleet from secrets/<host>.yaml; do not edit\n${entries.map(([k, v]) => `${k}=${quoteEnvValue(v)}\n`).join('')}`;
}
