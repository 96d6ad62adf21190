/**
 * A Keyv storage adapter on go-store: `new Keyv({ store: new KeyvGoStore(store, { group }) })`.
 *
 * @packageDocumentation
 */
export { KeyvGoStore, type KeyvGoStoreOptions, type KeyvStore } from './keyv-go-store.js';
