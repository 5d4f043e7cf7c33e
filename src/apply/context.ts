import { isAbsolute, join } from 'node:path';
import type { DesiredSandbox } from '../fleet/resolve.js';
import type { Manager, Sources } from '../fleet/model.generated.js';
import type { ManagerAdapter, ManagerSources, PackageChange, Target } from '../managers/types.js';
import type { SandboxDriver } from '../sandboxes/types.js';
import { insideCheckCommand, insideCommands } from '../sandboxes/inside-commands.js';
import { listsInside } from '../sandboxes/listing.js';
import { sourcesInside } from '../sandboxes/sources.js';
import type { Command, Runner } from '../util/exec.js';
import { GitfleetError } from '../util/errors.js';
import type { SecretLookup } from '../secrets/read.js';
import { needsIndex, withCredentials, withoutReference } from './source-credentials.js';

/** What observation, apply and health checks need from the world: injected, so tests use real parts in temp places. */
export interface HostDeps {
  runner: Runner;
  manager(id: Manager): ManagerAdapter;
  driver(type: DesiredSandbox['type']): SandboxDriver;
  /** The fleet checkout on disk: relative `findLinks` resolve against it. */
  fleetDir: string;
  /** Redirects the `system` target of apt/dnf to an alternative root (tests, chroots). */
  systemRoot?: string;
  /** Timeout per manager command batch, ms. */
  batchTimeoutMs?: number;
  /** Environment for manager commands (PIP_CONFIG_FILE=/dev/null, npm cache, ...). */
  env?: Record<string, string>;
  /** This host's secret store, for index credentials that sources reference by key; absent off a host. */
  secrets?: SecretLookup;
}

/** The manager Target for a plan target (`system` or `sandbox:<name>`) among these sandboxes. */
export function targetFor(sandboxes: readonly DesiredSandbox[], target: string, manager: Manager, deps: HostDeps): Target {
  if (target === 'system') {
    return deps.systemRoot && (manager === 'apt' || manager === 'dnf') ? { kind: 'root', path: deps.systemRoot } : { kind: 'system' };
  }
  const sb = sandboxOf(sandboxes, target);
  return deps.driver(sb.type).target(sb);
}

/** The sandbox behind `sandbox:<name>`. */
export function sandboxOf(sandboxes: readonly DesiredSandbox[], target: string): DesiredSandbox {
  const name = target.slice('sandbox:'.length);
  const sb = sandboxes.find((s) => s.name === name);
  if (!sb) throw new GitfleetError('E_NOT_FOUND', `no sandbox "${name}" is known for ${target}`);
  return sb;
}

/** A command made to run in a target: the deps' environment and timeout, then the sandbox's PATH or wrapper. */
export function inTarget(sandboxes: readonly DesiredSandbox[], deps: HostDeps, target: string, cmd: Command): Command {
  const withEnv = { ...cmd, env: { ...(deps.env ?? {}), ...(cmd.env ?? {}) }, timeoutMs: cmd.timeoutMs ?? deps.batchTimeoutMs };
  if (target === 'system') return withEnv;
  const sb = sandboxOf(sandboxes, target);
  return deps.driver(sb.type).exec(sb, withEnv);
}

/**
 * A policy's health-check command made to run in a target (see `inTarget`): inside a docker or wsl sandbox its Python
 * spelled for the system inside, as the changes there are; elsewhere as the policy gives it (a venv's or conda env's
 * folder comes first on PATH, so `python` is the sandbox's own on any host).
 */
export async function checkInTarget(sandboxes: readonly DesiredSandbox[], deps: HostDeps, target: string, cmd: Command): Promise<Command> {
  const sb = target === 'system' ? undefined : sandboxOf(sandboxes, target);
  return inTarget(sandboxes, deps, target, sb && listsInside(sb.type) ? await insideCheckCommand(cmd) : cmd);
}

/**
 * The commands for `changes` in a target, not yet made to run there (see `inTarget`): inside a docker or wsl sandbox
 * built for the system inside, as its listing is (Linux, whatever the host); elsewhere by the adapter for this host.
 * Index credentials the sources reference are read from the host's store here, in memory, only when the changes
 * reach an index (removals do not); a secret that cannot be had throws, naming its key and the source.
 */
export async function commandsFor(
  sandboxes: readonly DesiredSandbox[], deps: HostDeps, target: string, manager: Manager, changes: PackageChange[], sources?: ManagerSources,
): Promise<Command[]> {
  const sb = target === 'system' ? undefined : sandboxOf(sandboxes, target);
  const src = needsIndex(changes) ? await withCredentials(sources, { manager, where: target }, deps.secrets) : withoutReference(sources);
  if (sb && listsInside(sb.type)) {
    // Host folders (findLinks, npm tarballs) spelled as seen inside: docker's read-only mounts, wsl's /mnt/<drive>.
    // Removals read no folder, so a container without the mounts can still have packages removed (a rollback).
    const inside = needsIndex(changes) ? await sourcesInside(sb, deps.driver(sb.type), src, { runner: deps.runner, timeoutMs: deps.batchTimeoutMs, checkoutRoot: deps.fleetDir }) : src;
    return insideCommands(manager, changes, inside);
  }
  return deps.manager(manager).commands(changes, targetFor(sandboxes, target, manager, deps), src);
}

/**
 * A baseline's sources for one manager, with repository-relative folders made absolute. Credentials stay a reference
 * (`{secret: KEY}`), which the journal may keep; `withCredentials` turns it into a value only when it is used.
 */
export function sourcesFor(sources: Sources, manager: Manager, fleetDir: string): ManagerSources | undefined {
  const s = (sources as Partial<Record<Manager, ManagerSources>>)[manager];
  if (!s) return undefined;
  const out: ManagerSources = {};
  if (s.findLinks) out.findLinks = s.findLinks.map((p) => (isAbsolute(p) ? p : join(fleetDir, p)));
  if (s.indexUrl) out.indexUrl = s.indexUrl;
  if (s.extraIndexUrls) out.extraIndexUrls = s.extraIndexUrls;
  if (s.noIndex !== undefined) out.noIndex = s.noIndex;
  if (s.registry) out.registry = s.registry;
  if (s.credentials) out.credentials = { secret: s.credentials.secret };
  return out;
}
