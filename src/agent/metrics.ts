import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How a cycle ended, as the `result` label of `gitfleet_cycles_total`. */
export type CycleResultLabel = 'noop' | 'ok' | 'gated' | 'invalid' | 'rejected' | 'failed' | 'error';

/** The agent's Prometheus metrics, in a private registry (never prom-client's global one). */
export interface AgentMetrics {
  registry: Registry;
  cycle(result: CycleResultLabel, seconds: number): void;
  success(at: Date): void;
  drift(count: number): void;
  applyFailed(): void;
  revision(sha: string | null): void;
}

/** Makes the metrics of one agent. */
export function agentMetrics(): AgentMetrics {
  const registry = new Registry();
  const cycles = new Counter({ name: 'gitfleet_cycles_total', help: 'Reconcile cycles by result.', labelNames: ['result'] as const, registers: [registry] });
  const duration = new Histogram({
    name: 'gitfleet_cycle_duration_seconds', help: 'Duration of reconcile cycles.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers: [registry],
  });
  const lastSuccess = new Gauge({ name: 'gitfleet_last_success_timestamp_seconds', help: 'Unix time of the last successful cycle.', registers: [registry] });
  const drift = new Gauge({ name: 'gitfleet_drift_packages', help: 'Packages that differ from the desired state at the last observation.', registers: [registry] });
  const failures = new Counter({ name: 'gitfleet_apply_failures_total', help: 'Applies that failed (rolled back or not).', registers: [registry] });
  const revision = new Gauge({ name: 'gitfleet_revision_info', help: 'The revision applied on this host (value 1).', labelNames: ['revision'] as const, registers: [registry] });
  let shown: string | null = null;
  return {
    registry,
    cycle(result, seconds) {
      cycles.inc({ result });
      duration.observe(seconds);
    },
    success: (at) => lastSuccess.set(at.getTime() / 1000),
    drift: (count) => drift.set(count),
    applyFailed: () => failures.inc(),
    revision(sha) {
      if (sha === shown) return;
      revision.reset();
      if (sha) revision.set({ revision: sha }, 1);
      shown = sha;
    },
  };
}
