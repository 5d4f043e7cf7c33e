import type { DesiredHost, DesiredSandbox } from '../fleet/resolve.js';
import type { Manager } from '../fleet/model.generated.js';
import { MANAGERS } from '../fleet/platform.js';
import type { ActualState, Inventory, ObservedPackages } from '../plan/types.js';
import { packageKey } from '../plan/plan.js';
import { GitfleetError, errorMessage } from '../util/errors.js';
import { schemeFor } from '../managers/versioning/index.js';
import type { InstalledList } from '../managers/types.js';
import { sourcesFor, targetFor, type HostDeps } from './context.js';
import { withCredentials } from './source-credentials.js';
import { listInside } from '../sandboxes/inside.js';
import { listsInside } from '../sandboxes/listing.js';
import { checkSourceFolder } from '../sandboxes/sources.js';
import { sandboxSourceFolders } from './sandbox-sources.js';

/** Observes the sandboxes and the packages of every target the desired state or the inventory mentions. Failures become `unknown`, never exceptions. */
export async function observe(desired: DesiredHost, inventory: Inventory, deps: HostDeps): Promise<ActualState> {
  const actual: ActualState = { sandboxes: {}, targets: {} };
  await Promise.all(desired.sandboxes.map(async (sb) => {
    try {
      // The folders create would mount: a docker container made without one of them is named now, in the plan, not at apply.
      const sourceFolders = mountable(sandboxSourceFolders(desired.targets, `sandbox:${sb.name}`, deps.fleetDir));
      actual.sandboxes[sb.name] = await deps.driver(sb.type).inspect(sb, { runner: deps.runner, sourceFolders });
    } catch (err) {
      actual.sandboxes[sb.name] = { exists: false, type: undefined };
      void err;
    }
  }));
  const wanted = new Map<string, Set<Manager>>();
  const want = (t: string, m: Manager) => (wanted.get(t) ?? wanted.set(t, new Set()).get(t)!).add(m);
  for (const t of desired.targets) for (const p of t.packages) want(t.target, p.manager);
  for (const [t, byM] of Object.entries(inventory.packages)) for (const m of MANAGERS) if (byM[m] && Object.keys(byM[m]!).length) want(t, m);
  const jobs: Promise<void>[] = [];
  for (const [target, managers] of wanted) {
    const name = target.startsWith('sandbox:') ? target.slice(8) : undefined;
    // A sandbox that is not there has no packages; one no longer desired cannot be reached.
    if (name && !actual.sandboxes[name]?.exists) continue;
    actual.targets[target] = {};
    for (const m of managers) jobs.push(listTarget(desired.sandboxes, target, m, deps).then((o) => { actual.targets[target]![m] = o; }));
  }
  await Promise.all(jobs);
  return actual;
}

/** Folders a mount can be made of. One the driver refuses is left to `create`, which says why, rather than failing inspect (the sandbox would read as absent). */
function mountable(folders: readonly string[]): string[] {
  return folders.filter((f) => {
    try {
      checkSourceFolder(f);
      return true;
    } catch {
      return false;
    }
  });
}

/** What one manager has installed in one target now; a failure or an unreachable target is `unknown`, never an exception. */
export async function listTarget(sandboxes: readonly DesiredSandbox[], target: string, m: Manager, deps: HostDeps): Promise<ObservedPackages> {
  try {
    return { status: 'ok', packages: (await listIn(sandboxes, target, m, deps)).packages };
  } catch (err) {
    return { status: 'unknown', code: err instanceof GitfleetError ? err.code : 'E_INTERNAL', message: errorMessage(err) };
  }
}

/** What one manager has installed in one target now, where its commands run: inside a docker or wsl sandbox, else on this host. Throws. */
export async function listIn(sandboxes: readonly DesiredSandbox[], target: string, m: Manager, deps: HostDeps): Promise<InstalledList> {
  const sb = target.startsWith('sandbox:') ? sandboxes.find((s) => s.name === target.slice(8)) : undefined;
  if (sb && listsInside(sb.type)) {
    // Their packages live inside a container or distribution (the host's own databases would be wrong): listed there, through the driver's exec.
    return listInside(sb, m, deps.driver(sb.type), { runner: deps.runner, timeoutMs: deps.batchTimeoutMs, managerEnv: deps.env });
  }
  return deps.manager(m).listInstalled(targetFor(sandboxes, target, m, deps), { runner: deps.runner, env: deps.env, timeoutMs: deps.batchTimeoutMs });
}

/**
 * Picks versions for `latest`, and for `present` where the package is missing: the newest non-pre-release the sources
 * offer, asked with the index credentials of the host's store (a source whose secret is missing is not asked).
 */
export async function chooseVersions(desired: DesiredHost, actual: ActualState, deps: HostDeps): Promise<Record<string, string>> {
  const chosen: Record<string, string> = {};
  const jobs: Promise<void>[] = [];
  for (const t of desired.targets) {
    for (const p of t.packages) {
      if (p.spec !== 'latest' && p.spec !== 'present') continue;
      const adapter = deps.manager(p.manager);
      const have = actual.targets[t.target]?.[p.manager];
      if (p.spec === 'present' && have?.status === 'ok' && have.packages[adapter.normalizeName(p.name)] !== undefined) continue;
      jobs.push((async () => {
        try {
          const sources = await withCredentials(sourcesFor(t.sources, p.manager, deps.fleetDir), { manager: p.manager, where: t.target }, deps.secrets);
          const versions = await adapter.listAvailable(p.name, { runner: deps.runner, env: deps.env, timeoutMs: deps.batchTimeoutMs }, sources);
          const scheme = schemeFor(p.manager);
          const stable = versions.map((v) => v.version).filter((v) => scheme.valid(v) && !scheme.parse(v).prerelease);
          const best = stable.sort((a, b) => scheme.compare(b, a))[0];
          if (best) chosen[packageKey(t.target, p.manager, p.name)] = best;
        } catch {
          // The planner reports an unresolved version as a warning (and planHost why, when it is the credentials).
        }
      })());
    }
  }
  await Promise.all(jobs);
  return chosen;
}
