import * as nodeOs from 'node:os';
import { execRunner, type Runner } from '../util/exec.js';
import { runProbe, type FactsProbes, type ProbeOutcome } from './probe.js';
import { systemProbes } from './system.js';
import { UNKNOWN, type Arch, type HostFacts, type Platform, type Unknown } from './types.js';

/** What Node knows without any I/O; these facts are never unknown. */
export interface HostIdentity {
  platform: NodeJS.Platform;
  arch: string;
  hostname: string;
  kernel: string;
}

export interface FactsDeps {
  runner?: Runner;
  env?: NodeJS.ProcessEnv;
  /** Replaces any of the real probes (tests: a slow one, a failing one). */
  probes?: Partial<FactsProbes>;
  /** Each probe's own limit; they run in parallel, so this is also the whole budget. */
  timeoutMs?: number;
  identity?: Partial<HostIdentity>;
  now?: () => Date;
}

/**
 * 1.2 s per probe, all in parallel: with Node's start-up a cold `gitfleet facts` stays under
 * 1.5 s even when a probe has to be abandoned.
 */
export const DEFAULT_FACTS_TIMEOUT_MS = 1200;

/** Gathers the host's facts; a slow or failing probe gives `unknown` and a note in `probes`, never a hang or a throw. */
export async function collectFacts(deps: FactsDeps = {}): Promise<HostFacts> {
  const id: HostIdentity = {
    platform: process.platform, arch: process.arch, hostname: nodeOs.hostname(), kernel: nodeOs.release(), ...deps.identity,
  };
  const timeoutMs = deps.timeoutMs ?? DEFAULT_FACTS_TIMEOUT_MS;
  const probes: FactsProbes = {
    ...systemProbes({ runner: deps.runner ?? execRunner, env: deps.env ?? process.env, platform: id.platform }),
    ...deps.probes,
  };
  const [os, cpu, memory, disks, gpus, runtimes] = await Promise.all([
    runProbe('os', probes.os, timeoutMs),
    runProbe('cpu', probes.cpu, timeoutMs),
    runProbe('memory', probes.memory, timeoutMs),
    runProbe('disks', probes.disks, timeoutMs),
    runProbe('gpus', probes.gpus, timeoutMs),
    runProbe('runtimes', probes.runtimes, timeoutMs),
  ]);
  const osv = orUnknownFields(os, ['distro', 'release'] as const);
  return {
    schemaVersion: 1,
    collectedAt: (deps.now?.() ?? new Date()).toISOString(),
    hostname: id.hostname,
    arch: normalizeArch(id.arch),
    os: { platform: normalizePlatform(id.platform), distro: osv.distro, release: osv.release, kernel: id.kernel },
    cpu: orUnknownFields(cpu, ['model', 'cores', 'physicalCores', 'speedGHz'] as const),
    memory: orUnknownFields(memory, ['totalBytes'] as const),
    disks: disks.value,
    gpus: gpus.value,
    runtimes: runtimes.value,
    probes: [os, cpu, memory, disks, gpus, runtimes].map((o) => o.report),
  };
}

/** Node's platform name to gitfleet's: win32 → windows, darwin → macos; others pass through. */
export function normalizePlatform(p: string): Platform {
  if (p === 'win32') return 'windows';
  if (p === 'darwin') return 'macos';
  return p;
}

/** Architecture names from Node, uname or Windows to `x64 | arm64`; others pass through lower-cased. */
export function normalizeArch(a: string): Arch {
  const v = a.toLowerCase();
  if (v === 'x64' || v === 'x86_64' || v === 'amd64') return 'x64';
  if (v === 'arm64' || v === 'aarch64') return 'arm64';
  return v;
}

// Only the documented keys, each `unknown` when the probe gave up or left it out, so the JSON keeps its shape.
function orUnknownFields<T extends object, K extends keyof T>(o: ProbeOutcome<T>, keys: readonly K[]): { [P in K]: T[P] | Unknown } {
  const value = o.value;
  return Object.fromEntries(keys.map((k) => [k, value === UNKNOWN ? UNKNOWN : value[k] ?? UNKNOWN])) as { [P in K]: T[P] | Unknown };
}
