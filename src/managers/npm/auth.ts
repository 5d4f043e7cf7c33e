// A registry URL may carry credentials as user-info. npm is not given them on its command line (shown in errors and
// process lists) but as its per-registry auth config, through the environment (`npm_config_//host/path/:_authToken`),
// the way npm documents tokens for CI: the URL goes to `--registry` without them.

/** A registry URL without user-info, and the npm config environment that authenticates to it. */
export interface RegistryAuth {
  url: string;
  env: Record<string, string>;
}

/**
 * Splits the user-info off a registry URL: one value alone (`https://:TOKEN@host/` or `https://TOKEN@host/`) is a
 * bearer token (`:_authToken`), a user name with a password is Basic auth (`:_auth`). Both keys are scoped to the
 * registry's host and path (npm's "nerf dart"), so npm sends them to that registry only.
 */
export function registryAuth(registry: string): RegistryAuth {
  const u = new URL(registry);
  if (u.username === '' && u.password === '') return { url: registry, env: {} };
  const user = unquote(u.username);
  const password = unquote(u.password);
  u.username = '';
  u.password = '';
  const path = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
  const key = `npm_config_//${u.host}${path}`;
  const env = user !== '' && password !== ''
    ? { [`${key}:_auth`]: Buffer.from(`${user}:${password}`, 'utf8').toString('base64') }
    : { [`${key}:_authToken`]: user || password };
  return { url: u.href, env };
}

function unquote(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
