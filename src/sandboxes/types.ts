import type { DesiredSandbox } from '../fleet/resolve.js';
import type { ManagerSources, Target } from '../managers/types.js';
import type { Command, Runner } from '../util/exec.js';

export type { DesiredSandbox };

/** The sandbox types gitfleet knows. */
export type SandboxType = DesiredSandbox['type'];

/** What drivers get from the outside world. */
export interface SandboxContext {
  runner: Runner;
  /** timeout per command, ms */
  timeoutMs?: number;
  /** Extra environment for the driver's own processes (merged over the inherited one). */
  env?: Record<string, string>;
  /**
   * Absolute host folders the sandbox's packages install from (pip find-links, npm tarball folders; see
   * `sourceFolders`): docker mounts them read-only when it creates the container, and `inspect` names any missing.
   */
  sourceFolders?: readonly string[];
  /**
   * The fleet checkout: docker reaches package folders below it through one read-only mount of it (`sourceMountFolder`),
   * since git replaces a folder whose files all change and a mount of the folder would keep the deleted one.
   */
  checkoutRoot?: string;
}

/** What is at a sandbox's path now. */
export interface SandboxStatus {
  exists: boolean;
  /** the type recorded in the marker file when gitfleet made it */
  type?: string;
  detail?: string;
  /** docker: whether its container is running (commands inside need that); absent where it does not apply. */
  running?: boolean;
  /** docker, when asked with `sourceFolders`: those the container has no mount for (it must be made again to get them). */
  missingSourceFolders?: string[];
}

/** Is a driver's tool here: its version, or a reason a person can act on. */
export type Availability = { ok: true; version?: string } | { ok: false; reason: string };

/** How limits ended up: applied by the platform, only written down, or none asked for. */
export type LimitsOutcome = 'enforced' | 'recorded' | 'none';

/** The marker gitfleet writes into every sandbox folder it makes: `.gitfleet-sandbox.json`. */
export interface SandboxMarker {
  name: string;
  type: SandboxType;
  template: string;
  /** `{}` when the template sets none. */
  limits: NonNullable<DesiredSandbox['limits']>;
  createdAt: string;
  gitfleet: 1;
}

/** The same surface for every sandbox type. */
export interface SandboxDriver {
  type: SandboxType;
  /** Is the tool this sandbox type needs here? A clear reason when not. */
  available(ctx: SandboxContext): Promise<Availability>;
  inspect(sb: DesiredSandbox, ctx: SandboxContext): Promise<SandboxStatus>;
  /** Idempotent: creates what is missing and records the marker; E_UNSUPPORTED with the `available()` reason when the tool is missing. */
  create(sb: DesiredSandbox, ctx: SandboxContext & { now: string }): Promise<{ created: boolean; limits: LimitsOutcome }>;
  /** Removes a sandbox gitfleet made (refuses when there is no gitfleet marker). */
  remove(sb: DesiredSandbox, ctx: SandboxContext): Promise<void>;
  /** Where its packages live, for the package adapters (docker/wsl: `system`, reached through `exec`). */
  target(sb: DesiredSandbox): Target;
  /** How to run a command inside: PATH entries prepended, or a wrapper (docker exec, wsl -d). Pure. */
  exec(sb: DesiredSandbox, cmd: Command): Command;
  /**
   * Sources with their host folders (`findLinks`) spelled as seen from inside (docker: the container's read-only
   * mounts, after checking it has them; wsl: /mnt/<drive>/...). Only for types whose commands run inside.
   */
  sourcesInside?(sb: DesiredSandbox, sources: ManagerSources, ctx: SandboxContext): Promise<ManagerSources>;
}
