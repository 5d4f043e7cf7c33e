import { GitfleetError } from '../../util/errors.js';
import { renderLaunchdPlist } from './launchd.js';
import { renderSystemdUnit } from './systemd.js';
import type { ServiceFile, ServiceOptions, ServicePlatform } from './types.js';
import { renderWinswXml } from './windows.js';

export type { ServiceFile, ServiceOptions, ServicePlatform } from './types.js';
export { SERVICE_PLATFORMS } from './types.js';
export { agentArgv, validateServiceOptions } from './args.js';
export { renderSystemdUnit, SYSTEMD_UNIT } from './systemd.js';
export { quoteSystemdWord, systemdCommandLine } from './systemd-quote.js';
export { renderLaunchdPlist, LAUNCHD_LABEL, LAUNCHD_PLIST, LAUNCHD_LOG_DIR } from './launchd.js';
export { renderWinswXml, quoteWindowsArg, windowsCommandLine, WINSW_ID, WINSW_XML } from './windows.js';

const RENDERERS: Record<ServicePlatform, (o: ServiceOptions) => ServiceFile> = {
  systemd: renderSystemdUnit,
  launchd: renderLaunchdPlist,
  windows: renderWinswXml,
};

/** Renders the service definition of `platform`. */
export function renderService(platform: ServicePlatform, o: ServiceOptions): ServiceFile {
  return RENDERERS[platform](o);
}

/** The service manager of a Node platform, or undefined where gitfleet has none. */
export function platformOf(nodePlatform: NodeJS.Platform): ServicePlatform | undefined {
  if (nodePlatform === 'linux') return 'systemd';
  if (nodePlatform === 'darwin') return 'launchd';
  if (nodePlatform === 'win32') return 'windows';
  return undefined;
}

/** The default state directory of a platform (DESIGN.md §9), for definitions rendered for another host too. */
export function defaultStateDir(platform: ServicePlatform): string {
  if (platform === 'windows') return 'C:\\ProgramData\\gitfleet';
  if (platform === 'launchd') return '/Library/Application Support/gitfleet';
  return '/var/lib/gitfleet';
}

/** Parses a `--platform` value. */
export function parsePlatform(value: string): ServicePlatform {
  if (value === 'systemd' || value === 'launchd' || value === 'windows') return value;
  throw new GitfleetError('E_USAGE', `--platform must be systemd, launchd or windows, got "${value}"`);
}
