// Typed events (DESIGN.md §6). Payloads carry names, versions and counts — never secret values.

/** Every event topic gitfleet emits. */
export type Topic =
  | 'infrastructure.host.registered'
  | 'infrastructure.host.status_changed'
  | 'infrastructure.health.summary'
  | 'infrastructure.dependency.drift'
  | 'infrastructure.update.proposed'
  | 'infrastructure.update.completed'
  | 'infrastructure.update.failed'
  | 'infrastructure.update.rolled_back'
  | 'infrastructure.sandbox.created'
  | 'infrastructure.config.invalid'
  | 'infrastructure.secret.proposed'
  | 'infrastructure.secret.created'
  | 'infrastructure.secret.rotated';

/** All topics, in the order DESIGN.md lists them. */
export const TOPICS = [
  'infrastructure.host.registered',
  'infrastructure.host.status_changed',
  'infrastructure.health.summary',
  'infrastructure.dependency.drift',
  'infrastructure.update.proposed',
  'infrastructure.update.completed',
  'infrastructure.update.failed',
  'infrastructure.update.rolled_back',
  'infrastructure.sandbox.created',
  'infrastructure.config.invalid',
  'infrastructure.secret.proposed',
  'infrastructure.secret.created',
  'infrastructure.secret.rotated',
] as const satisfies readonly Topic[];

export interface HostRegisteredPayload {
  name: string;
  os: string;
  arch: string;
}

export interface HostStatusChangedPayload {
  from: string;
  to: string;
  reason?: string;
}

export interface HealthCheckResult {
  name: string;
  ok: boolean;
  ms: number;
  detail?: string;
}

export interface HealthSummaryPayload {
  checks: HealthCheckResult[];
}

export interface DependencyDriftPayload {
  target: string;
  manager: string;
  name: string;
  desired: string;
  /** The version on the host; `missing` when it is gone. */
  actual: string;
  /** A package removed by hand (`actual: missing`): the version last seen in place, when the plan knows it. */
  lastSeen?: string;
  mode: 'enforce' | 'propose' | 'report';
}

export interface UpdateProposedPayload {
  branch: string;
  title: string;
  url?: string;
  packages: number;
}

export interface ChangedPackage {
  target: string;
  manager: string;
  name: string;
  from?: string;
  to?: string;
}

export interface UpdateCompletedPayload {
  actions: number;
  changed: ChangedPackage[];
  durationMs: number;
}

export interface UpdateFailedPayload {
  stage: string;
  code: string;
  message: string;
  batch?: number;
  /** `rollback: never`: the packages really changed before the failure (re-read from the targets). */
  changed?: ChangedPackage[];
  /** Touched targets that could not be read back after the failure. */
  unobserved?: string[];
}

export interface UpdateRolledBackPayload {
  reason: string;
  restored: number;
  ok: boolean;
}

export interface SandboxCreatedPayload {
  name: string;
  type: string;
  path: string;
}

export interface ConfigDiagnostic {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
}

export interface ConfigInvalidPayload {
  revision: string;
  diagnostics: ConfigDiagnostic[];
}

/**
 * A new value for a secret is in the desired state but not yet in effect on the host: `secret set` wrote it
 * into a work tree (`branch` absent: the admin commits it) or `secret rotate` opened a pull request. Key only.
 */
export interface SecretProposedPayload {
  key: string;
  /** `create`: the host has no such key yet; `rotate`: it replaces the key's current value. */
  change: 'create' | 'rotate';
  branch?: string;
  url?: string;
}

/** The host materialized a key it did not have: its first value is in effect. Key only, never the value. */
export interface SecretCreatedPayload {
  key: string;
}

/** The host materialized a changed value for a key it had: the rotation is in effect. Key only, never the value. */
export interface SecretRotatedPayload {
  key: string;
}

/** The payload type of each topic. */
export interface EventPayloads {
  'infrastructure.host.registered': HostRegisteredPayload;
  'infrastructure.host.status_changed': HostStatusChangedPayload;
  'infrastructure.health.summary': HealthSummaryPayload;
  'infrastructure.dependency.drift': DependencyDriftPayload;
  'infrastructure.update.proposed': UpdateProposedPayload;
  'infrastructure.update.completed': UpdateCompletedPayload;
  'infrastructure.update.failed': UpdateFailedPayload;
  'infrastructure.update.rolled_back': UpdateRolledBackPayload;
  'infrastructure.sandbox.created': SandboxCreatedPayload;
  'infrastructure.config.invalid': ConfigInvalidPayload;
  'infrastructure.secret.proposed': SecretProposedPayload;
  'infrastructure.secret.created': SecretCreatedPayload;
  'infrastructure.secret.rotated': SecretRotatedPayload;
}

/** One event as every sink receives it. */
export interface GitfleetEvent<T extends Topic = Topic> {
  /** A UUID; webhooks send it as X-Gitfleet-Delivery so receivers can deduplicate. */
  id: string;
  topic: T;
  host: string;
  /** The fleet revision being worked on, or null outside a run. */
  revision: string | null;
  /** ISO 8601. */
  time: string;
  payload: EventPayloads[T];
}

/** Any event, discriminated by topic. */
export type AnyEvent = { [T in Topic]: GitfleetEvent<T> }[Topic];

/**
 * Where events go. `write` must return quickly: it may start asynchronous work and
 * return its promise (the bus tracks it for `flush`), but must never wait on the network.
 */
export interface EventSink {
  readonly name: string;
  write(event: AnyEvent): void | Promise<void>;
  /** Waits until everything written so far is delivered or given up on. */
  flush?(): Promise<void>;
  /** Stops the sink; pending work that has not finished may be abandoned. */
  close?(): Promise<void>;
}
