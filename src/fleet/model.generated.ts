/* Generated from schemas/*.schema.json by scripts/gen-types.js. Do not edit: run `npm run gen:types`. */

export type FleetDocument = Baseline | Fleet | Host | Policy | SandboxTemplate | Secrets;
/**
 * The document format version. Always `gitfleet/v1`.
 */
export type ApiVersion = 'gitfleet/v1';
/**
 * An operating system family.
 */
export type Os = 'linux' | 'windows' | 'macos';
/**
 * A CPU architecture.
 */
export type Arch = 'x64' | 'arm64';
/**
 * A resource name: lower-case letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit, at most 63 characters. The file must be named after it.
 */
export type Name = string;
/**
 * Other baselines whose packages this one includes (its own entries win).
 */
export type NameList = Name[];
/**
 * An http(s) or file URL without credentials in it.
 */
export type Url = string;
/**
 * A file system path without whitespace at its ends, shell metacharacters, or a leading `-`.
 */
export type Path = string;
/**
 * An exact version in the manager's ecosystem (quoted, so YAML keeps it a string: "1.10"), or `present` (any version), `latest` (the newest the source offers), `absent` (must not be installed).
 */
export type VersionSpec = string;
/**
 * Policies that apply to every host.
 */
export type NameList1 = Name[];
/**
 * An age X25519 public key (`age1...`, bech32).
 */
export type AgeRecipient = string;
/**
 * Baselines applied to this host (their `appliesTo` must also match).
 */
export type NameList2 = Name[];
/**
 * Policies of this host, in addition to the fleet's default policies.
 */
export type NameList3 = Name[];
/**
 * A kind of version change.
 */
export type UpdateType = 'major' | 'minor' | 'patch';
/**
 * A package manager gitfleet has an adapter for.
 */
export type Manager = 'pip' | 'npm' | 'apt' | 'dnf' | 'brew' | 'choco' | 'winget' | 'conda' | 'gem';
/**
 * Restrict the group to these managers.
 */
export type ManagerList = Manager[];
/**
 * A five-field cron expression (minute hour day-of-month month day-of-week).
 */
export type Cron = string;
/**
 * Allowed on Linux.
 */
export type ManagerList1 = Manager[];
/**
 * Allowed on Windows.
 */
export type ManagerList2 = Manager[];
/**
 * Allowed on macOS.
 */
export type ManagerList3 = Manager[];
/**
 * A secret's key: letters, digits, `_`, `.` and `-`.
 */
export type SecretKey = string;

/**
 * A set of packages per manager, installed into a target on the hosts it applies to. File: `baselines/<name>.yaml`.
 */
export interface Baseline {
  apiVersion: ApiVersion;
  /**
   * The document kind.
   */
  kind: 'Baseline';
  /**
   * The baseline's name; the file must be named `baselines/<name>.yaml`.
   */
  name: string;
  /**
   * Free text for humans.
   */
  description?: string;
  appliesTo?: Selector;
  /**
   * Where the packages go: `system` (the host's own managers) or `sandbox:<name>` (a sandbox of the host). Default `system`.
   */
  target?: string;
  includes?: NameList;
  sources?: Sources;
  packages?: PackageSet;
  /**
   * Files in the fleet repository whose pins are added to `packages` (entries in `packages` win).
   */
  imports?: Import[];
}
/**
 * Which hosts the baseline applies to; every field given must match. Absent: all hosts that list it.
 */
export interface Selector {
  /**
   * OS families.
   */
  os?: Os[];
  /**
   * Architectures.
   */
  arch?: Arch[];
  labels?: Labels;
  /**
   * Capability labels the host must have (from its facts), e.g. `gpu.cuda`.
   */
  capabilities?: string[];
}
/**
 * Labels the host must have with these values.
 */
export interface Labels {
  [k: string]: string;
}
/**
 * Where packages come from, per manager. Credentials only by reference to a host secret.
 */
export interface Sources {
  pip?: PipSource;
  npm?: NpmSource;
  apt?: LocalSource;
  dnf?: LocalSource;
  conda?: LocalSource;
  gem?: LocalSource;
  brew?: LocalSource;
  choco?: LocalSource;
  winget?: LocalSource;
}
/**
 * Python package sources.
 */
