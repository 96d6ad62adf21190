/**
 * go-store for TypeScript: a group-namespaced key-value store on SQLite, for every JavaScript
 * runtime. This package is the runtime-agnostic core; adapters supply the SQLite engine.
 *
 * @packageDocumentation
 */
export { createStore, Store, type StoreOptions, type AsyncContext } from './store.js';
export { Transaction } from './transaction.js';
export { ScopedStore, ScopedOperations, type ScopedTransaction, type QuotaOptions } from './scope.js';
export type { KeyValue, Entries, SetManyOptions, PageOptions } from './operations.js';
export { Watcher, type StoreEvent, type EventType, type WatchOptions, type ChangeListener } from './events.js';
export {
  StoreError,
  NotFoundError,
  QuotaExceededError,
  ClosedError,
  TemplateError,
  InvalidArgumentError,
  DriverError,
  LockedError,
  NotADatabaseError,
  type StoreErrorCode,
} from './errors.js';
export type { SqlDriver, SqlRow, SqlValue, MaybePromise } from './driver.js';
export { renderTemplate } from './template/index.js';
