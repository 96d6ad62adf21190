/**
 * KeyvGoStore beyond Keyv's own suite: where Keyv's keys land in the store, TTLs becoming the
 * store's expiries, namespaces cleared and iterated through keyset pages, the many-key
 * methods, scoped stores, and disconnect.
 */

import { openStore, type Store } from '@go-store/adapter-node';
import { KeyvGoStore } from '@go-store/keyv';
import Keyv from 'keyv';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const T0 = 1_700_000_000_000;

async function open(clock = { now: T0 }): Promise<Store> {
  return openStore(':memory:', { now: () => clock.now, purgeIntervalMs: 0 });
}

test("Keyv's prefixed keys and serialised values land in the adapter's group", async () => {
  const store = await open();
  const keyv = new Keyv({ store: new KeyvGoStore(store, { group: 'cache' }) });
  await keyv.set('greeting', { hello: 'world' });
  assert.equal(await store.groups(), ['cache']);
  const stored = await store.get('cache', 'keyv:greeting');
  assert.equal(JSON.parse(stored).value, { hello: 'world' });
  assert.equal(await keyv.get('greeting'), { hello: 'world' });
  await store.close();
});

test("Keyv's TTL becomes the key's expiry in the store (so the store's purge removes it)", async () => {
  const clock = { now: T0 };
  const store = await open(clock);
  const keyv = new Keyv({ store: new KeyvGoStore(store) });
  await keyv.set('short', 'x', 1000);
  await keyv.set('forever', 'y');
  const [entry, forever] = await store.exportPage({ limit: 10 });
  assert.equal([entry?.key, entry?.expiresAt], ['keyv:forever', null]);
  assert.equal([forever?.key, forever?.expiresAt], ['keyv:short', T0 + 1000]);
  clock.now = T0 + 1000;
  assert.is(await store.purgeExpired(), 1);
  await store.close();
});

test('clear removes only the current namespace, across many pages, including the bare prefix', async () => {
  const store = await open();
  const a = new Keyv({ store: new KeyvGoStore(store), namespace: 'a' });
  const ab = new Keyv({ store: new KeyvGoStore(store), namespace: 'a:b' });
  const b = new Keyv({ store: new KeyvGoStore(store), namespace: 'b' });
  const entries = Array.from({ length: 1203 }, (_, i) => ({ key: `k${i}`, value: i }));
  await a.setMany(entries);
  await a.set('', 'empty key');
  await b.set('k1', 'other namespace');
  await ab.set('k', 'a longer namespace');
  await store.set('elsewhere', 'a:k1', 'another group');
  assert.is(await store.count('keyv'), 1206);
  await a.clear();
  // 'a:b:k' starts with 'a:' too: Keyv namespaces are prefixes, as in Keyv's own SQL adapters.
  assert.is(await store.count('keyv'), 1);
  assert.is(await b.get('k1'), 'other namespace');
  assert.is(await store.get('elsewhere', 'a:k1'), 'another group');
  await b.clear();
  assert.is(await store.count('keyv'), 0);
  await store.close();
});

test('clear without a namespace empties the group', async () => {
  const store = await open();
  const adapter = new KeyvGoStore(store, { group: 'g' });
  const keyv = new Keyv({ store: adapter, namespace: undefined, useKeyPrefix: false });
  await keyv.set('k', 'v');
  await store.set('other', 'k', 'v');
  adapter.namespace = undefined;
  await keyv.clear();
  assert.equal(await store.groups(), ['other']);
  await store.close();
});

test("the iterator yields the namespace's live pairs in key order", async () => {
  const clock = { now: T0 };
  const store = await open(clock);
  const adapter = new KeyvGoStore(store);
  const keyv = new Keyv({ store: adapter, namespace: 'ns' });
  await keyv.set('b', 2);
  await keyv.set('a', 1);
  await keyv.set('gone', 3, 10);
  await new Keyv({ store: new KeyvGoStore(store), namespace: 'other' }).set('x', 0);
  clock.now = T0 + 10;
  const raw: unknown[] = [];
  for await (const pair of adapter.iterator('ns')) raw.push(pair[0]);
  assert.equal(raw, ['ns:a', 'ns:b']);
  const all: unknown[] = [];
  for await (const pair of adapter.iterator()) all.push(pair[0]);
  assert.equal(all, ['ns:a', 'ns:b', 'other:x']);
  await store.close();
});

test('getMany, hasMany, setMany with mixed TTLs, and deleteMany', async () => {
  const clock = { now: T0 };
  const store = await open(clock);
  const adapter = new KeyvGoStore(store);
  await adapter.setMany([
    { key: 'a', value: '1' },
    { key: 'b', value: '2', ttl: 50 },
    { key: 'c', value: '3', ttl: 0 },
  ]);
  assert.equal(await adapter.getMany(['a', 'missing', 'b', 'c']), ['1', undefined, '2', '3']);
  clock.now = T0 + 50;
  assert.equal(await adapter.hasMany(['a', 'b', 'c']), [true, false, true]);
  assert.is(await adapter.deleteMany(['a', 'b']), false, 'b had expired');
  assert.is(await adapter.deleteMany(['c']), true);
  assert.is(await adapter.deleteMany([]), false);
  assert.equal(await adapter.getMany(['a', 'c']), [undefined, undefined]);
  assert.is(await adapter.delete('a'), false);
  await store.close();
});

test('keys and values with NUL, newlines and emoji round-trip through Keyv', async () => {
  const store = await open();
  const keyv = new Keyv({ store: new KeyvGoStore(store) });
  const key = 'nul\u0000 new\nline 😀';
  await keyv.set(key, 'value\u0000\n😀');
  assert.is(await keyv.get(key), 'value\u0000\n😀');
  assert.is(await keyv.has(key), true);
  await store.close();
});

test('works over a ScopedStore (a tenant), whose quotas still apply', async () => {
  const store = await open();
  const tenant = store.scope('tenant-1', { maxKeys: 2 });
  const keyv = new Keyv({ store: new KeyvGoStore(tenant), throwOnErrors: true });
  await keyv.set('a', 1);
  await keyv.set('b', 2);
  let refused: unknown;
  try {
    await keyv.set('c', 3);
  } catch (error) {
    refused = error;
  }
  assert.is((refused as { code?: string }).code, 'QUOTA_EXCEEDED');
  assert.equal(await store.groups(), ['tenant-1:keyv']);
  await keyv.disconnect();
  assert.is(store.closed, false, 'a scoped store has no close of its own');
  await store.close();
});

test('disconnect closes the store; a bad store or group is refused', async () => {
  const store = await open();
  const keyv = new Keyv({ store: new KeyvGoStore(store) });
  await keyv.disconnect();
  assert.is(store.closed, true);
  assert.throws(() => new KeyvGoStore(null as unknown as Store), /must be a go-store Store/);
  assert.throws(() => new KeyvGoStore(store, { group: 5 as unknown as string }), /group must be a string, got number/);
});

test.run();
