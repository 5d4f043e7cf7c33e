/** The `X.Y.Z` in a tool's version output (`Python 3.11.2`, `v20.20.2`, `conda 24.1.2`), or undefined. */
export function parseToolVersion(text: string): string | undefined {
  // a whole word only: `python3.12` in an error message is a name, not a version
  return /(?:^|\s)v?([0-9]+(?:\.[0-9]+)+)/.exec(text)?.[1];
}

/** True when `found` agrees with every component `wanted` gives, up to major.minor (`3.11` matches `3.11.2`; `20` matches `20.20.2`). */
export function versionMatches(wanted: string, found: string): boolean {
  const w = wanted.split('.').slice(0, 2);
  const f = found.split('.');
  return w.every((part, i) => Number(part) === Number(f[i]));
}
