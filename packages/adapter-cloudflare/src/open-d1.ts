/**
 * `openD1Store(env.DB)`: a store in a D1 database.
 */
import {
  ClosedError,
  createStore,
  DriverError,
  InvalidArgumentError,
  type Store,
  type StoreOptions,
} from '@go-store/core';
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
  const store = await createStore(createD1Driver(db), storeOptions(OP, options));
  // Scoped stores call this too, so the refusal covers them.
  Object.defineProperty(store, 'transaction', { value: refuseTransaction(store) });
  return store;
}

function refuseTransaction(store: Store): Store['transaction'] {
  const op = 'store.transaction';
  return (fn) =>
    Promise.reject(
      store.closed
        ? new ClosedError(`${op}: the store is closed`)
        : typeof fn !== 'function'
          ? new InvalidArgumentError(`${op}: the callback must be a function`)
          : new DriverError(
              `${op}: D1 has no interactive transactions, so a callback cannot hold one open; ` +
                'use setMany, deleteGroup or deletePrefix (each atomic), or a Durable Object store',
              undefined,
            ),
    );
}
