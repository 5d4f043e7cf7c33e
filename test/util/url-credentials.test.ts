import { describe, expect, it } from 'vitest';
import { withoutCredentials } from '../../src/util/url-credentials.js';

describe('withoutCredentials', () => {
  it.each([
    ['user and token', 'https://bot:ghp_s3cr3t@git.example.com/acme/fleet.git#gitfleet/x', 'https://git.example.com/acme/fleet.git#gitfleet/x'],
    ['a token as the user name', 'https://ghp_s3cr3t@github.com/acme/fleet.git', 'https://github.com/acme/fleet.git'],
    ['a raw @ in the password', 'https://bot:p@ss@host:8443/r.git', 'https://host:8443/r.git'],
    ['an empty password', 'http://bot:@127.0.0.1:9/r.git', 'http://127.0.0.1:9/r.git'],
    ['another scheme', 'ssh://git:tok@host/r.git', 'ssh://host/r.git'],
    ['upper-case scheme', 'HTTPS://u:t@host/r', 'HTTPS://host/r'],
    ['in a message, every URL', "cannot fetch https://u:t1@a/r.git: fatal: unable to access 'https://u:t2@b/r.git/'", "cannot fetch https://a/r.git: fatal: unable to access 'https://b/r.git/'"],
    ['no credentials', 'https://github.com/acme/fleet/pull/7', 'https://github.com/acme/fleet/pull/7'],
    ['an @ in the path is not user-info', 'https://host/users/@me', 'https://host/users/@me'],
    ['an e-mail address after a URL is left alone', 'https://host/r.git by ops@example.com', 'https://host/r.git by ops@example.com'],
    ['scp-like remotes name a user, not a secret', 'git@github.com:acme/fleet.git', 'git@github.com:acme/fleet.git'],
    ['a local path', '/srv/git/fleet.git#gitfleet/x', '/srv/git/fleet.git#gitfleet/x'],
  ])('%s', (_what, input, want) => {
    expect(withoutCredentials(input)).toBe(want);
  });
});
