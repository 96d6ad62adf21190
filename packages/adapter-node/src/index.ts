/**
 * go-store for Node, Deno and Bun: `openStore(path)` on the runtime's own SQLite or on sql.js,
 * in memory or persisted to a file.
 *
 * @packageDocumentation
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createStore, type Store, type StoreOptions } from '@go-store/core';
import { createSqlJsDriver, loadSqlJs } from '@go-store/driver-sqljs';
import { chooseEngine, type Engine } from './engine.js';
import { checkOptionsObject, type FileDriverOptions, openFileDriver } from './file-driver.js';
import { openNativeDriver } from './native/open-native.js';

export * from '@go-store/core';
export type { Engine } from './engine.js';
export { DatabaseTooLargeError, WriteOutcomeUnknownError } from './errors.js';
export { type DatabaseFiles, type FileDriver, type FileDriverOptions, openFileDriver } from './file-driver.js';
export { MAX_DATABASE_BYTES } from './limits.js';

/** Options of {@link openStore}: the store's own, the engine, and, for a file, its durability settings. */
export interface OpenOptions extends StoreOptions, FileDriverOptions {
  /**
   * `'auto'` (default): the runtime's own SQLite where it has one (Node 22.13 and later, Deno 2,
   * Bun), else sql.js. `'native'`: the runtime's own SQLite, or an `InvalidArgumentError`.
   * `'sqljs'`: sql.js (WebAssembly) on every runtime. See docs/persistence.md for what each
   * promises. The sql.js options (`relaxedIntervalMs`, `compactMinBytes`, `compactRatio`) have
   * no effect on the native engine.
   */
  engine?: Engine;
}

/**
 * Opens a store. `':memory:'` gives an ephemeral store; any other path is a database file,
 * created if missing, that `sqlite3` and go-store can open too (see docs/persistence.md for
 * the engines, their files and durability modes).
 *
 * @throws {LockedError} when a store of the sql.js engine has the file open (and, for the sql.js
 * engine, when any other store or SQLite program is detected using it).
 * @throws {NotADatabaseError} when the file is not an SQLite database (it is left untouched).
 * @throws {InvalidArgumentError} for bad options, or `engine: 'native'` on a runtime without its own SQLite.
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
  const { now, purgeIntervalMs, onError, asyncContext, engine, ...fileOptions } = options;
  const chosen = await chooseEngine(engine);
  // AsyncLocalStorage lets the store refuse, rather than deadlock on, a call on the store
  // awaited inside its own transaction callback.
  const storeOptions: StoreOptions = {
    now,
    purgeIntervalMs,
    onError,
    asyncContext: asyncContext ?? new AsyncLocalStorage(),
  };
  if (chosen.kind === 'native') {
    const driver = await openNativeDriver(chosen.sqlite, path, { durability: fileOptions.durability });
    return createStore(driver, storeOptions);
  }
  if (path === ':memory:') {
    const SQL = await loadSqlJs();
    return createStore(createSqlJsDriver(new SQL.Database(), { inMemory: true }), storeOptions);
  }
  // The file driver checks the path. Compaction runs in the background: its failures go to the
  // same onError as the store's.
  return createStore(await openFileDriver(path, { ...fileOptions, onError }), storeOptions);
}
