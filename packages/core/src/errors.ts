/**
 * Every error the store produces is a {@link StoreError} with a stable `code`, so callers can
 * branch on `error.code` (or `instanceof`) rather than on message text.
 *
 * Messages name the operation and, where there is one, the full stored group and key:
 * `store.get: config/theme: not found`.
 */

/** Stable machine-readable codes carried by {@link StoreError.code}. */
export type StoreErrorCode =
  | 'NOT_FOUND'
  | 'QUOTA_EXCEEDED'
  | 'CLOSED'
  | 'TEMPLATE'
  | 'INVALID_ARGUMENT'
  | 'DRIVER'
  | 'LOCKED'
  | 'NOT_A_DATABASE';

/** Base class of every error the store rejects or throws with. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The key is absent or has expired. */
export class NotFoundError extends StoreError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** A scoped write would exceed the namespace's `maxKeys` or `maxGroups`; nothing was written. */
export class QuotaExceededError extends StoreError {
  /** The namespace whose quota refused the write. */
  readonly namespace: string;
  /** Which limit was hit. */
  readonly limit: 'maxKeys' | 'maxGroups';
  /** That limit's value. */
  readonly max: number;

  constructor(message: string, details: { namespace: string; limit: 'maxKeys' | 'maxGroups'; max: number }) {
    super('QUOTA_EXCEEDED', message);
    this.namespace = details.namespace;
    this.limit = details.limit;
    this.max = details.max;
  }
}

/** The store (or the transaction the call was made on) has been closed. */
export class ClosedError extends StoreError {
  constructor(message: string) {
    super('CLOSED', message);
  }
}

/** A template failed to parse (`phase: 'parse'`) or to execute (`phase: 'exec'`). */
export class TemplateError extends StoreError {
  readonly phase: 'parse' | 'exec';

  constructor(phase: 'parse' | 'exec', message: string) {
    super('TEMPLATE', message);
    this.phase = phase;
  }
}

/** A non-string or ill-formed group, key or value, a bad TTL, namespace, quota or option. */
export class InvalidArgumentError extends StoreError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** The SQLite engine failed; the engine's own error is the `cause`. */
export class DriverError extends StoreError {
  /**
   * Whether trying the same call again may succeed: the failure came from the way to the
   * database (a browser tab that owned it went away), not from the call. Nothing was written.
   */
  readonly retryable: boolean;

  constructor(message: string, cause: unknown, options?: { retryable?: boolean }) {
    super('DRIVER', message, { cause });
    this.retryable = options?.retryable === true;
  }
}

/** The database is owned by another process, store or tab. */
export class LockedError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOCKED', message, options);
  }
}

/** The file is not an SQLite database, or is corrupt. It has not been modified. */
export class NotADatabaseError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOT_A_DATABASE', message, options);
  }
}

/**
 * Passes the store's own errors through and wraps anything else (an engine's) in DriverError,
 * naming the operation and, when given, the group and key it was working on.
 */
export function asStoreError(op: string, error: unknown, group?: string, key?: string): StoreError {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const subject = group === undefined ? '' : key === undefined ? `${group}: ` : `${group}/${key}: `;
  return new DriverError(`${op}: ${subject}${message}`, error);
}
