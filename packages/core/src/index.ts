/**
 * go-store for TypeScript: a group-namespaced key-value store on SQLite, for every JavaScript
 * runtime. This package is the runtime-agnostic core; adapters supply the SQLite engine.
 *
 * @packageDocumentation
 */

export type { DataApi, Entries, KeyValue, PageOptions, SetManyOptions } from './api.js';
export type { MaybePromise, SharedEvents, SqlDriver, SqlRow, SqlValue, SyncSqlDriver } from './driver.js';
export { DUMP_HEADER, type DumpOptions, dump, type Exportable, formatEntry, type LoadOptions, load } from './dump.js';
export {
  ClosedError,
  DriverError,
  InvalidArgumentError,
  LockedError,
  NotADatabaseError,
  NotFoundError,
  QuotaExceededError,
  StoreError,
  type StoreErrorCode,
  TemplateError,
} from './errors.js';
export { type ChangeListener, type EventType, type StoreEvent, Watcher, type WatchOptions } from './events.js';
export type { ExportPageOptions, StoredEntry } from './export-page.js';
export { type QuotaOptions, ScopedOperations, ScopedStore, type ScopedTransaction } from './scope.js';
export { type AsyncContext, createStore, Store, type StoreOptions } from './store.js';
export { Transaction, type TransactionSql } from './transaction.js';
