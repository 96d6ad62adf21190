/**
 * go-store for browsers: `openStore(name)` on sqlite-wasm, persisted in the Origin Private File
 * System (OPFS), from a worker or from the main thread.
 *
 * Any number of tabs, iframes and workers of a site may open the same database at once: one of
 * them (the leader, chosen with a Web Lock) has it open, and the others pass their calls to it.
 * When the leader goes away another takes over, and no call is lost or applied twice. On the
 * main thread, where OPFS offers no synchronous access, `openStore` starts a dedicated worker
 * that takes part for the page; the store itself, and so its clock, events, `watch` and
 * `onChange`, lives where `openStore` was called. See docs/browser.md.
 *
 * @packageDocumentation
 */
import {
  createStore,
  type DriverError,
  InvalidArgumentError,
  type SqlDriver,
  type Store,
  type StoreOptions,
} from '@go-store/core';
import {
  type BrowserVfs,
  checkDatabaseName,
  checkVfs,
  hasOpfs,
  isNoOpfsError,
  noOpfsError,
  openDatabase,
} from './open-database.js';
import { openShared } from './shared-driver.js';
import { WorkerDriver } from './worker-driver.js';

export * from '@go-store/core';
export { SqliteError } from './engine-error.js';
export type { BrowserVfs } from './open-database.js';

/** Options of {@link openStore}: the store's own, plus the adapter's. */
export interface OpenOptions extends StoreOptions {
  /**
   * The OPFS VFS for a persistent database: `'opfs-sahpool'` (default; needs no special HTTP
   * headers) or `'opfs'` (needs a cross-origin isolated page: `Cross-Origin-Opener-Policy:
   * same-origin` and `Cross-Origin-Embedder-Policy: require-corp`). Ignored for `':memory:'`.
   */
  vfs?: BrowserVfs;
  /**
   * Where OPFS is missing (an old browser, some private modes, a browser whose workers lack
   * synchronous access handles), open an in-memory store instead of failing. The data then
   * lasts only as long as the page. Default `false`.
   */
  fallbackToMemory?: boolean;
  /**
   * Called when `fallbackToMemory` took effect, with the "no OPFS" error that would otherwise
   * have been thrown, just before the in-memory store is opened. If it throws, `openStore`
   * rejects with that error and opens nothing.
   */
  onFallback?: (error: DriverError) => void;
  /**
   * Main thread only: the URL of this package's worker module (`worker.js`), for set-ups that
   * do not bundle `new URL('./worker.js', import.meta.url)` by themselves.
   */
  workerUrl?: string | URL;
}

/**
 * Opens a store. `name` is a database name (letters, digits, `.`, `_`, `-`) persisted in OPFS,
 * or `':memory:'` for an ephemeral store in the calling context.
 *
 * Every tab, iframe and worker of the site that opens the same name gets a store over the same
 * data, with every change from any of them in its events. In a dedicated worker the store joins
 * from that worker; on the main thread a dedicated worker joins for the page (the page's stores
 * share one, started by the first `openStore` and terminated when the last of them closes).
 * The lock that decides which context has the database open is the Web Lock
 * `go-store:<vfs>:<name>` (e.g. `go-store:opfs-sahpool:settings`).
 *
 * @example
 * ```ts
 * import { openStore } from '@go-store/adapter-browser';
 * const store = await openStore('settings');
 * store.onChange((event) => render(event));
 * await store.set('ui', 'theme', 'dark');
 * ```
 */
export async function openStore(name: string, options: OpenOptions = {}): Promise<Store> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('openStore: options must be an object');
  }
  const { vfs = 'opfs-sahpool', fallbackToMemory = false, onFallback, workerUrl, ...storeOptions } = options;
  checkDatabaseName(name);
  if (onFallback !== undefined && typeof onFallback !== 'function') {
    throw new InvalidArgumentError('openStore: onFallback must be a function');
  }
  if (name === ':memory:') return createStore(await openDatabase(':memory:', vfs), storeOptions);
  checkVfs(vfs);

  let driver: SqlDriver;
  try {
    // On the main thread the worker reports a missing OPFS (the page can have OPFS while its
    // workers lack synchronous access); its error crosses tagged, so both are caught here.
    driver = isWindowContext() ? await openInWorker(name, vfs, workerUrl) : await openShared(name, vfs);
  } catch (error) {
    if (!fallbackToMemory || !isNoOpfsError(error)) throw error;
    onFallback?.(error);
    driver = await openDatabase(':memory:', vfs);
  }
  return createStore(driver, storeOptions);
}

/** Opens `name` in the page's database worker (started if needed) and returns its driver. */
async function openInWorker(name: string, vfs: BrowserVfs, workerUrl: string | URL | undefined): Promise<WorkerDriver> {
  if (!hasOpfs()) throw noOpfsError(name);
  if (typeof Worker !== 'function') throw noOpfsError(name, 'Worker is missing');
  // Both written as `new URL('./file', import.meta.url)`, which bundlers (Vite, webpack, Parcel)
  // recognise and emit as files; without a bundler they are the package's own dist/ files.
  const driver = new WorkerDriver(workerUrl ?? new URL('./worker.js', import.meta.url));
  await driver.open(name, vfs, new URL('./sqlite3.wasm', import.meta.url).href);
  return driver;
}

/** Whether this is a window (the main thread), where OPFS is only asynchronous. */
function isWindowContext(): boolean {
  return typeof (globalThis as { document?: unknown }).document !== 'undefined';
}
