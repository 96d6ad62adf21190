/**
 * An unstorage driver on go-store: `createStorage({ driver: goStoreDriver({ store, group }) })`.
 *
 * @packageDocumentation
 */
export { type GoStoreDriverOptions, goStoreDriver, type UnstorageStore } from './driver.js';
// unstorage's own driver types, as this package declares them (it has no dependency on unstorage).
export type * from './unstorage-types.js';
