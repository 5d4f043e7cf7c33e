// A remote URL may carry a token (`https://user:token@host/fleet.git`, `https://TOKEN@host/...`): it works for git, but
// events go to webhooks and files, logs to journals, status to the fleet repository, PR texts to every reader.

// scheme://, then the user-info up to the last `@` before the host ends (a password may hold a raw `@`).
const USER_INFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

/** `text` (a URL, or a message naming URLs) with the user-info of every `scheme://user:token@host` URL in it removed. */
export function withoutCredentials(text: string): string {
  return text.replace(USER_INFO, '$1');
}
