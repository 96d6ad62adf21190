// A Durable Object and a D1-backed Worker, as a user would write them after `npm install`
// (type-checked only: the bindings' types are the adapter's structural ones).
import {
  type D1DatabaseLike,
  type DurableObjectStorageLike,
  openD1Store,
  openDurableObjectStore,
} from '@go-store/adapter-cloudflare';

export async function inObject(storage: DurableObjectStorageLike): Promise<string> {
  const store = await openDurableObjectStore(storage);
  await store.scope('tenant-1', { maxKeys: 100 }).set('prefs', 'theme', 'dark');
  return store.get('tenant-1:prefs', 'theme');
}

export async function onD1(db: D1DatabaseLike): Promise<number> {
  const store = await openD1Store(db);
  await store.setMany('g', { a: '1', b: '2' });
  return store.count('g');
}
