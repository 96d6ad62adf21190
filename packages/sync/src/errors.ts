/**
 * The one error class of sync, on both ends: the server answers with its `code` and message,
 * and the client rebuilds the same class from them.
 */

/** Stable codes of {@link SyncError}. */
export type SyncErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'BAD_REQUEST'
  | 'UNSUPPORTED_VERSION'
  | 'METHOD_NOT_ALLOWED'
  | 'INTERNAL'
  | 'HTTP'
  | 'NETWORK';

const STATUS: Record<SyncErrorCode, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  BAD_REQUEST: 400,
  UNSUPPORTED_VERSION: 400,
  METHOD_NOT_ALLOWED: 405,
  INTERNAL: 500,
  HTTP: 500,
  NETWORK: 0,
};

const CODES = new Set<string>(Object.keys(STATUS));

/** Whether `code` is one of {@link SyncErrorCode}. */
export function isSyncErrorCode(code: string): code is SyncErrorCode {
  return CODES.has(code);
}

/**
 * A sync failure with a stable `code`: `UNAUTHORIZED` (401) and `FORBIDDEN` (403) from
 * `authorize`, `BAD_REQUEST` and `UNSUPPORTED_VERSION` (400) for a malformed message,
 * `METHOD_NOT_ALLOWED` (405), `INTERNAL` (500), `HTTP` for any other status, `NETWORK` when no
 * answer came. `status` is the HTTP status (0 for `NETWORK`).
 *
 * `authorize` may reject with `new SyncError('UNAUTHORIZED', …)` to answer 401; any other
 * rejection answers 403.
 */
export class SyncError extends Error {
  readonly code: SyncErrorCode;
  readonly status: number;

  constructor(code: SyncErrorCode, message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SyncError';
    this.code = code;
    this.status = status ?? STATUS[code];
  }
}
