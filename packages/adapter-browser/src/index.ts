/**
 * go-store for browsers: `openStore(name)` on sqlite-wasm, persisted in the Origin Private File
 * System (OPFS), from a worker or from the main thread.
 *
 * In a worker the database is opened right there. On the main thread, where OPFS offers no
 * synchronous access, `openStore` starts a dedicated worker that owns the database and returns
 * a store that talks to it; the store itself, and so its events, `watch` and `onChange`, lives
 * on the main thread.
 *
 * @packageDocumentation
 */
import { InvalidArgumentError, LockedError, createStore, type Store, type StoreOptions } from '@go-store/core';
import {
  checkDatabaseName,
  checkVfs,
  hasOpfs,
  hasOpfsSyncAccess,
  noOpfsError,
  openDatabase,
  type BrowserVfs,
} from './open-database.js';
import { WorkerDriver } from './worker-driver.js';

export * from '@go-store/core';
export type { BrowserVfs } from './open-database.js';
export { SqliteError } from './engine-error.js';

/** Options of {@link openStore}: the store's own, plus the adapter's. */
export interface OpenOptions extends StoreOptions {
  /**
   * The OPFS VFS for a persistent database: `'opfs-sahpool'` (default; needs no special HTTP
   * headers) or `'opfs'` (needs a cross-origin isolated page: `Cross-Origin-Opener-Policy:
   * same-origin` and `Cross-Origin-Embedder-Policy: require-corp`). Ignored for `':memory:'`.
   */
  vfs?: BrowserVfs;
  /**
   * Where OPFS is missing (an old browser, some private modes), open an in-memory store
   * instead of failing. The data then lasts only as long as the page. Default `false`.
   */
  fallbackToMemory?: boolean;
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
 * In a dedicated worker the database is opened in that worker. On the main thread a dedicated
 * worker owns it: the page's stores share one, started by the first `openStore` and terminated
 * when the last of them closes. Either way, one tab owns a database at a time: opening a
 * database another tab has open rejects at once with a `LockedError` that says so.
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
  const { vfs = 'opfs-sahpool', fallbackToMemory = false, workerUrl, ...storeOptions } = options;
  checkDatabaseName(name);
  if (name === ':memory:') return createStore(await openDatabase(':memory:', vfs), storeOptions);
  checkVfs(vfs);

  if (!isWindowContext()) {
    if (!hasOpfsSyncAccess()) {
      if (fallbackToMemory) return createStore(await openDatabase(':memory:', vfs), storeOptions);
      throw noOpfsError(name);
    }
    return createStore(await openDatabase(name, vfs), storeOptions);
  }

  if (!hasOpfs() || typeof Worker !== 'function') {
    if (fallbackToMemory) return createStore(await openDatabase(':memory:', vfs), storeOptions);
    throw noOpfsError(name);
  }
  // The worker would refuse a second store of the same database; say where the first one is.
  const key = `${vfs}:${name}`;
  if (openInPage.has(key)) {
    throw new LockedError(`openStore: ${name}: the database (${vfs}) is already open in this page; close that store first`);
  }
  openInPage.add(key);
  try {
    const driver = new WorkerDriver(workerUrl ?? new URL('./worker.js', import.meta.url), () => openInPage.delete(key));
    await driver.open(name, vfs);
    return await createStore(driver, storeOptions);
  } catch (error) {
    openInPage.delete(key);
    throw error;
  }
}

/** Databases this page has open through workers. */
const openInPage = new Set<string>();

/** Whether this is a window (the main thread), where OPFS is only asynchronous. */
function isWindowContext(): boolean {
  return typeof (globalThis as { document?: unknown }).document !== 'undefined';
}