export interface PipSource {
  /**
   * The simple index (`--index-url`).
   */
  indexUrl?: string;
  /**
   * Extra indexes (`--extra-index-url`).
   */
  extraIndexUrls?: Url[];
  /**
   * Folders of wheels (`--find-links`): relative to the fleet repository, or absolute.
   */
  findLinks?: Path[];
  /**
   * Use only `findLinks` (`--no-index`).
   */
  noIndex?: boolean;
  credentials?: PipCredentials;
}
/**
 * Index credentials, by reference to a host secret. They go only to the index URLs written beside them in this same `pip` source, on the origin (scheme, host, port) of the one index they are for: validation refuses them when that is ambiguous, a public index, or not https (see docs/fleet-format.md).
 */
export interface PipCredentials {
  /**
   * The key of the secret in `secrets/<host>.yaml`.
   */
  secret: string;
  /**
   * An http(s) or file URL without credentials in it.
   */
  index?: string;
}
/**
 * npm package sources.
 */
export interface NpmSource {
  /**
   * An http(s) or file URL without credentials in it.
   */
  registry?: string;
  /**
   * Folders of `npm pack` tarballs: relative to the fleet repository, or absolute.
   */
  findLinks?: Path[];
  credentials?: SecretRef;
}
/**
 * Registry token, by reference to a host secret.
 */
export interface SecretRef {
  /**
   * The key of the secret in `secrets/<host>.yaml`.
   */
  secret: string;
}
/**
 * Package sources for managers configured on the host itself; only local folders of package files can be added.
 */
export interface LocalSource {
  /**
   * Folders of package files: relative to the fleet repository, or absolute.
   */
  findLinks?: Path[];
  credentials?: SecretRef1;
}
/**
 * Not for local folders: they need no credentials, and validation refuses this (source.credentials-local). Accepted by the schema only so that the error can say so.
 */
export interface SecretRef1 {
  /**
   * The key of the secret in `secrets/<host>.yaml`.
   */
  secret: string;
}
/**
 * Packages per manager: name → exact version, `present`, `latest` or `absent`.
 */
export interface PackageSet {
  pip?: PackageMap;
  npm?: PackageMap1;
  apt?: PackageMap2;
  dnf?: PackageMap3;
  brew?: PackageMap4;
  choco?: PackageMap5;
  winget?: PackageMap6;
  conda?: PackageMap7;
  gem?: PackageMap8;
}
/**
 * pip packages.
 */
export interface PackageMap {
  [k: string]: VersionSpec;
}
/**
 * npm packages.
 */
export interface PackageMap1 {
  [k: string]: VersionSpec;
}
/**
 * apt packages.
 */
export interface PackageMap2 {
  [k: string]: VersionSpec;
}
/**
 * dnf packages.
 */
export interface PackageMap3 {
  [k: string]: VersionSpec;
}
/**
 * brew packages.
 */
export interface PackageMap4 {
  [k: string]: VersionSpec;
}
/**
 * choco packages.
 */
export interface PackageMap5 {
  [k: string]: VersionSpec;
}
/**
 * winget packages.
 */
export interface PackageMap6 {
  [k: string]: VersionSpec;
}
/**
 * conda packages.
 */
export interface PackageMap7 {
  [k: string]: VersionSpec;
}
/**
 * gem packages.
 */
export interface PackageMap8 {
  [k: string]: VersionSpec;
}
/**
 * A file whose exact pins are imported: a `requirements.txt` (only `name==version` lines) or a `package.json` (exact versions of `dependencies`). Exactly one of the two keys.
 */
export interface Import {
  /**
   * Path of a requirements.txt in the fleet repository; its pins go to pip.
   */
  requirements?: string;
  /**
   * Path of a package.json in the fleet repository; its dependencies go to npm.
   */
  packageJson?: string;
}
/**
 * Fleet-wide settings. File: `fleet.yaml` at the repository root.
 */
