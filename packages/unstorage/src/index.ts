/**
 * An unstorage driver on go-store: `createStorage({ driver: goStoreDriver({ store, group }) })`.
 *
 * @packageDocumentation
 */
export { type GoStoreDriverOptions, goStoreDriver, type UnstorageStore } from './driver.js';
