/**
 * Loads sql.js once per process, on runtimes where sql.js finds its `.wasm` beside its own
 * script (Node, Deno, Bun). Where it cannot (browsers, workerd), call `initSqlJs` yourself
 * inside {@link preservingByteOrderMarks} and hand the database to {@link createSqlJsDriver}.
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
