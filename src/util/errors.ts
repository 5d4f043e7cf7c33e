/** Stable error codes. Callers branch on these, never on message text. */
export type ErrorCode =
  | 'E_USAGE'
  | 'E_VALIDATION'
  | 'E_COMMAND_FAILED'
  | 'E_COMMAND_TIMEOUT'
  | 'E_COMMAND_NOT_FOUND'
  | 'E_IO'
  | 'E_PARSE'
  | 'E_UNSUPPORTED'
  | 'E_NOT_FOUND'
  | 'E_LOCKED'
  | 'E_GIT'
  | 'E_PROVIDER'
  | 'E_INTERNAL';

export interface GitfleetErrorOptions {
  retryable?: boolean;
  cause?: unknown;
}

/** The base of every error gitfleet raises on purpose. */
export class GitfleetError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: GitfleetErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GitfleetError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** A problem at a place in a file: what is wrong and what would be right. */
export interface Diagnostic {
  /** Stable code, e.g. `schema.required` or `ref.baseline`. */
  code: string;
  file: string;
  line: number;
  column: number;
  message: string;
  /** What would be right, when it can be said. */
  hint?: string;
}

/** Raised when input is invalid; carries every diagnostic found. */
export class ValidationError extends GitfleetError {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[], options: GitfleetErrorOptions = {}) {
    super('E_VALIDATION', formatDiagnostics(diagnostics), options);
    this.name = 'ValidationError';
    this.diagnostics = diagnostics;
  }
}

/** A forge (GitHub) refused or failed a request: the HTTP status and the forge's request id, for support. */
export class ProviderError extends GitfleetError {
  readonly status: number | undefined;
  readonly requestId: string | undefined;

  constructor(message: string, options: GitfleetErrorOptions & { status?: number; requestId?: string; code?: ErrorCode } = {}) {
    super(options.code ?? 'E_PROVIDER', message, options);
    this.name = 'ProviderError';
    this.status = options.status;
    this.requestId = options.requestId;
  }
}

/** `file:line:column code: message (hint)`, one per line. */
export function formatDiagnostic(d: Diagnostic): string {
  const hint = d.hint ? ` — ${d.hint}` : '';
  return `${d.file}:${d.line}:${d.column} ${d.code}: ${d.message}${hint}`;
}

/** All diagnostics, one per line. */
export function formatDiagnostics(ds: Diagnostic[]): string {
  return ds.map(formatDiagnostic).join('\n');
}

/** A short message for anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
