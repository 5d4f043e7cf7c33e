import type { LoadedDocument } from './load.js';
import type { Baseline, Fleet, Host, Policy, SandboxTemplate, Secrets } from './model.generated.js';
import type { ImportedPins } from './imports.js';

export type * from './model.generated.js';

/** A document's typed value with the loaded document it came from (for positions). */
export interface Entry<T> {
  value: T;
  doc: LoadedDocument;
}

/** A schema-valid fleet: every document by kind and name, and the imported pins by path. */
export interface FleetModel {
  describe: string;
  revision?: string;
  fleet?: Entry<Fleet>;
  hosts: Map<string, Entry<Host>>;
  baselines: Map<string, Entry<Baseline>>;
  templates: Map<string, Entry<SandboxTemplate>>;
  policies: Map<string, Entry<Policy>>;
  secrets: Map<string, Entry<Secrets>>;
  imports: Map<string, ImportedPins>;
}

/** An empty model. */
export function emptyModel(describe: string, revision?: string): FleetModel {
  return { describe, revision, hosts: new Map(), baselines: new Map(), templates: new Map(), policies: new Map(), secrets: new Map(), imports: new Map() };
}
