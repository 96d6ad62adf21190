/**
 * go-store for Node: `openStore(path)` on sql.js, in memory or persisted to a file.
 *
 * @packageDocumentation
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createStore, DriverError, type Store, type StoreOptions } from '@go-store/core';
import { createSqlJsDriver } from './sqljs-driver.js';
import { loadSqlJs } from './sqljs.js';

export * from '@go-store/core';
export { createSqlJsDriver, type SqlJsDriver } from './sqljs-driver.js';

/** Options of {@link openStore}: the store's own, plus the adapter's. */
export interface OpenOptions extends StoreOptions {}

/**
 * Opens a store. `':memory:'` gives an ephemeral store; any other path is a database file.
 *
 * @example
 * ```ts
 * import { openStore } from '@go-store/adapter-node';
 * const store = await openStore(':memory:');
 * ```
 */
export async function openStore(path: string, options: OpenOptions = {}): Promise<Store> {
  if (path !== ':memory:') {
    throw new DriverError(`openStore: ${String(path)}: file databases are not supported yet`, undefined);
  }
  const SQL = await loadSqlJs();
  const driver = createSqlJsDriver(new SQL.Database());
  return createStore(driver, { asyncContext: new AsyncLocalStorage(), ...options });
}
