import { verifySignature } from '../events/sinks/webhook.js';
import { listen, readBody, reply, type ListenAddress, type Listening } from './listen.js';

/** GitHub's signature header: `sha256=<hex HMAC-SHA256 of the body>` (the same format as gitfleet's own sink). */
export const GITHUB_SIGNATURE_HEADER = 'x-hub-signature-256';

/** Why a delivery was refused or accepted, for logs and tests. */
export type WebhookVerdict = 'triggered' | 'ignored-branch' | 'unsigned' | 'bad-signature' | 'not-push' | 'malformed' | 'too-large' | 'method';

/**
 * Listens for GitHub `push` deliveries. Only a body whose HMAC matches the shared secret counts;
 * a push to the tracked branch calls `trigger` at once. Everything else is refused (401/400) and triggers nothing.
 */
export function serveWebhook(at: ListenAddress, opts: { secret: string; branch: string; trigger: () => void; onVerdict?: (v: WebhookVerdict) => void }): Promise<Listening> {
  return listen(at, async (req, res) => {
    const verdict = (v: WebhookVerdict, status: number, body: string): void => {
      opts.onVerdict?.(v);
      reply(res, status, body + '\n');
    };
    if (req.method !== 'POST') return verdict('method', 405, 'POST only');
    const body = await readBody(req, 5 * 1024 * 1024);
    if (!body) return verdict('too-large', 413, 'body too large');
    const sig = req.headers[GITHUB_SIGNATURE_HEADER];
    if (typeof sig !== 'string' || sig === '') return verdict('unsigned', 401, 'missing X-Hub-Signature-256');
    if (!verifySignature(body, sig, opts.secret)) return verdict('bad-signature', 401, 'bad signature');
    const event = req.headers['x-github-event'];
    if (event !== 'push') return verdict('not-push', 400, `event ${String(event)} is not handled; only push`);
    let ref: unknown;
    try {
      ref = (JSON.parse(body.toString('utf8')) as { ref?: unknown }).ref;
    } catch {
      return verdict('malformed', 400, 'body is not JSON');
    }
    if (typeof ref !== 'string') return verdict('malformed', 400, 'push without a ref');
    if (ref !== `refs/heads/${opts.branch}`) return verdict('ignored-branch', 202, `not the tracked branch (${opts.branch})`);
    opts.trigger();
    return verdict('triggered', 202, 'cycle triggered');
  });
}
