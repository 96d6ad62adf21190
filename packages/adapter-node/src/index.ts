/**
 * go-store for Node: `openStore(path)` on sql.js, in memory or persisted to a file.
 *
 * @packageDocumentation
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createStore, type Store, type StoreOptions } from '@go-store/core';
import { createSqlJsDriver, loadSqlJs } from '@go-store/driver-sqljs';
import { checkOptionsObject, type FileDriverOptions, openFileDriver } from './file-driver.js';

export * from '@go-store/core';
export { DatabaseTooLargeError, WriteOutcomeUnknownError } from './errors.js';
export { type DatabaseFiles, type FileDriver, type FileDriverOptions, openFileDriver } from './file-driver.js';

/** Options of {@link openStore}: the store's own, plus, for a file, its durability settings. */
export interface OpenOptions extends StoreOptions, FileDriverOptions {}

/**
 * Opens a store. `':memory:'` gives an ephemeral store; any other path is a database file,
 * created if missing, that `sqlite3` and go-store can open too (see docs/persistence.md for
 * its sidecar files and durability modes).
 *
 * @throws {LockedError} when another process or store has the file open.
 * @throws {NotADatabaseError} when the file is not an SQLite database (it is left untouched).
 *
 * @example
 * ```ts
 * import { openStore } from '@go-store/adapter-node';
 * const store = await openStore('app.db');
 * await store.set('config', 'theme', 'dark');
 * await store.close();
 * ```
 */
export async function openStore(path: string, options: OpenOptions = {}): Promise<Store> {
  checkOptionsObject(options);
  const { now, purgeIntervalMs, onError, asyncContext, ...fileOptions } = options;
  // AsyncLocalStorage lets the store refuse, rather than deadlock on, a call on the store
  // awaited inside its own transaction callback.
  const storeOptions: StoreOptions = {
    now,
    purgeIntervalMs,
    onError,
    asyncContext: asyncContext ?? new AsyncLocalStorage(),
  };
  if (path === ':memory:') {
    const SQL = await loadSqlJs();
    return createStore(createSqlJsDriver(new SQL.Database()), storeOptions);
  }
  // The file driver checks the path. Compaction runs in the background: its failures go to the
  // same onError as the store's.
  return createStore(await openFileDriver(path, { ...fileOptions, onError }), storeOptions);
}
