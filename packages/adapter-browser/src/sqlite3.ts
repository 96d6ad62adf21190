/**
 * Loads sqlite-wasm once per JavaScript context (page or worker) and remembers the last error
 * an OPFS VFS reported, so that a bare `SQLITE_IOERR` can be explained (a full quota, say).
 */
import type { Sqlite3Static } from '@sqlite.org/sqlite-wasm';

/** The sqlite-wasm namespace: `capi`, `wasm`, `installOpfsSAHPoolVfs`… */
export type Sqlite3 = Sqlite3Static;

// The package's type declarations omit its default export (the module factory), so it is
// described here. Extra configuration reaches the library through this documented global,
// read once by the first initialisation.
type InitModule = (moduleArg?: {
  print?: (text: string) => void;
  printErr?: (text: string) => void;
  locateFile?: (file: string) => string;
}) => Promise<Sqlite3>;
interface ApiConfigHost {
  sqlite3ApiConfig?: { error?: (...args: unknown[]) => void };
}

let loading: Promise<Sqlite3> | undefined;
let wasmUrl: string | undefined;
let lastVfsError: Error | undefined;

/**
 * Where to fetch `sqlite3.wasm` from, when it is not beside sqlite-wasm's script (a bundler
 * emitted it elsewhere). Takes effect if sqlite-wasm is not loaded yet.
 */
export function useWasmUrl(url: string): void {
  wasmUrl = url;
}

/** The sqlite-wasm module, instantiated on first use and shared by every database in this context. */
export function loadSqlite3(): Promise<Sqlite3> {
  loading ??= instantiate().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function instantiate(): Promise<Sqlite3> {
  // The OPFS VFSes report the JavaScript exception behind a failed file operation (a DOMException
  // such as QuotaExceededError) only through the library's error logger; SQLite itself sees just
  // SQLITE_IOERR. Keep the exception so that the driver can name the real cause.
  (globalThis as ApiConfigHost).sqlite3ApiConfig = {
    error: (...args: unknown[]) => {
      const error = args.find((arg): arg is Error => arg instanceof Error);
      if (error !== undefined) lastVfsError = error;
      else console.error(...args);
    },
  };
  const module = (await import('@sqlite.org/sqlite-wasm')) as unknown as { default: InitModule };
  const located = wasmUrl;
  return module.default({
    print: () => undefined,
    printErr: (text) => console.error(text),
    ...(located === undefined ? {} : { locateFile: () => located }),
  });
}

/** Returns and forgets the last exception an OPFS VFS reported, if any. */
export function takeLastVfsError(): Error | undefined {
  const error = lastVfsError;
  lastVfsError = undefined;
  return error;
}