export interface Fleet {
  apiVersion: ApiVersion;
  /**
   * The document kind.
   */
  kind: 'Fleet';
  /**
   * A resource name: lower-case letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit, at most 63 characters. The file must be named after it.
   */
  name: string;
  /**
   * Free text for humans.
   */
  description?: string;
  /**
   * The branch agents track (default `main`).
   */
  branch?: string;
  /**
   * A host whose heartbeat is older than this shows as offline (default `5m`).
   */
  staleAfter?: string;
  /**
   * Defaults for every host.
   */
  defaults?: {
    /**
     * How often agents check for a new revision (default `30s`).
     */
    interval?: string;
    /**
     * How often agents compare hosts with the desired state when nothing changed (default `5m`).
     */
    driftInterval?: string;
    policies?: NameList1;
  };
  /**
   * How a new revision moves through the fleet.
   */
  rollout?: {
    /**
     * Waves in order; a host in a wave applies a revision only after every earlier wave reports it healthy for that wave's soak time.
     *
     * @minItems 1
     */
    waves?: [
      {
        /**
         * A resource name: lower-case letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit, at most 63 characters. The file must be named after it.
         */
        name: string;
        /**
         * How long the wave must stay healthy before the next wave starts.
         */
        soak?: string;
      },
      ...{
        /**
         * A resource name: lower-case letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit, at most 63 characters. The file must be named after it.
         */
        name: string;
        /**
         * How long the wave must stay healthy before the next wave starts.
         */
        soak?: string;
      }[]
    ];
    /**
     * How many hosts of earlier waves may be offline without halting later waves (default 0).
     */
    maxUnavailable?: number;
  };
  /**
   * Where pull requests are opened: GitHub, or a plain git remote (a pushed branch that a human merges).
   */
  provider?: {
    /**
     * GitHub or GitHub Enterprise.
     */
    github?: {
      /**
       * The repository's owner.
       */
      owner: string;
      /**
       * The repository's name.
       */
      repo: string;
      /**
       * The API URL for GitHub Enterprise, e.g. `https://ghe.example.com/api/v3`.
       */
      baseUrl?: string;
    };
    /**
     * A plain git remote: proposals are pushed branches.
     */
    git?: {
      /**
       * The remote URL to push to (default: the URL the agent pulls from).
       */
      remote?: string;
    };
  };
  /**
   * Admin age recipients every secret is also encrypted to, so admins can read and rotate them.
   */
  recipients?: AgeRecipient[];
  /**
   * Folders sandbox paths must stay inside, per OS (the agent's state directory is always allowed). Defaults: linux `/opt/gitfleet`, `/var/lib/gitfleet`; macos `/usr/local/gitfleet`, `/opt/gitfleet`; windows `C:\gitfleet`, `C:\ProgramData\gitfleet`.
   */
  sandboxRoots?: {
    /**
     * Allowed roots on Linux.
     */
    linux?: Path[];
    /**
     * Allowed roots on Windows.
     */
    windows?: Path[];
    /**
     * Allowed roots on macOS.
     */
    macos?: Path[];
  };
}
/**
 * One machine of the fleet: what it is, which wave it is in, and which baselines, sandboxes and policies apply to it. File: `hosts/<name>.yaml`.
 */
export interface Host {
  apiVersion: ApiVersion;
  /**
   * The document kind.
   */
  kind: 'Host';
  /**
   * A resource name: lower-case letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit, at most 63 characters. The file must be named after it.
   */
  name: string;
  /**
   * Free text for humans.
   */
  description?: string;
  /**
   * An operating system family.
   */
  os: 'linux' | 'windows' | 'macos';
  /**
   * A CPU architecture.
   */
  arch: 'x64' | 'arm64';
  labels?: Labels1;
  /**
   * Capability labels the host is known to have (usually written by `gitfleet host register` from its facts), e.g. `gpu.cuda`, `mem.gb>=16`.
   */
  capabilities?: string[];
  /**
   * A resource name: lower-case letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit, at most 63 characters. The file must be named after it.
   */
  wave?: string;
  baselines?: NameList2;
  /**
   * Sandboxes on this host: sandbox name → template and overrides.
   */
  sandboxes?: {
    [k: string]: SandboxInstance;
  };
  policies?: NameList3;
  /**
   * An age X25519 public key (`age1...`, bech32).
   */
  recipient?: string;
  agent?: AgentSettings;
  /**
   * Host-level package versions that win over the baselines': target (`system` or `sandbox:<name>`) → packages. Drift proposals write here.
   */
  overrides?: {
    [k: string]: PackageSet1;
  };
}
/**
 * Labels that baselines' `appliesTo.labels` select on.
 */
export interface Labels1 {
  [k: string]: string;
}
/**
 * A sandbox made from a template, with optional overrides.
 */
export interface SandboxInstance {
  /**
   * A resource name: lower-case letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit, at most 63 characters. The file must be named after it.
   */
  template: string;
  /**
   * A file system path without whitespace at its ends, shell metacharacters, or a leading `-`.
   */
  path?: string;
  limits?: Limits;
  env?: EnvVars;
}
/**
 * Overrides the template's limits.
 */
