import type { FleetSource, SourceEntry } from '../fleet/source.js';
import { loadFleet } from '../fleet/load.js';
import { validateFleet, type ValidationResult } from '../fleet/validate.js';

/** A source that reads each file of `base` once and keeps its bytes: a fleet is validated several times per run. */
export function cachedSource(base: FleetSource): FleetSource {
  let listing: Promise<SourceEntry[]> | undefined;
  const bytes = new Map<string, Promise<Uint8Array>>();
  return {
    describe: base.describe,
    ...(base.revision === undefined ? {} : { revision: base.revision }),
    list: () => (listing ??= base.list()),
    read(path) {
      let hit = bytes.get(path);
      if (!hit) {
        hit = base.read(path);
        bytes.set(path, hit);
      }
      return hit;
    },
  };
}

/** `base` with some files replaced (text) or deleted (null), in memory. */
export function overlaySource(base: FleetSource, files: Readonly<Record<string, string | null>>): FleetSource {
  const enc = new TextEncoder();
  return {
    describe: `${base.describe} (with proposed changes)`,
    async list() {
      const entries = (await base.list()).filter((e) => !(e.path in files));
      for (const [path, text] of Object.entries(files)) if (text !== null) entries.push({ path, kind: 'file', size: enc.encode(text).byteLength });
      return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
    async read(path) {
      const text = files[path];
      if (text !== undefined && text !== null) return enc.encode(text);
      return base.read(path);
    },
  };
}

/** Loads and validates the fleet as it would be with `files` changed: both layers, as CI and hosts do. */
export async function validateWith(base: FleetSource, files: Readonly<Record<string, string | null>>): Promise<ValidationResult> {
  return validateFleet(await loadFleet(overlaySource(base, files)));
}
