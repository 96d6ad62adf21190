/**
 * The native engine (`engine: 'native'`) on Node 24 (node:sqlite), Bun (bun:sqlite) and Deno
 * (its node:sqlite), each against the raw SQLite of the same runtime running the same SQL in the
 * same process, and against Keyv with @keyv/sqlite on the same disk: point get and set in memory,
 * a durable sequential set against a raw `synchronous=FULL` autocommit upsert (WAL, as the
 * store), 10 and 100 concurrent durable writers (medians per acknowledged write), and opening a
 * 1 GB database plus its first get (time and the process's RSS).
 *
 * What the baselines do, so that the ratios are fair:
 * - get: the store's point read (`SELECT value, expires_at … WHERE grp = ? AND key = ?`) as one
 *   prepared statement, rows as arrays; the store also checks the expiry it reads.
 * - set: the store's upsert (`INSERT … ON CONFLICT (grp, key) DO UPDATE SET value, expires_at`,
 *   expiry NULL, as `set` writes it) as one autocommit statement on a plain `kv` table; the
 *   store's own table also carries its namespace-count triggers.
 * - Each case runs 100 operations per measured call: the raw statements are called in turn,
 *   synchronously; the store's calls are each awaited in turn, as a caller would. So the
 *   store's figure includes the Promise every call returns and the turn of the event loop its
 *   await costs, while the harness's own cost of an asynchronous call is spread over 100.
 * - durable set: one raw autocommit upsert (one fsync each) against one awaited `set` (its
 *   Promise resolves after its batch has committed with `synchronous=FULL`: one fsync each too).
 *
 * `pnpm bench` runs suites on this machine's Node 20, which has no node:sqlite: this file then
 * measures Keyv itself (its sqlite3 addon is built for Node 20) and runs its native part in the
 * Node 24, Bun and Deno that packages/runtime-tests installs (pinned registry packages),
 * reporting them as the suites `native` (Node 24), `native-bun` and `native-deno`; the Keyv
 * rows, measured once, are each suite's Keyv baseline.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@go-store/adapter-node';
import { KV_SCHEMA, measureAll, openKeyv, report, SQL, smoke } from '../lib/harness.mjs';

const VALUE = 'v'.repeat(40);
const SQLITE_VERSION = 'SELECT sqlite_version()';
/** Operations per measured call of the in-memory cases. */
const BATCH = 100;
const here = fileURLToPath(import.meta.url);
const installed = (path) =>
  fileURLToPath(new URL(`../../packages/runtime-tests/node_modules/${path}`, import.meta.url));

/** Each runtime's suite, binary and command line (Deno needs its permissions and V8's gc flag). */
const RUNTIMES = {
  node24: { suite: 'native', binary: installed('node24/bin/node'), args: ['--expose-gc'] },
  bun: { suite: 'native-bun', binary: installed('bun/bin/bun.exe'), args: [] },
  deno: {
    suite: 'native-deno',
    binary: installed('deno/deno'),
    args: ['run', '--allow-all', '--no-prompt', '--no-lock', '--v8-flags=--expose-gc'],
  },
};
const runtime = process.versions.bun ? 'bun' : process.versions.deno ? 'deno' : 'node24';
const flag = (name) => process.argv[process.argv.indexOf(name) + 1];
const part = process.argv.includes('--native-part') ? 'native' : process.argv.includes('--open-part') ? 'open' : 'host';

if (part === 'open') await openPart();
else if (part === 'native') await nativePart();
else await hostPart();

