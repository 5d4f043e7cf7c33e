import type { Manager } from '../fleet/model.generated.js';

/** What one manager has in one target, or why it is not known. */
export type ObservedPackages =
  | { status: 'ok'; packages: Record<string, string> }
  | { status: 'unknown'; code: string; message: string };

/** A sandbox as it is on the host. */
export interface ObservedSandbox {
  exists: boolean;
  /** The type recorded when gitfleet made it (its marker file), if any. */
  type?: string;
  /** docker: package folders its baselines install from that the container has no mount for (it must be made again). */
  missingSourceFolders?: string[];
}

/** The host's actual state, as observed before planning. */
export interface ActualState {
  sandboxes: Record<string, ObservedSandbox>;
  /** target (`system`, `sandbox:<name>`) → manager → packages. */
  targets: Record<string, Partial<Record<Manager, ObservedPackages>>>;
}

/** What gitfleet itself installed, so that removal never touches anyone else's packages. */
export interface Inventory {
  /** target → manager → name → the version gitfleet installed. */
  packages: Record<string, Partial<Record<Manager, Record<string, string>>>>;
  /** Sandboxes gitfleet created, by name. */
  sandboxes: Record<string, { type: string; path: string }>;
  /**
   * What was in place as desired, whoever put it there, at the last successful apply (or run with nothing to do).
   * Evidence for drift only: never for removal, which `packages` alone decides. Absent in state written before it.
   */
  satisfied?: Satisfied;
}

/** Desired packages and sandboxes seen in place (installed by gitfleet or found there), for telling drift apart. */
export interface Satisfied {
  /** target → manager → normalized name → the version in place. */
  packages: Record<string, Partial<Record<Manager, Record<string, string>>>>;
  /** Sandboxes in place (made by gitfleet or found there), by name, with the desired type and path. */
  sandboxes: Record<string, { type: string; path: string }>;
}

export type ActionKind = 'create-sandbox' | 'install' | 'upgrade' | 'downgrade' | 'remove';
export type Reason = 'missing' | 'drifted' | 'changed' | 'removed-from-desired' | 'desired-absent' | 'new-sandbox';
export type Risk = 'sandbox' | 'new' | 'patch' | 'minor' | 'major' | 'prerelease' | 'removal';

/** One step of a plan, with why and how risky. */
export interface Action {
  kind: ActionKind;
  target: string;
  manager?: Manager;
  name: string;
  /** The version on the host now (none for an install). */
  from?: string;
  to?: string;
  /** An install of a package gone since it was last seen in place (`drifted`): the version it had then. */
  lastSeen?: string;
  reason: Reason;
  risk: Risk;
}

/** Something that keeps part of the plan from being made (a target whose packages are unknown, say). */
export interface PlanWarning {
  target: string;
  manager?: Manager;
  code: string;
  message: string;
}

/** An ordered list of actions for one host at one revision; the same inputs give the same plan, byte for byte. */
export interface Plan {
  host: string;
  revision: string | null;
  actions: Action[];
  warnings: PlanWarning[];
  /** Packages already as desired, for the summary. */
  unchanged: number;
}

export function emptyInventory(): Inventory {
  return { packages: {}, sandboxes: {} };
}
