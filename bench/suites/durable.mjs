/**
 * Durable writes on a file, against what a user would pick instead: Keyv with @keyv/sqlite on
 * a file (SQLite's own default journal) beside Keyv with @go-store/keyv on a file of the same
 * disk, and the store with 1, 10 and 100 concurrent writers (medians per acknowledged write:
 * concurrent writers share fsyncs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@go-store/adapter-node';
import { KeyvGoStore } from '@go-store/keyv';
import Keyv from 'keyv';
import { measureAll, openKeyv, report, smoke } from '../lib/harness.mjs';

const dir = mkdtempSync(join(tmpdir(), 'go-store-bench-durable-'));
const VALUE = 'v'.repeat(40);
let n = 0;
const nextKey = () => `key-${n++}`;

const store = await openStore(join(dir, 'store.db'), { purgeIntervalMs: 0 });
await store.setMany(
  'g',
  Array.from({ length: 1000 }, (_, i) => [`key-${i}`, VALUE]),
);
const keyv = await openKeyv(`sqlite://${join(dir, 'keyv.sqlite')}`);
const keyvStore = await openStore(join(dir, 'keyv-go-store.db'), { purgeIntervalMs: 0 });
const keyvGoStore = new Keyv({ store: new KeyvGoStore(keyvStore) });
for (const k of [keyv, keyvGoStore].filter(Boolean)) for (let i = 0; i < 1000; i++) await k.set(`key-${i}`, VALUE);

// A Keyv baseline that is not installed stays as a case without a function: RESULTS.md says so.
const cases = [
  { op: 'durable set, sequential', engine: 'keyv + sqlite', fn: keyv && (() => keyv.set(nextKey(), VALUE)) },
  { op: 'durable get', engine: 'keyv + sqlite', fn: keyv && (() => keyv.get(`key-${n++ % 1000}`)) },
  { op: 'durable set, sequential', engine: 'keyv + go-store', fn: () => keyvGoStore.set(nextKey(), VALUE) },
  { op: 'durable get', engine: 'keyv + go-store', fn: () => keyvGoStore.get(`key-${n++ % 1000}`) },
];
cases.push(
  { op: 'durable set, sequential', engine: 'store', fn: () => store.set('g', nextKey(), VALUE) },
  { op: 'durable get', engine: 'store', fn: () => store.get('g', `key-${n++ % 1000}`) },
);
for (const writers of smoke ? [1, 10] : [1, 10, 100]) {
  const perWriter = smoke ? 2 : 10;
  cases.push({
    op: `durable set, ${writers} concurrent writer${writers > 1 ? 's' : ''} (per write)`,
    engine: 'store',
    opsPerCall: writers * perWriter,
    fn: () =>
      Promise.all(
        Array.from({ length: writers }, async () => {
          for (let i = 0; i < perWriter; i++) await store.set('g', nextKey(), VALUE);
        }),
      ),
  });
}

report(await measureAll('durable', cases));
await store.close();
await keyv?.disconnect?.();
await keyvStore.close();
rmSync(dir, { recursive: true, force: true });
