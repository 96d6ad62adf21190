/**
 * Loads sql.js's WebAssembly build once per process, on first use.
 */
import initSqlJs, { type SqlJsStatic } from 'sql.js';

let loading: Promise<SqlJsStatic> | undefined;

/** The sql.js module, loaded on first call and shared afterwards. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  loading ??= initSqlJs().catch((err: unknown) => {
    loading = undefined; // let a later call try again
    throw err;
  });
  return loading;
}
