/**
 * An unstorage driver on go-store: `createStorage({ driver: goStoreDriver({ store, group }) })`.
 *
 * @packageDocumentation
 */
export { type GoStoreDriverOptions, goStoreDriver, type UnstorageStore } from './driver.js';
export type {
  GetKeysOptions,
  ItemMeta,
  TransactionOptions,
  UnstorageDriver,
  WatchCallback,
} from './unstorage-types.js';
