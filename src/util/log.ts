import { pino, type Logger } from 'pino';

/** Paths whose values are never logged, wherever they appear. */
export const REDACT_PATHS = ['*.token', '*.password', '*.secret', '*.value', '*.identity', 'token', 'password', 'secret', 'value', 'identity', 'headers.authorization'];

/** `json`: one JSON object a line (services, pipes); `text`: a short line for a person at a terminal. */
export type LogFormat = 'json' | 'text';

/** Options of `makeLogger`; `format` and `isTTY` override what the environment and the stream say. */
export interface LoggerOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  level?: string;
  format?: LogFormat;
  isTTY?: boolean;
}

/**
 * The one logger, made in the CLI and passed down, to stderr: JSON lines unless the stream is a
 * terminal; `GITFLEET_LOG_FORMAT=json|text` (or `format`) decides instead when set.
 */
export function makeLogger(opts: LoggerOptions): Logger {
  const level = opts.level ?? opts.env.GITFLEET_LOG_LEVEL ?? 'warn';
  const isTTY = opts.isTTY ?? opts.stream.isTTY === true;
  const { format, invalid } = opts.format ? { format: opts.format, invalid: undefined } : logFormat(opts.env, isTTY);
  // Redaction happens inside pino before a line is written, so the text path sees censored values too.
  const dest = format === 'text' ? textStream(opts.stream, { color: isTTY && !opts.env.NO_COLOR }) : (opts.stream as pino.DestinationStream);
  const log = pino({ level, base: undefined, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, dest);
  if (invalid !== undefined) log.warn({ GITFLEET_LOG_FORMAT: invalid, using: format }, 'GITFLEET_LOG_FORMAT is neither json nor text; ignored');
  return log;
}

/** The log format: `GITFLEET_LOG_FORMAT` when it is `json` or `text`, else text on a terminal and JSON otherwise. */
export function logFormat(env: NodeJS.ProcessEnv, isTTY: boolean): { format: LogFormat; invalid?: string } {
  const asked = env.GITFLEET_LOG_FORMAT?.trim().toLowerCase();
  const auto: LogFormat = isTTY ? 'text' : 'json';
  if (!asked || asked === 'auto') return { format: auto };
  if (asked === 'json' || asked === 'text') return { format: asked };
  return { format: auto, invalid: env.GITFLEET_LOG_FORMAT };
}

/** A pino destination that turns each JSON line pino writes into a `formatLine` line. */
function textStream(out: NodeJS.WritableStream, opts: { color: boolean }): pino.DestinationStream {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      out.write(formatLine(entry, opts) + '\n');
    },
  };
}

const LEVEL_COLOR: Record<string, string> = { trace: '90', debug: '90', info: '36', warn: '33', error: '31', fatal: '35' };

/** One human-readable line for a pino entry: `HH:MM:SS.mmm LEVEL message key=value ...` (local time). */
export function formatLine(entry: Record<string, unknown>, opts: { color?: boolean } = {}): string {
  const { time, level, msg, ...fields } = entry;
  const label = typeof level === 'number' ? (pino.levels.labels[level] ?? String(level)) : String(level ?? 'log');
  const padded = label.toUpperCase().padEnd(5);
  const parts = [
    typeof time === 'number' ? clock(new Date(time)) : undefined,
    opts.color && LEVEL_COLOR[label] ? `\u001b[${LEVEL_COLOR[label]}m${padded}\u001b[39m` : padded,
    msg === undefined ? undefined : escapeControls(String(msg)),
    ...Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `${escapeControls(k)}=${fieldValue(k, v)}`),
  ];
  return parts.filter((p) => p !== undefined && p !== '').join(' ');
}

function clock(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function fieldValue(key: string, v: unknown): string {
  // pino serializes an error under `err` as {type, message, stack}: its message is what a person needs here.
  if (key === 'err' && typeof v === 'object' && v !== null && typeof (v as { message?: unknown }).message === 'string') return quote((v as { message: string }).message);
  if (typeof v === 'string') return quote(v);
  return escapeControls(JSON.stringify(v) ?? String(v));
}

/** A bare word when that is unambiguous, else a JSON string (which also escapes newlines and terminal controls). */
function quote(s: string): string {
  return /^[^\s"=\\\u0000-\u001f\u007f-\u009f]+$/.test(s) ? s : escapeControls(JSON.stringify(s));
}

/** Log text must not move the cursor or recolour the terminal: control characters are shown escaped. */
function escapeControls(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