export interface Limits {
  /**
   * CPU cores (fractions allowed).
   */
  cpus?: number;
  /**
   * Memory ceiling, e.g. `8Gi`.
   */
  memory?: string;
}
/**
 * Extra environment variables for the sandbox.
 */
export interface EnvVars {
  [k: string]: string;
}
/**
 * How this host's agent runs; overrides the fleet's defaults.
 */
export interface AgentSettings {
  /**
   * How often the agent checks the repository for a new revision.
   */
  interval?: string;
  /**
   * How often the agent compares the host with the desired state when the revision did not change.
   */
  driftInterval?: string;
}
/**
 * Packages per manager: manager → package name → version spec.
 */
export interface PackageSet1 {
  pip?: PackageMap;
  npm?: PackageMap1;
  apt?: PackageMap2;
  dnf?: PackageMap3;
  brew?: PackageMap4;
  choco?: PackageMap5;
  winget?: PackageMap6;
  conda?: PackageMap7;
  gem?: PackageMap8;
}
/**
 * Rules for when and how desired state is applied and updates are proposed. File: `policies/<name>.yaml`.
 */
export interface Policy {
  apiVersion: ApiVersion;
  /**
   * The document kind.
   */
  kind: 'Policy';
  /**
   * A resource name: lower-case letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit, at most 63 characters. The file must be named after it.
   */
  name: string;
  /**
   * Free text for humans.
   */
  description?: string;
  /**
   * What to do when the host differs from the desired state: `enforce` puts desired back, `propose` opens a PR adopting what the host has, `report` only reports.
   */
  drift?: 'enforce' | 'propose' | 'report';
  updates?: Updates;
  /**
   * The package managers allowed per OS; a manager not listed for a host's OS is refused.
   */
  managers?: {
    linux?: ManagerList1;
    windows?: ManagerList2;
    macos?: ManagerList3;
  };
  /**
   * Packages that must never be desired: `name` (any manager) or `manager:name`.
   */
  deny?: string[];
  /**
   * Ceilings that templates and hosts must stay under.
   */
  limits?: {
    sandbox?: Limits1;
  };
  /**
   * Windows in which applies may happen (observation always runs). Absent: any time.
   */
  maintenance?: Window[];
  /**
   * Checks run after every apply that changed something; a failure rolls back when `rollback` says so.
   */
  healthChecks?: HealthCheck[];
  /**
   * When to roll back to the previous versions: `onFailedHealth` (a failed batch or health check) or `never`.
   */
  rollback?: 'onFailedHealth' | 'never';
}
/**
 * Which newer versions are proposed as pull requests, and how.
 */
export interface Updates {
  /**
   * The update types that are proposed.
   */
  allow?: UpdateType[];
  /**
   * Propose pre-releases too.
   */
  prerelease?: boolean;
  /**
   * Propose a version only after it has been out this long.
   */
  minimumReleaseAge?: string;
  /**
   * Packages never proposed: names, `manager:name`, or globs with `*`.
   */
  ignore?: string[];
  /**
   * Groups of packages proposed together in one PR.
   */
  groups?: {
    /**
     * A resource name: lower-case letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit, at most 63 characters. The file must be named after it.
     */
    name: string;
    /**
     * Package names or globs with `*`.
     *
     * @minItems 1
     */
    match: [string, ...string[]];
    managers?: ManagerList;
  }[];
  /**
   * Cron expressions for when proposals are made. Absent: any time.
   */
  schedule?: Cron[];
  /**
   * At most this many update PRs open at once.
   */
  maxOpenPRs?: number;
  /**
   * At most this many update PRs created per hour.
   */
  maxPRsPerHour?: number;
  /**
   * Update types merged automatically once checks pass.
   */
  autoMerge?: UpdateType[];
}
/**
 * The largest limits a sandbox may ask for.
 */
export interface Limits1 {
  /**
   * CPU cores (fractions allowed).
   */
  cpus?: number;
  /**
   * Memory ceiling, e.g. `8Gi`.
   */
  memory?: string;
}
/**
 * A maintenance window: starts at each cron match and lasts `duration`.
 */
export interface Window {
  /**
   * A five-field cron expression (minute hour day-of-month month day-of-week).
   */
  cron: string;
  /**
   * How long it stays open.
   */
  duration: string;
  /**
   * IANA time zone of the cron expression, e.g. `Europe/Berlin`. Default UTC.
   */
  timezone?: string;
}
/**
 * A health check: a command run in a target, or an HTTP GET. Exactly one of `command` and `http`.
 */
