// Index URLs may carry credentials as user-info (`https://__token__:TOKEN@host/simple/`), the form pip documents for
// PIP_INDEX_URL. Node's fetch refuses such a URL, so it is split the way pip (requests) does it: the URL without
// user-info, and an `Authorization: Basic` header from the percent-decoded user name and password.

/** A URL to request, without user-info, and the Authorization header pip would send for the user-info it had. */
export interface AuthorizedUrl {
  url: string;
  authorization?: string;
}

/** True when `url` parses and carries a user name or a password. */
export function hasUserInfo(url: string): boolean {
  const u = parse(url);
  return u !== undefined && (u.username !== '' || u.password !== '');
}

/** Splits the user-info off `url` into a Basic Authorization header (a user name alone is sent with an empty password, as pip does). */
export function splitUserInfo(url: string): AuthorizedUrl {
  const u = parse(url);
  if (!u || (u.username === '' && u.password === '')) return { url };
  const credentials = `${unquote(u.username)}:${unquote(u.password)}`;
  u.username = '';
  u.password = '';
  return { url: u.href, authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` };
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

// urllib's unquote leaves a malformed escape as it is; decodeURIComponent would throw on it.
function unquote(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/%([0-9a-f]{2})/gi, (m, hex: string) => {
      const c = parseInt(hex, 16);
      return c < 0x80 ? String.fromCharCode(c) : m;
    });
  }
}
