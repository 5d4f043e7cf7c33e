import { pino, type Logger } from 'pino';

/** Paths whose values are never logged, wherever they appear. */
export const REDACT_PATHS = ['*.token', '*.password', '*.secret', '*.value', '*.identity', 'token', 'password', 'secret', 'value', 'identity', 'headers.authorization'];

/** The one logger, made in the CLI and passed down: JSON lines to stderr. */
export function makeLogger(opts: { stream: NodeJS.WritableStream; env: NodeJS.ProcessEnv; level?: string }): Logger {
  const level = opts.level ?? opts.env.GITFLEET_LOG_LEVEL ?? 'warn';
  return pino({ level, base: undefined, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, opts.stream as pino.DestinationStream);
}
