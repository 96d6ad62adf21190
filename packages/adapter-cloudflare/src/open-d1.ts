/**
 * `openD1Store(env.DB)`: a store in a D1 database.
 */
import { createStore, InvalidArgumentError, type Store, type StoreOptions } from '@go-store/core';
import { createD1Driver } from './d1-driver.js';
import type { D1DatabaseLike } from './d1-types.js';
import { storeOptions } from './options.js';

const OP = 'openD1Store';

/** Options of {@link openD1Store}: the store options; the purge is off by default. */
export type D1StoreOptions = StoreOptions;

/**
 * Opens a store on a D1 database, creating go-store's `kv` table on first use.
 *
 * Every operation is atomic — `set` with its quota check is one statement; `setMany`,
 * `deleteGroup` and `deletePrefix` commit as one D1 batch — and quotas hold across isolates.
 * `transaction()` is not available: D1 cannot hold a transaction open across a callback's
 * awaits, so it rejects at once with a `DriverError` (use a Durable Object store for that).
 * Events reach only the `watch`/`onChange` of this store, in this isolate.
 *
 * @example
 * ```ts
 * export default {
 *   async fetch(request: Request, env: { DB: D1Database }) {
 *     const store = await openD1Store(env.DB);
 *     return new Response(await store.render('Hello {{.name}}', 'profile'));
 *   },
 * };
 * ```
 */
export async function openD1Store(db: D1DatabaseLike, options?: D1StoreOptions): Promise<Store> {
  if (db === null || typeof db !== 'object' || typeof db.prepare !== 'function' || typeof db.batch !== 'function') {
    throw new InvalidArgumentError(`${OP}: expected a D1 database binding`);
  }
  return createStore(createD1Driver(db), storeOptions(OP, options));
}
