/**
 * Sync: the steady cost its bookkeeping adds to a plain `set` (the change-log trigger and the
 * write-time record; the store syncs nowhere, as when offline), measured side by side with a
 * store without sync, in memory and in a durable file; and the time to sync 10,000 changes from one client to another through a
 * server on 127.0.0.1 (A's push, then B's pull), the median of a few runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@go-store/adapter-node';
import { createSyncHandler, startSync, toNodeListener } from '@go-store/sync';
import { measureAll, report, smoke } from '../lib/harness.mjs';

const KEYS = smoke ? 100 : 10_000;
let n = 0;
const key = () => `key-${n++ % KEYS}`;

const dir = mkdtempSync(join(tmpdir(), 'go-store-bench-sync-'));
const plain = await openStore(':memory:', { purgeIntervalMs: 0 });
const synced = await openStore(':memory:', { purgeIntervalMs: 0 });
const plainFile = await openStore(join(dir, 'plain.db'), { purgeIntervalMs: 0 });
const syncedFile = await openStore(join(dir, 'synced.db'), { purgeIntervalMs: 0 });
// A server that never answers: the bookkeeping runs, no sync completes.
const neverAnswers = (_url, init) =>
  new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(new Error('stopped'))));
const offline = [synced, syncedFile].map((store) =>
  startSync(store, { url: 'http://offline.invalid/', namespaces: ['ns'], fetch: neverAnswers, intervalMs: 0 }),
);

// 100 sets per call: a sample long enough that mitata times whole sets, not its own batching.
const SETS = 100;
const sets = (store) => async () => {
  for (let i = 0; i < SETS; i++) await store.set('ns:g', key(), 'v');
};
// Sets of a few microseconds in memory: nine shorter rounds, which a busy machine skews less
// (as the native suite measures its in-memory cases).
const inMemory = await measureAll(
  'sync',
  [
    { op: 'set (overwrite)', engine: 'without sync (baseline)', fn: sets(plain), opsPerCall: SETS },
    { op: 'set (overwrite)', engine: 'store with sync bookkeeping', fn: sets(synced), opsPerCall: SETS },
  ],
  { rounds: 9 },
);
const onFile = await measureAll('sync', [
  { op: 'set (overwrite), file', engine: 'without sync (baseline)', fn: sets(plainFile), opsPerCall: SETS },
  { op: 'set (overwrite), file', engine: 'store with sync bookkeeping', fn: sets(syncedFile), opsPerCall: SETS },
]);
const results = [...inMemory, ...onFile];
for (const sync of offline) await sync.stop();
for (const store of [plain, synced, plainFile, syncedFile]) await store.close();
rmSync(dir, { recursive: true, force: true });

const CHANGES = smoke ? 500 : 10_000;
const runs = [];
for (let run = 0; run < (smoke ? 1 : 3); run++) runs.push(await syncThroughServer(CHANGES));
runs.sort((a, b) => a - b);
const medianMs = runs[runs.length >> 1];
process.stderr.write(
  `sync      ${CHANGES} changes A → server → B: ${medianMs.toFixed(1)} ms (runs: ${runs.map((r) => r.toFixed(0)).join(', ')})\n`,
);
results.push({
  suite: 'sync',
  op: `sync ${CHANGES.toLocaleString('en-GB')} changes client → server → client (127.0.0.1)`,
  engine: 'store',
  medianNs: (medianMs * 1e6) / CHANGES,
  perOp: 'change',
  totalMs: medianMs,
});
report(results);
process.exit(0);

async function syncThroughServer(count) {
  const serverStore = await openStore(':memory:', { purgeIntervalMs: 0 });
  const handler = createSyncHandler(serverStore, { authorize: () => ['ns'] });
  const server = http.createServer(toNodeListener(handler));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const a = await openStore(':memory:', { purgeIntervalMs: 0 });
  const b = await openStore(':memory:', { purgeIntervalMs: 0 });
  for (let i = 0; i < count; i += 100) {
    await a.setMany(
      `ns:g${i % 7}`,
      Array.from({ length: Math.min(100, count - i) }, (_, j) => [`k${i + j}`, `value ${i + j}`]),
    );
  }
  const options = { url, namespaces: ['ns'], intervalMs: 0 };
  const started = performance.now();
  const syncA = startSync(a, options);
  await syncA.syncNow();
  const syncB = startSync(b, options);
  await syncB.syncNow();
  const elapsed = performance.now() - started;
  if ((await b.countAll('ns:')) !== count) throw new Error('sync bench: B did not receive every change');
  await syncA.stop();
  await syncB.stop();
  handler.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  for (const store of [a, b, serverStore]) await store.close();
  return elapsed;
}
