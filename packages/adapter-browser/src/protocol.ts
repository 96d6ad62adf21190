/**
 * The messages between a page and its database worker, which connects the page's stores to the
 * shared database (see membership.ts): each driver call is a request with one response. The
 * requests a page makes in one turn of its event loop travel as one message (a batch laid out
 * as wire.ts describes), and so do the worker's answers, with the events of the page's stores
 * among them, in order. Errors cross as plain data and are rebuilt on the page as the same
 * classes.
 */
import {
  ClosedError,
  DriverError,
  InvalidArgumentError,
  LockedError,
  NotADatabaseError,
  type SqlValue,
  StoreError,
  type StoreErrorCode,
  type StoreEvent,
} from '@go-store/core';
import { SqliteError } from './engine-error.js';
import type { BrowserVfs } from './open-database.js';
import { type CallCodec, NONE, type ReadCall } from './wire.js';

/**
 * A driver call from the page. `id` pairs it with its response; `db` names the connection (one
 * worker serves every database of a page). `open` carries `wasmUrl`, where the page's bundler (or
 * the package itself) serves `sqlite3.wasm`.
 */
export type Request = {
  readonly id: number;
  readonly db: number;
} & (
  | { readonly op: 'open'; readonly name: string; readonly vfs: BrowserVfs; readonly wasmUrl: string }
  | { readonly op: 'all' | 'get' | 'run'; readonly sql: string; readonly params: readonly SqlValue[] }
  | { readonly op: 'exec'; readonly sql: string }
  | { readonly op: 'begin' | 'rollback' | 'close' }
  /** `events`: the write's events, which commit with it (see `SharedEvents.log`). */
  | { readonly op: 'commit'; readonly events: readonly StoreEvent[] }
);

/**
 * The worker's answer to one request (`[id, ANSWER, ok, value or SerialisedError]`), or events
 * committed to a connection's database (`[db, EVENTS, true, StoreEvent[]]`), as laid out by
 * `Answers` (see wire.ts).
 */
export type Response = readonly [to: number, kind: typeof ANSWER | typeof EVENTS, ok: boolean, payload: unknown];

/**
 * What the worker tells the page about the database `reader` (`vfs:name`): from now on the
 * page may send its stores' plain reads on `port` straight to the leader, as `req` messages
 * from `member` to `leader` (see membership.ts); or, without a port, that it may no longer, and
 * is to send through the worker again the reads it sent there and has no answer to.
 */
export interface ReaderNotice {
  readonly reader: string;
  readonly port?: MessagePort;
  readonly leader?: string;
  readonly member?: string;
}

/** The kinds of {@link Response}. */
export const ANSWER = 1;
export const EVENTS = 0;

/** How a page's requests are laid out in a batch: reads field by field (see wire.ts). */
export const requestCodec: CallCodec<Request> = {
  read: (request) => (request.op === 'get' || request.op === 'all' ? (request as ReadCall) : undefined),
  head: (request) => [request.id, request.db, NONE],
  build: (id, db, _c, _strings, op, sql, params) => ({ op, sql, params, id, db }),
};

/** An error as it crosses the message boundary. */
export interface SerialisedError {
  readonly name: string;
  readonly message: string;
  /** The store's error code, for the store's own errors. */
  readonly code?: StoreErrorCode;
  /** SQLite's extended result code, for engine errors. */
  readonly resultCode?: number;
  /** For driver errors: whether the call may be tried again (see `DriverError.retryable`). */
  readonly retryable?: boolean;
  /** The name and message of the underlying cause (an OPFS DOMException, say). */
  readonly cause?: { readonly name: string; readonly message: string };
}

/** Flattens an error for `postMessage`. */
export function serialiseError(error: unknown): SerialisedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const cause = error.cause instanceof Error ? { name: error.cause.name, message: error.cause.message } : undefined;
  return {
    name: error.name,
    message: error.message,
    code: error instanceof StoreError ? error.code : undefined,
    resultCode: error instanceof SqliteError ? error.resultCode : undefined,
    retryable: error instanceof DriverError && error.retryable ? true : undefined,
    cause,
  };
}

/** Rebuilds an error on the page: the store's classes by code, engine errors as `SqliteError`. */
export function deserialiseError(data: SerialisedError): Error {
  const cause =
    data.cause === undefined ? undefined : Object.assign(new Error(data.cause.message), { name: data.cause.name });
  switch (data.code) {
    case 'LOCKED':
      return new LockedError(data.message, { cause });
    case 'NOT_A_DATABASE':
      return new NotADatabaseError(data.message, { cause });
    case 'INVALID_ARGUMENT':
      return new InvalidArgumentError(data.message);
    case 'CLOSED':
      return new ClosedError(data.message);
    case 'DRIVER':
      return new DriverError(data.message, cause, { retryable: data.retryable === true });
    default:
      break;
  }
  if (data.resultCode !== undefined) return new SqliteError(data.message, data.resultCode, { cause });
  return Object.assign(new Error(data.message, { cause }), { name: data.name });
}
