import type { Logger } from 'pino';
import type { AnyEvent, EventSink, Topic } from '../types.js';

export type EventLogLevel = 'info' | 'warn' | 'error';

// Topics that report something going wrong: an operator reading warn-level logs must see them.
const WARN_TOPICS: ReadonlySet<Topic> = new Set<Topic>([
  'infrastructure.update.failed',
  'infrastructure.update.rolled_back',
  'infrastructure.config.invalid',
  'infrastructure.dependency.drift',
]);

/** The log level of an event: failures warn, a rollback that itself failed or a failing health check too. */
export function eventLevel(event: AnyEvent): EventLogLevel {
  if (event.topic === 'infrastructure.update.rolled_back' && !event.payload.ok) return 'error';
  if (event.topic === 'infrastructure.health.summary') return event.payload.checks.every((c) => c.ok) ? 'info' : 'warn';
  return WARN_TOPICS.has(event.topic) ? 'warn' : 'info';
}

/** A sink that writes each event to the structured log: `log.<level>({ event }, topic)`. */
export function logSink(log: Logger): EventSink {
  return {
    name: 'log',
    write(event) {
      log[eventLevel(event)]({ event }, event.topic);
    },
  };
}
