/**
 * The sql.js engine for go-store: a `SqlDriver` over a sql.js `Database`, for every runtime.
 *
 * @packageDocumentation
 */

export { loadSqlJs } from './load.js';
export { createSqlJsDriver, preservingByteOrderMarks, type SqlJsDriver } from './sqljs-driver.js';
