import type { Command, Runner } from '../util/exec.js';

/** Every package manager gitfleet knows. */
export type ManagerId = 'pip' | 'npm' | 'apt' | 'dnf' | 'brew' | 'choco' | 'winget' | 'conda' | 'gem';

/** The operating systems gitfleet manages. */
export type OsName = 'linux' | 'windows' | 'macos';

/** The update a version change is, by its ecosystem's rules. */
export type UpdateType = 'major' | 'minor' | 'patch' | 'prerelease' | 'none';

/** A version taken apart by its ecosystem's rules. */
export interface ParsedVersion {
  raw: string;
  /** The release numbers (major, minor, patch, ...) as the ecosystem sees them. */
  release: number[];
  prerelease: boolean;
}

/** One ecosystem's version rules: pure, no I/O. */
export interface VersionScheme {
  id: 'pep440' | 'semver' | 'debian' | 'rpm' | 'rubygems' | 'nuget' | 'loose';
  /** True when `v` is a valid version in this ecosystem. */
  valid(v: string): boolean;
  /** Negative, zero or positive as a < b, a == b, a > b. Throws on invalid input. */
  compare(a: string, b: string): number;
  /** Throws a GitfleetError (E_PARSE) on invalid input. */
  parse(v: string): ParsedVersion;
}

/**
 * Where packages live. `system` is the manager's default place; the others carry a path:
 * a venv, an npm prefix (`-g --prefix`) or project folder, a conda env, or an alternative
 * root (dpkg `--root`/`--admindir`, rpm `--root`) used by tests and chroots.
 */
export interface Target {
  kind: 'system' | 'venv' | 'node-prefix' | 'node-project' | 'conda-env' | 'root';
  path?: string;
}

/** Is the manager on this host, and which version. */
export interface Detection {
  present: boolean;
  version?: string;
  /** The executable that was found. */
  path?: string;
}

/** What a target has installed: normalized name → version. */
export interface InstalledList {
  /** May be frozen and shared between calls (the apt adapter caches it): copy before changing. */
  packages: Readonly<Record<string, string>>;
  /** `database` when read from the manager's files, `command` when from its CLI. */
  via: 'database' | 'command';
}

/** A version a source offers, with its release date when the source tells it. */
export interface AvailableVersion {
  version: string;
  releasedAt?: string;
}

/** Package sources from a baseline (`sources.<manager>`); credentials are secret references only. */
export interface ManagerSources {
  indexUrl?: string;
  extraIndexUrls?: string[];
  findLinks?: string[];
  noIndex?: boolean;
  registry?: string;
  /** The secret that holds the index credentials, by key: resolved on the host (src/apply/source-credentials.ts) just before use; adapters never read it. */
  credentials?: { secret: string };
}

/** One change of one package. `version` is exact; absent only for `remove`. */
export interface PackageChange {
  kind: 'install' | 'upgrade' | 'downgrade' | 'remove';
  name: string;
  version?: string;
}

/** What adapters get from the outside world. */
export interface AdapterContext {
  runner: Runner;
  /** Extra environment for the manager's processes (merged over a clean one where the adapter wants). */
  env?: Record<string, string>;
  /** Per-call timeout for spawned commands, milliseconds. */
  timeoutMs?: number;
}

/** The same surface for every package manager. */
export interface ManagerAdapter {
  id: ManagerId;
  /** OSes on which this manager exists. */
  os: OsName[];
  versions: VersionScheme;
  /** The ecosystem's canonical name form (PEP 503 for pip, lower case for apt, ...). */
  normalizeName(name: string): string;
  /** True when `name` is a valid package name for this manager. */
  validName(name: string): boolean;
  detect(ctx: AdapterContext): Promise<Detection>;
  /** Reads the target's database directly where possible; falls back to the manager's CLI. */
  listInstalled(target: Target, ctx: AdapterContext): Promise<InstalledList>;
  listAvailable(name: string, ctx: AdapterContext, sources?: ManagerSources): Promise<AvailableVersion[]>;
  /** Argument arrays for the changes, batched where the manager allows. Pure. */
  commands(changes: PackageChange[], target: Target, sources?: ManagerSources): Command[];
}