/** Runs this file in `name`'s runtime; its stdout. */
function runIn(name, args) {
  const { binary, args: options } = RUNTIMES[name];
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run pnpm install (packages/runtime-tests pins it)`);
  const child = spawnSync(binary, [...options, here, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`${name}: ${args.join(' ')} failed (exit ${child.status})\n${child.stdout}`);
  return child.stdout;
}

/** Node 20: Keyv's rows here, then each runtime's native rows from a child, one report. */
async function hostPart() {
  const dir = mkdtempSync(join(tmpdir(), 'go-store-bench-native-'));
  try {
    const keyvFile = join(dir, 'keyv.sqlite');
    const keyv = await openKeyv(`sqlite://${keyvFile}`);
    let n = 0;
    const keyvRows = await measureAll('native', [
      { op: 'durable set, sequential', engine: 'keyv + sqlite', fn: keyv && (() => keyv.set(`key-${n++}`, VALUE)) },
      ...concurrent('keyv + sqlite', 10, keyv && ((i) => keyv.set(`key-${n++}-${i}`, VALUE))),
    ]);
    await keyv?.disconnect?.();
    const results = [];
    for (const name of Object.keys(RUNTIMES)) {
      const stdout = runIn(name, ['--native-part', '--dir', dir, ...(smoke ? ['--smoke'] : [])]);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULTS '));
      if (!line) throw new Error(`${name}: no results\n${stdout}`);
      const suite = RUNTIMES[name].suite;
      results.push(...keyvRows.map((r) => ({ ...r, suite })), ...JSON.parse(line.slice('RESULTS '.length)));
    }
    report(results);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

/**
 * The raw SQLite of this runtime (node:sqlite, or bun:sqlite on Bun), with the pragmas the store
 * sets: `open(path)` gives the connection and the store's get and upsert, prepared once, called
 * as each runtime's own API has it (rows as arrays).
 */
async function rawSqlite() {
  if (runtime === 'bun') {
    const { Database } = await import('bun:sqlite');
    return {
      name: 'bun:sqlite',
      version: new Database(':memory:').prepare(SQLITE_VERSION).values()[0][0],
      open(path) {
        const db = new Database(path);
        const statements = setUp(db, path, (sql) => db.prepare(sql));
        return {
          db,
          get: (group, key) => statements.get.values(group, key),
          upsert: (group, key, value, expiresAt) => statements.upsert.run(group, key, value, expiresAt),
          statements,
        };
      },
    };
  }
  const { DatabaseSync } = await import('node:sqlite');
  return {
    name: 'node:sqlite',
    version: new DatabaseSync(':memory:').prepare(SQLITE_VERSION).get()['sqlite_version()'],
    open(path) {
      const db = new DatabaseSync(path);
      const statements = setUp(db, path, (sql) => {
        const statement = db.prepare(sql);
        statement.setReturnArrays(true);
        return statement;
      });
      return {
        db,
        get: (group, key) => statements.get.get(group, key),
        upsert: (group, key, value, expiresAt) => statements.upsert.run(group, key, value, expiresAt),
        statements,
      };
    },
  };
}

function runtimeName() {
  if (process.versions.bun) return `Bun ${process.versions.bun}`;
  if (process.versions.deno) return `Deno ${process.versions.deno}`;
  return `Node ${process.versions.node}`;
}

function setUp(db, path, prepare) {
  if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec(KV_SCHEMA);
  return { get: prepare(SQL.get), upsert: prepare(SQL.upsert) };
}

/** One runtime: the store's native engine beside the runtime's raw SQLite. */
async function nativePart() {
  const load = loadavg()[0].toFixed(1);
  const suite = RUNTIMES[runtime].suite;
  const sqlite = await rawSqlite();
  const raw = `raw ${sqlite.name}`;
  const dir = mkdtempSync(join(tmpdir(), `go-store-bench-${suite}-`));
  const memory = sqlite.open(':memory:');
  const durable = sqlite.open(join(dir, 'raw.db'));
  const store = await openStore(':memory:', { engine: 'native', purgeIntervalMs: 0 });
  const file = await openStore(join(dir, 'store.db'), { engine: 'native', purgeIntervalMs: 0 });
  const keys = Array.from({ length: 1000 }, (_, i) => `key-${i}`);
  for (const key of keys) {
    memory.upsert('g', key, VALUE, null);
    await store.set('g', key, VALUE);
  }
  // The statements themselves, not the wrappers above: the baseline pays no call of ours.
  const { get, upsert } = memory.statements;
  const rawGet = runtime === 'bun' ? (key) => get.values('g', key) : (key) => get.get('g', key);
  let n = 0;
  const batch = (call) => ({
    opsPerCall: BATCH,
    fn: () => {
      for (let i = 0; i < BATCH; i++) call(keys[n++ % 1000]);
    },
  });
  const awaitedBatch = (call) => ({
    opsPerCall: BATCH,
    fn: async () => {
      for (let i = 0; i < BATCH; i++) await call(keys[n++ % 1000]);
    },
  });
  const engine = `store (native, ${runtime === 'bun' ? 'bun:sqlite' : 'node:sqlite'})`;
  // Operations of a microsecond or so: nine shorter rounds, which a busy machine skews less.
  const inMemory = await measureAll(
    suite,
    [
      { op: 'point get (memory)', engine: `${raw} (baseline)`, ...batch(rawGet) },
      { op: 'point get (memory)', engine, ...awaitedBatch((key) => store.get('g', key)) },
      { op: 'set (memory)', engine: `${raw} (baseline)`, ...batch((key) => upsert.run('g', key, VALUE, null)) },
      { op: 'set (memory)', engine, ...awaitedBatch((key) => store.set('g', key, VALUE)) },
    ],
    { rounds: 9 },
  );
  const onDisk = await measureAll(suite, [
    {
      op: 'durable set, sequential',
      engine: `${raw} FULL autocommit (baseline)`,
      fn: () => durable.statements.upsert.run('g', `key-${n++}`, VALUE, null),
    },
    { op: 'durable set, sequential', engine, fn: () => file.set('g', `key-${n++}`, VALUE) },
    ...concurrent(engine, 10, (i) => file.set('g', `key-${n++}-${i}`, VALUE)),
    ...concurrent(engine, 100, (i) => file.set('g', `key-${n++}-${i}`, VALUE)),
  ]);
  const results = [...inMemory, ...onDisk];
  await store.close();
  await file.close();
  memory.db.close();
  durable.db.close();
  // The host passes the folder its runtimes share the large database in.
  results.push(openLargeDatabase(sqlite, process.argv.includes('--dir') ? flag('--dir') : dir, suite, engine));
  rmSync(dir, { recursive: true, force: true });
  // What RESULTS.md says of the run: the runtime, its SQLite, and how busy the machine was.
  const measured = `${runtimeName()}, SQLite ${sqlite.version}, load average ${load} → ${loadavg()[0].toFixed(1)}`;
  report(results.map((r) => ({ ...r, measured })));
}

/**
 * Builds a database of about 1 GB (1 MB when smoke-testing) in `dir` unless an earlier runtime
 * did, then opens it and reads one key in a fresh process of this runtime, five times (once
 * when smoke-testing): the median time and the largest RSS. The time starts after the adapter
 * is imported, so it includes loading the runtime's SQLite.
 */
function openLargeDatabase(sqlite, dir, suite, engine) {
  const path = join(dir, 'large.db');
  if (!existsSync(path)) {
    const rows = smoke ? 100 : 100_000;
    const { db, upsert } = sqlite.open(path);
    const big = 'x'.repeat(10_000);
    db.exec('BEGIN');
    for (let i = 0; i < rows; i++) upsert(`group-${i % 100}`, `key-${i}`, big, null);
    db.exec('COMMIT');
    db.close();
  }
  const megabytes = Math.round(statSync(path).size / 2 ** 20);
  const runs = [];
  for (let i = 0; i < (smoke ? 1 : 5); i++)
    runs.push(JSON.parse(runIn(runtime, ['--open-part', path]).trim().split('\n').pop()));
  const times = runs.map((r) => r.ms).sort((a, b) => a - b);
  const rss = Math.max(...runs.map((r) => r.rssMb));
  return {
    suite,
    op: `open + first get, ${megabytes} MB database (RSS ≤ ${rss} MB)`,
    engine,
    medianNs: times[times.length >> 1] * 1e6,
  };
}

/** A fresh process of this runtime: open the database, read one key, print the time and RSS. */
async function openPart() {
  const path = flag('--open-part');
  const started = performance.now();
  const store = await openStore(path, { engine: 'native', purgeIntervalMs: 0 });
  await store.get('group-7', 'key-7');
  const ms = performance.now() - started;
  const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  await store.close();
  console.log(JSON.stringify({ ms, rssMb }));
}
