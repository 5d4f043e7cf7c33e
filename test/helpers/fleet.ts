import type { FleetSource, SourceEntry } from '../../src/fleet/source.js';
import { loadFleet } from '../../src/fleet/load.js';
import { validateFleet, type ValidationResult } from '../../src/fleet/validate.js';
import { GitfleetError } from '../../src/util/errors.js';

/** A fleet held in memory: path → text. */
export function memorySource(files: Record<string, string>): FleetSource {
  const enc = new TextEncoder();
  return {
    describe: 'memory',
    async list(): Promise<SourceEntry[]> {
      return Object.keys(files).sort().map((path) => ({ path, kind: 'file', size: enc.encode(files[path]!).length }));
    },
    async read(path: string) {
      if (!(path in files)) throw new GitfleetError('E_NOT_FOUND', `${path} not found`);
      return enc.encode(files[path]!);
    },
  };
}

/** Loads and validates an in-memory fleet. */
export async function validateMemory(files: Record<string, string>): Promise<ValidationResult> {
  return validateFleet(await loadFleet(memorySource(files)));
}

/** A minimal valid fleet to build cases on; override or add files by path. */
export function smallFleet(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nrollout: {waves: [{name: canary}, {name: broad}]}\n',
    'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nbaselines: [b1]\nsandboxes: {py: {template: venv}}\n',
    'baselines/b1.yaml': 'apiVersion: gitfleet/v1\nkind: Baseline\nname: b1\ntarget: sandbox:py\npackages:\n  pip:\n    alpha: "1.0.0"\n    beta: "2.0.0"\n',
    'sandboxes/venv.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: venv\ntype: {linux: venv}\npath: {linux: "{state}/sandboxes/{name}"}\n',
    ...extra,
  };
}
