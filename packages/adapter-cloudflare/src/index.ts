/**
 * go-store on Cloudflare: a store in a SQLite-backed Durable Object (`openDurableObjectStore`)
 * or in a D1 database (`openD1Store`), both on go-store's own `kv` table, so data moves freely
 * between them, go-store, `sqlite3` and the other adapters. Core's classes are re-exported:
 * there is one copy of each, so `instanceof` works across packages.
 *
 * @packageDocumentation
 */
export * from '@go-store/core';
export type { D1DatabaseLike, D1Statement, D1Value } from './d1-types.js';
export type {
  DurableObjectSql,
  DurableObjectSqlCursor,
  DurableObjectSqlValue,
  DurableObjectStorageLike,
} from './durable-object-types.js';
export { type D1StoreOptions, openD1Store } from './open-d1.js';
export { type DurableObjectStoreOptions, openDurableObjectStore } from './open-durable-object.js';
