/**
 * What only the store does, measured against its own plain operations in the same run:
 * render against getAll of the same group, a scoped set under a quota against a plain set
 * (overwriting a key, and writing a new one), and a set with 1, 10 and 100 watchers against a
 * set that nobody watches.
 */
import { openStore } from '@go-store/adapter-node';
import { measureAll, report, smoke } from '../lib/harness.mjs';

const store = await openStore(':memory:', { purgeIntervalMs: 0 });
await store.setMany(
  'mail',
  Array.from({ length: 50 }, (_, i) => [`key${i}`, `value-${i}`]),
);
const template = 'smtp://{{ .key1 }}:{{ .key2 }}/{{ index . "key3" }}';

const KEYS = smoke ? 100 : 10_000;
let n = 0;
const key = () => `key-${n++ % KEYS}`;
const scoped = store.scope('tenant-1', { maxKeys: KEYS * 2, maxGroups: 10 });
await scoped.setMany(
  'g',
  Array.from({ length: KEYS }, (_, i) => [`key-${i}`, 'v']),
);

// New keys under a quota, in a namespace of 100,000 keys (1,000 in smoke runs): the check reads
// the namespace's counts (kept by triggers), so its cost must not grow with the namespace.
const NAMESPACE_KEYS = smoke ? 1_000 : 100_000;
const growing = store.scope('tenant-2', { maxKeys: 1e9, maxGroups: 1e6 });
await growing.setMany(
  'g',
  Array.from({ length: NAMESPACE_KEYS }, (_, i) => [`seed-${i}`, 'v']),
);
let fresh = 0;

const cases = [
  { op: 'render (50 keys, 3 variables)', engine: 'getAll (baseline)', fn: () => store.getAll('mail') },
  { op: 'set of a new key', engine: 'unscoped (baseline)', fn: () => store.set('fresh', `key-${fresh++}`, 'v') },
  {
    op: 'set of a new key',
    engine: `store, scoped with quota, namespace of ${NAMESPACE_KEYS.toLocaleString('en-GB')}+ keys`,
    fn: () => growing.set('g', `key-${fresh++}`, 'v'),
  },
  { op: 'render (50 keys, 3 variables)', engine: 'store', fn: () => store.render(template, 'mail') },
  { op: 'scoped set with quota (overwrite)', engine: 'set (baseline)', fn: () => store.set('plain', key(), 'v') },
  { op: 'scoped set with quota (overwrite)', engine: 'store', fn: () => scoped.set('g', key(), 'v') },
];

// Watchers are added between measurements (0, then 1, 10, 100), each drained as events
// arrive, as a consumer would; the set pays the fan-out.
const watched = await openStore(':memory:', { purgeIntervalMs: 0 });
const drains = [];
const results = await measureAll('features', cases);
for (const count of smoke ? [0, 1, 10] : [0, 1, 10, 100]) {
  while (drains.length < count) {
    const watcher = watched.watch('w', '*', { bufferSize: 1024 });
    drains.push(
      (async () => {
        for await (const _ of watcher);
      })(),
    );
  }
  const engine = count === 0 ? 'no watchers (baseline)' : `store, ${count} watcher${count > 1 ? 's' : ''}`;
  results.push(
    ...(await measureAll('features', [{ op: 'set, watch fan-out', engine, fn: () => watched.set('w', key(), 'v') }])),
  );
}
report(results);
await store.close();
await watched.close();
await Promise.all(drains);
