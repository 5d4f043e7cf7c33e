import { GitfleetError } from '../util/errors.js';

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/;
const FACTOR: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
const DOCKER_SUFFIX: Record<string, string> = { Ki: 'k', Mi: 'm', Gi: 'g' };
/** docker refuses a memory limit below 6 MiB. */
const DOCKER_MIN_MEMORY = 6 * 2 ** 20;

/** A memory quantity (`8Gi`, `512Mi`, `1.5Gi`, `2G`, `1048576`) as docker's `--memory` value: `8g`, `512m`, or bytes. */
export function dockerMemory(quantity: string): string {
  const m = QUANTITY.exec(quantity);
  if (!m) throw new GitfleetError('E_VALIDATION', `memory ${JSON.stringify(quantity)} is not a quantity like 8Gi, 512Mi or 2G`);
  const [, num = '', unit = ''] = m;
  const bytes = Math.floor(Number(num) * (FACTOR[unit] ?? 1));
  if (bytes < DOCKER_MIN_MEMORY) throw new GitfleetError('E_VALIDATION', `memory ${quantity} is below docker's minimum of 6Mi`);
  const suffix = DOCKER_SUFFIX[unit];
  // docker's k/m/g are binary, like Ki/Mi/Gi; everything else (decimal units, fractions, Ti) goes over as exact bytes
  if (suffix && /^[0-9]+$/.test(num)) return `${Number(num)}${suffix}`;
  return String(bytes);
}

/** CPU cores as docker's `--cpus` value. */
export function dockerCpus(cpus: number): string {
  if (!Number.isFinite(cpus) || cpus <= 0) throw new GitfleetError('E_VALIDATION', `cpus ${cpus} must be a positive number`);
  return String(cpus);
}
