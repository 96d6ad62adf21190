/**
 * Point operations, in memory: the store against the same SQL through raw sql.js, against
 * better-sqlite3 (native) and against Keyv with @keyv/sqlite.
 */
import { openStore } from '@go-store/adapter-node';
import { KeyvGoStore } from '@go-store/keyv';
import Keyv from 'keyv';
import { measureAll, openKeyv, openNative, openRawSqlJs, report, SQL, smoke } from '../lib/harness.mjs';

const KEYS = smoke ? 100 : 10_000;
const DELETABLE = smoke ? 2_000 : 300_000;
const key = (i) => `key-${i % KEYS}`;

const store = await openStore(':memory:', { purgeIntervalMs: 0 });
const raw = await openRawSqlJs();
const native = await openNative();
const keyv = await openKeyv('sqlite://:memory:');
// Keyv over this store, for a user choosing between Keyv's SQLite adapter and ours.
const keyvStore = await openStore(':memory:', { purgeIntervalMs: 0 });
const keyvGoStore = new Keyv({ store: new KeyvGoStore(keyvStore) });

await store.setMany(
  'g',
  Array.from({ length: KEYS }, (_, i) => [`key-${i}`, `value-${i}`]),
);
await store.setMany(
  'd',
  Array.from({ length: DELETABLE }, (_, i) => [`key-${i}`, 'v']),
);
for (const engine of [raw, native].filter(Boolean)) {
  for (let i = 0; i < KEYS; i++) engine.run(SQL.upsert, ['g', `key-${i}`, `value-${i}`, null]);
  for (let i = 0; i < DELETABLE; i++) engine.run(SQL.upsert, ['d', `key-${i}`, 'v', null]);
}
for (const k of [keyv, keyvGoStore].filter(Boolean))
  for (let i = 0; i < KEYS; i++) await k.set(`key-${i}`, `value-${i}`);

let n = 0;
const now = Date.now();
const cases = [];
function add(op, engines) {
  // A baseline that is not installed is kept as a case without a function: RESULTS.md says so.
  for (const [engine, fn] of Object.entries(engines)) cases.push({ op, engine, fn });
}
add('set', {
  store: () => store.set('g', key(n++), 'x'),
  'raw sql.js': () => raw.run(SQL.upsert, ['g', key(n++), 'x', null]),
  'better-sqlite3': native && (() => native.run(SQL.upsert, ['g', key(n++), 'x', null])),
  'keyv + sqlite': keyv && (() => keyv.set(key(n++), 'x')),
  'keyv + go-store': () => keyvGoStore.set(key(n++), 'x'),
});
add('setWithTTL', {
  store: () => store.setWithTTL('g', key(n++), 'x', 60_000),
  'raw sql.js': () => raw.run(SQL.upsert, ['g', key(n++), 'x', Date.now() + 60_000]),
  'better-sqlite3': native && (() => native.run(SQL.upsert, ['g', key(n++), 'x', Date.now() + 60_000])),
  'keyv + sqlite': keyv && (() => keyv.set(key(n++), 'x', 60_000)),
  'keyv + go-store': () => keyvGoStore.set(key(n++), 'x', 60_000),
});
add('get', {
  store: () => store.get('g', key(n++)),
  'raw sql.js': () => raw.get(SQL.get, ['g', key(n++)]),
  'better-sqlite3': native && (() => native.get(SQL.get, ['g', key(n++)])),
  'keyv + sqlite': keyv && (() => keyv.get(key(n++))),
  'keyv + go-store': () => keyvGoStore.get(key(n++)),
});
add('has', {
  store: () => store.has('g', key(n++)),
  'raw sql.js': () => raw.get(SQL.has, ['g', key(n++), now]),
  'better-sqlite3': native && (() => native.get(SQL.has, ['g', key(n++), now])),
  'keyv + sqlite': keyv && (() => keyv.has(key(n++))),
  'keyv + go-store': () => keyvGoStore.has(key(n++)),
});
// Each engine deletes its own pre-filled keys in turn (a run long enough to exhaust them
// deletes missing keys, which costs less: the ratio then flatters nobody).
const deleted = { store: 0, raw: 0, native: 0 };
add('delete', {
  store: () => store.delete('d', `key-${deleted.store++}`),
  'raw sql.js': () => raw.run(SQL.delete, ['d', `key-${deleted.raw++}`, now]),
  'better-sqlite3': native && (() => native.run(SQL.delete, ['d', `key-${deleted.native++}`, now])),
});

report(await measureAll('point', cases));
await keyvStore.close();
await store.close();
