/** The service managers gitfleet writes definitions for. */
export type ServicePlatform = 'systemd' | 'launchd' | 'windows';

/** Every platform, in the order help lists them. */
export const SERVICE_PLATFORMS: readonly ServicePlatform[] = ['systemd', 'launchd', 'windows'];

/** What a service definition starts: `execPath cliPath agent --repo … --host … [--branch …] [--interval …] --state-dir … extraArgs…`. */
export interface ServiceOptions {
  /** Absolute path of the node binary. */
  execPath: string;
  /** Absolute path of the gitfleet bin script (bin/gitfleet.js). */
  cliPath: string;
  repo: string;
  host: string;
  branch?: string;
  interval?: string;
  driftInterval?: string;
  stateDir: string;
  /** Account the agent runs as; the platform's default (root, LocalSystem) when absent. */
  user?: string;
  /** Passed to `gitfleet agent` after the generated flags. */
  extraArgs?: string[];
}

/** A rendered service definition: its conventional file name and its text. */
export interface ServiceFile {
  platform: ServicePlatform;
  fileName: string;
  content: string;
}
