/**
 * Loads sql.js once per process. Node finds the `.wasm` beside sql.js's own script.
 */
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { preservingByteOrderMarks } from './sqljs-driver.js';

let loading: Promise<SqlJsStatic> | undefined;

/** The sql.js module, compiled on first use and shared by every store. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  loading ??= preservingByteOrderMarks(() => initSqlJs()).catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
