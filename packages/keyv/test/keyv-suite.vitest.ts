/**
 * Keyv's own conformance suite, in full: its API, value, namespace and iterator tests, run
 * against Keyv over KeyvGoStore on an in-memory go-store store.
 */
import { openStore } from '@go-store/adapter-node';
import { KeyvGoStore } from '@go-store/keyv';
import keyvTestSuite, { keyvIteratorTests } from '@keyv/test-suite';
import Keyv from 'keyv';
import * as test from 'vitest';

const store = await openStore(':memory:');
// One adapter per Keyv instance, as with Keyv's own adapters: Keyv sets the adapter's
// namespace to its own, so two namespaces need two adapters (over the same store).
const adapter = () => new KeyvGoStore(store, { group: 'keyv' });

test.describe('@keyv/test-suite: api, values, namespaces', () => {
  keyvTestSuite(test, Keyv, adapter);
});

test.describe('@keyv/test-suite: iterator', () => {
  keyvIteratorTests(test, Keyv, adapter);
  test.it('Keyv offers iteration over this adapter', () => {
    test.expect(typeof new Keyv({ store: adapter() }).iterator).toBe('function');
  });
});

test.afterAll(async () => {
  await store.close();
});
