import type { HealthCheck } from '../fleet/model.generated.js';
import { parseDuration } from '../fleet/platform.js';
import type { Command, Runner } from '../util/exec.js';
import { errorMessage } from '../util/errors.js';

/** The outcome of one health check. */
export interface HealthResult {
  name: string;
  ok: boolean;
  ms: number;
  detail?: string;
}

export interface HealthDeps {
  runner: Runner;
  /** Turns a check's command into one that runs in a target (`system` or `sandbox:<name>`): PATH first, or a wrapper. */
  inTarget(target: string, cmd: Command): Command | Promise<Command>;
  fetch?: typeof fetch;
}

/** Runs the checks one after the other (they may depend on order); never throws. */
export async function runHealthChecks(checks: readonly HealthCheck[], deps: HealthDeps): Promise<HealthResult[]> {
  const out: HealthResult[] = [];
  for (const c of checks) out.push(await runOne(c, deps));
  return out;
}

async function runOne(c: HealthCheck, deps: HealthDeps): Promise<HealthResult> {
  const timeoutMs = parseDuration(c.timeout ?? '30s');
  const started = performance.now();
  const done = (ok: boolean, detail?: string): HealthResult => ({ name: c.name, ok, ms: Math.round(performance.now() - started), detail });
  try {
    if (c.command) {
      const [file, ...args] = c.command;
      const cmd = await deps.inTarget(c.target ?? 'system', { file: file!, args, timeoutMs });
      const res = await deps.runner.run(cmd);
      if (res.exitCode === 0) return done(true);
      const tail = (res.stderr.trim() || res.stdout.trim()).split('\n').slice(-3).join(' | ');
      return done(false, `exited with ${res.exitCode}${tail ? `: ${tail}` : ''}`);
    }
    if (c.http) {
      const expect = c.http.expectStatus ?? 200;
      const res = await (deps.fetch ?? fetch)(c.http.url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      await res.body?.cancel();
      return res.status === expect ? done(true) : done(false, `GET ${c.http.url} answered ${res.status}, expected ${expect}`);
    }
    return done(false, 'the check has neither command nor http');
  } catch (err) {
    return done(false, errorMessage(err));
  }
}
