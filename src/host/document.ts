import { deriveCapabilities } from './capabilities.js';
import type { HostFacts } from './types.js';

/** `gitfleet facts --json`: the facts plus the capability labels derived from them (docs/facts.md). */
export interface FactsDocument extends HostFacts {
  capabilities: string[];
}

/** The facts as published, keys in a fixed order so that output diffs cleanly. */
export function factsDocument(f: HostFacts): FactsDocument {
  return {
    schemaVersion: f.schemaVersion,
    collectedAt: f.collectedAt,
    hostname: f.hostname,
    arch: f.arch,
    os: f.os,
    cpu: f.cpu,
    memory: f.memory,
    disks: f.disks,
    gpus: f.gpus,
    runtimes: f.runtimes,
    capabilities: deriveCapabilities(f),
    probes: f.probes,
  };
}
