/**
 * `openDurableObjectStore(ctx.storage)`: a store in a SQLite-backed Durable Object's own
 * database, with the whole store API (transactions and events included) inside the object.
 */
import { createStore, InvalidArgumentError, type Store, type StoreOptions } from '@go-store/core';
import { createDurableObjectDriver } from './durable-object-driver.js';
import type { DurableObjectStorageLike } from './durable-object-types.js';
import { storeOptions } from './options.js';

const OP = 'openDurableObjectStore';
const PROBE = 'SELECT 1';

/** Options of {@link openDurableObjectStore}: the store options; the purge is off by default. */
export type DurableObjectStoreOptions = StoreOptions;

/**
 * Opens a store on a Durable Object's SQLite storage, creating go-store's `kv` table on first
 * use. Open it once per object (in the constructor, inside `ctx.blockConcurrencyWhile`) and
 * share it between requests: one store per object keeps every call in order.
 *
 * There is no background purge by default (`purgeIntervalMs: 0`), so the store never keeps the
 * object awake: expired keys are invisible to every read, `get` deletes those it meets, and
 * `store.purgeExpired()` removes the rest — call it from an alarm if you want them gone.
 *
 * @example
 * ```ts
 * export class Tenant extends DurableObject {
 *   store: Promise<Store>;
 *   constructor(ctx: DurableObjectState, env: Env) {
 *     super(ctx, env);
 *     this.store = openDurableObjectStore(ctx.storage);
 *   }
 *   async fetch() {
 *     const store = await this.store;
 *     await store.set('visits', 'count', String(Number(await store.get('visits', 'count').catch(() => '0')) + 1));
 *     return new Response(await store.get('visits', 'count'));
 *   }
 * }
 * ```
 * @throws {InvalidArgumentError} (rejects) when the object has no SQLite storage: its class
 * must be declared in a `new_sqlite_classes` migration.
 */
export async function openDurableObjectStore(
  storage: DurableObjectStorageLike,
  options?: DurableObjectStoreOptions,
): Promise<Store> {
  if (storage === null || typeof storage !== 'object' || typeof storage.transaction !== 'function') {
    throw new InvalidArgumentError(`${OP}: expected a Durable Object's ctx.storage`);
  }
  const resolved = storeOptions(OP, options);
  try {
    storage.sql.exec(PROBE);
  } catch (error) {
    throw new InvalidArgumentError(
      `${OP}: this Durable Object has no SQLite storage (${(error as Error)?.message ?? error}); ` +
        'declare its class in a `new_sqlite_classes` migration of your wrangler configuration',
    );
  }
  return createStore(createDurableObjectDriver(storage), resolved);
}