export interface HealthCheck {
  /**
   * A resource name: lower-case letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit, at most 63 characters. The file must be named after it.
   */
  name: string;
  /**
   * The command as an argument array (no shell); it passes when it exits 0.
   *
   * @minItems 1
   */
  command?: [string, ...string[]];
  /**
   * Where the command runs: `system` or `sandbox:<name>` (a venv's or node prefix's bin folder first on PATH; inside a docker container or WSL distribution, through docker exec or wsl.exe, where a `python` program runs as `python3`).
   */
  target?: string;
  /**
   * An HTTP GET that passes when the status matches.
   */
  http?: {
    /**
     * The URL to get.
     */
    url: string;
    /**
     * The expected HTTP status (default 200).
     */
    expectStatus?: number;
  };
  /**
   * How long the check may take (default 30s).
   */
  timeout?: string;
}
/**
 * How to make an isolated place for packages (a venv, a node prefix, a conda env, a docker container, a WSL distribution), per OS. File: `sandboxes/<name>.yaml`.
 */
export interface SandboxTemplate {
  apiVersion: ApiVersion;
  /**
   * The document kind.
   */
  kind: 'SandboxTemplate';
  /**
   * A resource name: lower-case letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit, at most 63 characters. The file must be named after it.
   */
  name: string;
  /**
   * Free text for humans.
   */
  description?: string;
  /**
   * The kind of sandbox per OS; a host whose OS is missing here cannot use the template.
   */
  type: {
    /**
     * The sandbox type on Linux.
     */
    linux?: 'venv' | 'conda' | 'docker' | 'wsl' | 'node';
    /**
     * The sandbox type on Windows.
     */
    windows?: 'venv' | 'conda' | 'docker' | 'wsl' | 'node';
    /**
     * The sandbox type on macOS.
     */
    macos?: 'venv' | 'conda' | 'docker' | 'wsl' | 'node';
  };
  /**
   * The Python version for venv and conda sandboxes, e.g. "3.11".
   */
  python?: string;
  /**
   * The Node.js version for node sandboxes, e.g. "20".
   */
  node?: string;
  /**
   * The container image for docker sandboxes, e.g. `python:3.11-slim`.
   */
  image?: string;
  /**
   * The WSL distribution for wsl sandboxes, e.g. `Ubuntu-22.04`.
   */
  distribution?: string;
  path: PerOsPath;
  limits?: Limits2;
  env?: EnvVars1;
  /**
   * Host secrets written into the sandbox's environment file, by key.
   */
  secrets?: SecretKey[];
}
/**
 * Where the sandbox lives, per OS; `{name}` is the sandbox's name, `{state}` the agent's state directory.
 */
export interface PerOsPath {
  /**
   * A file system path without whitespace at its ends, shell metacharacters, or a leading `-`.
   */
  linux?: string;
  /**
   * A file system path without whitespace at its ends, shell metacharacters, or a leading `-`.
   */
  windows?: string;
  /**
   * A file system path without whitespace at its ends, shell metacharacters, or a leading `-`.
   */
  macos?: string;
}
/**
 * Resource limits; enforced where the platform can (docker), recorded otherwise.
 */
export interface Limits2 {
  /**
   * CPU cores (fractions allowed).
   */
  cpus?: number;
  /**
   * Memory ceiling, e.g. `8Gi`.
   */
  memory?: string;
}
/**
 * Environment variables set in the sandbox.
 */
export interface EnvVars1 {
  [k: string]: string;
}
/**
 * A host's secrets, each value encrypted with age to the host's recipient (and the fleet's admin recipients). File: `secrets/<host>.yaml`.
 */
export interface Secrets {
  apiVersion: ApiVersion;
  /**
   * The document kind.
   */
  kind: 'Secrets';
  /**
   * A resource name: lower-case letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit, at most 63 characters. The file must be named after it.
   */
  name: string;
  /**
   * Secret key → encrypted value and metadata.
   */
  secrets: {
    [k: string]: Secret;
  };
}
/**
 * One secret.
 */
export interface Secret {
  /**
   * The value, age-encrypted and armored (`-----BEGIN AGE ENCRYPTED FILE-----`). Never clear text.
   */
  value: string;
  /**
   * When the secret was first set (RFC 3339).
   */
  created?: string;
  /**
   * When the value last changed (RFC 3339).
   */
  rotated?: string;
  /**
   * Who set it last.
   */
  by?: string;
}
