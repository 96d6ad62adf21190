/**
 * What only the store does, measured against its own plain operations in the same run:
 * render against getAll of the same group, a scoped set under a quota against a plain set,
 * and a set with 1, 10 and 100 watchers against a set that nobody watches.
 */
import { openStore } from '@go-store/adapter-node';
import { measureAll, report, smoke } from '../lib/harness.mjs';

const store = await openStore(':memory:', { purgeIntervalMs: 0 });
await store.setMany('mail', Array.from({ length: 50 }, (_, i) => [`key${i}`, `value-${i}`]));
const template = 'smtp://{{ .key1 }}:{{ .key2 }}/{{ index . "key3" }}';

const KEYS = smoke ? 100 : 10_000;
let n = 0;
const key = () => `key-${n++ % KEYS}`;
const scoped = store.scope('tenant-1', { maxKeys: KEYS * 2, maxGroups: 10 });
await scoped.setMany('g', Array.from({ length: KEYS }, (_, i) => [`key-${i}`, 'v']));

const cases = [
  { op: 'render (50 keys, 3 variables)', engine: 'getAll (baseline)', fn: () => store.getAll('mail') },
  { op: 'render (50 keys, 3 variables)', engine: 'store', fn: () => store.render(template, 'mail') },
  { op: 'scoped set with quota', engine: 'set (baseline)', fn: () => store.set('plain', key(), 'v') },
  { op: 'scoped set with quota', engine: 'store', fn: () => scoped.set('g', key(), 'v') },
];

const watched = await openStore(':memory:', { purgeIntervalMs: 0 });
cases.push({ op: 'set, watch fan-out', engine: 'no watchers (baseline)', fn: () => watched.set('w', key(), 'v') });
const drains = [];
for (const count of smoke ? [1, 10] : [1, 10, 100]) {
  // Each watcher is drained as events arrive, as a consumer would; the set pays the fan-out.
  while (drains.length < count) {
    const watcher = watched.watch('w', '*', { bufferSize: 1024 });
    drains.push((async () => { for await (const _ of watcher) ; })());
  }
  cases.push({ op: 'set, watch fan-out', engine: `${count} watcher${count > 1 ? 's' : ''}`, fn: () => watched.set('w', key(), 'v') });
}

// The watcher rows share one store whose watchers accumulate, so they run in order.
const results = [];
results.push(...(await measureAll('features', cases.filter((c) => c.op !== 'set, watch fan-out'))));
for (const c of cases.filter((c) => c.op === 'set, watch fan-out')) results.push(...(await measureAll('features', [c])));
report(results);
await store.close();
await watched.close();
await Promise.all(drains);
