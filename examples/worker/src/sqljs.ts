/**
 * Loads sql.js inside a Worker.
 *
 * workerd refuses to compile WebAssembly from bytes at run time, so the `.wasm` is imported as a
 * module (wrangler compiles it when it bundles) and handed to sql.js through `instantiateWasm`.
 */
import { preservingByteOrderMarks } from '@go-store/driver-sqljs';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import sqlJsWasm from 'sql.js/dist/sql-wasm-browser.wasm';

let loading: Promise<SqlJsStatic> | undefined;

/** The sql.js module, instantiated once per isolate. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  loading ??= instantiate().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function instantiate(): Promise<SqlJsStatic> {
  // sql.js's browser build reads `self.location.href` once, at start-up, to find its own
  // folder; a Worker has no `location`. Any URL will do, since the module is handed over below.
  const host = globalThis as { location?: unknown };
  const shimmed = host.location === undefined;
  if (shimmed) host.location = { href: 'https://worker.invalid/' };
  // sql.js only ever resolves through `instantiateWasm`'s callback, so a failure to instantiate
  // is raced in separately rather than leaving the caller waiting for ever.
  let failed!: (error: unknown) => void;
  const failure = new Promise<never>((_, reject) => {
    failed = reject;
  });
  try {
    // `preservingByteOrderMarks` keeps a leading U+FEFF in the text sql.js reads back.
    const loaded = preservingByteOrderMarks(() =>
      initSqlJs({
        instantiateWasm(imports, receive) {
          WebAssembly.instantiate(sqlJsWasm, imports).then(receive, failed);
          return {};
        },
      }),
    );
    return await Promise.race([loaded, failure]);
  } finally {
    if (shimmed) delete host.location;
  }
}
