import type { HostStatus } from '../report/types.js';
import type { AgentMetrics } from './metrics.js';
import { listen, reply, type ListenAddress, type Listening } from './listen.js';

/** What the endpoints read from the running agent. */
export interface AgentView {
  status(): HostStatus | null;
  /** Whether the loop is alive and its last cycle is recent enough. */
  alive(): { ok: boolean; detail: string };
  metrics: AgentMetrics;
}

/** Serves `/healthz`, `/status` and `/metrics` on a loopback address. */
export function serveAgentHttp(at: ListenAddress, view: AgentView): Promise<Listening> {
  return listen(at, async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'method not allowed\n');
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/healthz': {
        const a = view.alive();
        return reply(res, a.ok ? 200 : 503, `${a.ok ? 'ok' : 'unhealthy'}: ${a.detail}\n`);
      }
      case '/status': {
        const s = view.status();
        return s ? reply(res, 200, JSON.stringify(s, null, 2) + '\n', 'application/json') : reply(res, 503, '{"error":"no cycle has completed yet"}\n', 'application/json');
      }
      case '/metrics':
        return reply(res, 200, await view.metrics.registry.metrics(), view.metrics.registry.contentType);
      default:
        return reply(res, 404, 'not found: try /healthz, /status or /metrics\n');
    }
  });
}
