/**
 * The write log and compaction of file databases: what is logged, how a damaged tail is
 * recovered from, and how the database file catches up.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as nodePath from 'node:path';
import { createStore, DriverError, NotADatabaseError, openFileDriver } from '@go-store/adapter-node';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  crashCopy,
  listDir,
  loadCrc32,
  loadLogFormat,
  openFileStore,
  readLog,
  sqlite3,
  tempDir,
} from './persistence-helpers.js';

/** Never compacts by size (so the log holds every write of a test). */
const NO_COMPACTION = { compactMinBytes: 1 << 30 };

async function records(db: string) {
  return readLog(fs.readFileSync(`${db}.gslog`));
}

/**
 * Makes `node:fs`'s `name` fail with EIO while `when()` says so (for every ES module that imports
 * `node:fs`, the adapter's included); returns the function that restores it.
 */
function failFs(name: 'fsyncSync' | 'fdatasyncSync', when: () => boolean): () => void {
  const cjs = createRequire(import.meta.url)('node:fs') as Record<string, unknown>;
  const original = cjs[name] as (fd: number) => void;
  cjs[name] = (fd: number): void => {
    if (when()) throw Object.assign(new Error(`EIO: i/o error, ${name}`), { code: 'EIO' });
    original(fd);
  };
  syncBuiltinESMExports();
  return () => {
    cjs[name] = original;
    syncBuiltinESMExports();
  };
}

const log = suite('persistence: the write log');

log('a write is in the log when its Promise resolves, and a crash copy replays it', async () => {
  const dir = tempDir('log');
  const db = nodePath.join(dir, 'a.db');
  const store = await openFileStore(db, NO_COMPACTION);
  await store.set('config', 'theme', 'dark');
  await store.setWithTTL('session', 'abc', 'token', 60_000);
  await store.delete('config', 'missing');
  const copy = crashCopy(db);
  await store.close();

  assert.is(
    sqlite3(copy, 'SELECT count(*) FROM sqlite_master'),
    '0',
    'the database file lags the log before compaction',
  );
  const replayed = await openFileStore(copy);
  assert.is(await replayed.get('config', 'theme'), 'dark');
  assert.is(await replayed.get('session', 'abc'), 'token');
  await replayed.close();
  assert.is(
    sqlite3(copy, "SELECT value FROM kv WHERE grp = 'config'"),
    'dark',
    'after close the file holds every write',
  );
});

log(
  'a committed transaction is one record; a rolled-back one leaves nothing; a write that changes nothing is not logged',
  async () => {
    const dir = tempDir('log');
    const db = nodePath.join(dir, 'tx.db');
    const store = await openFileStore(db, NO_COMPACTION);
    await store.flush();
    const before = (await records(db)).records.length;
    await store.transaction(async (tx) => {
      await tx.set('a', '1', 'one');
      await tx.set('a', '2', 'two');
      await tx.delete('a', '1');
    });
    let scan = await records(db);
    assert.is(scan.records.length, before + 1, 'one record for the transaction');
    const record = scan.records.at(-1)!.record;
    assert.is(record.type, 'writes');
    if (record.type === 'writes') {
      assert.ok(record.transaction, 'marked as a transaction');
      assert.is(record.statements.length, 3);
    }

    const failure = new Error('changed my mind');
    const caught = await store
      .transaction(async (tx) => {
        await tx.set('a', '3', 'three');
        throw failure;
      })
      .catch((error: unknown) => error);
    assert.is(caught, failure);
    await store.delete('nothing', 'here');
    await store.deleteGroup('nothing');
    scan = await records(db);
    assert.is(scan.records.length, before + 1, 'no record for a rollback or for writes that changed nothing');
    await store.close();
  },
);

log('every SQL value type round-trips through the log', async () => {
  const { LogEncoder, LEGACY_LOG_HEADER } = await loadLogFormat();
  const encoder = new LogEncoder();
  const params = [
    null,
    0,
    -0,
    1.5,
    -(2 ** 53),
    2 ** 53 + 2,
    Number.MAX_VALUE,
    9007199254740993n,
    -1n,
    '',
    'a\u0000b\n😀中文עברית',
    'x'.repeat(100_000),
    new Uint8Array([0, 1, 255]),
  ];
  const a = encoder.writes([{ op: 'run', sql: 'INSERT INTO t VALUES (?)', params }], false);
  const b = encoder.writes(
    [
      { op: 'run', sql: 'INSERT INTO t VALUES (?)', params: ['again'] },
      { op: 'exec', sql: 'CREATE TABLE u (x)', params: [] },
    ],
    true,
  );
  const bytes = new Uint8Array([...LEGACY_LOG_HEADER, ...a, ...b]);
  const scan = await readLog(bytes);
  assert.is(scan.records.length, 2);
  assert.is(scan.tail, 'none');
  const first = scan.records[0].record;
  assert.ok(first.type === 'writes');
  if (first.type === 'writes') {
    assert.equal(first.statements[0].params.slice(0, -1), params.slice(0, -1));
    assert.ok(Object.is(first.statements[0].params[2], -0), '-0 stays -0');
    assert.equal([...(first.statements[0].params.at(-1) as Uint8Array)], [0, 1, 255]);
  }
  const second = scan.records[1].record;
  assert.ok(
    second.type === 'writes' && second.transaction && second.statements[0].sql === 'INSERT INTO t VALUES (?)',
    'the second use of a statement refers to the first',
  );
  assert.ok(b.length < 60, `the second record does not repeat the SQL (${b.length} bytes)`);
});

log('CRC-32: the native and the portable implementation agree', async () => {
  const { crc32, portableCrc32 } = await loadCrc32();
  const data = new Uint8Array(10_000).map((_, i) => (i * 7919) & 0xff);
  assert.is(crc32(new TextEncoder().encode('123456789')), 0xcbf43926, 'the standard check value');
  assert.is(portableCrc32(data), crc32(data));
  assert.is(
    portableCrc32(data.subarray(5000), portableCrc32(data.subarray(0, 5000))),
    crc32(data),
    'continuing from a previous CRC',
  );
});

/** A store with 30 acknowledged writes whose log is copied as a crash would leave it. */
async function crashedWith30Writes(): Promise<{ copy: string; scanEnd: number[] }> {
  const dir = tempDir('tail');
  const db = nodePath.join(dir, 'tail.db');
  const store = await openFileStore(db, NO_COMPACTION);
  for (let i = 0; i < 30; i++) await store.set('g', String(i).padStart(2, '0'), `value ${i}`);
  const copy = crashCopy(db);
  await store.close();
  const scan = await records(copy);
  return { copy, scanEnd: scan.records.map((r) => r.end) };
}

/** Every file beside `db` with its bytes, to check that an open changed nothing. */
function snapshotOf(db: string): Record<string, string> {
  const dir = nodePath.dirname(db);
  return Object.fromEntries(
    listDir(dir).map((name) => [name, fs.readFileSync(nodePath.join(dir, name)).toString('base64')]),
  );
}

async function keysOf(db: string): Promise<string[]> {
  const store = await openFileStore(db, NO_COMPACTION);
  const keys = Object.keys(await store.getAll('g')).sort();
  await store.close();
  return keys;
}

const tail = suite('persistence: a torn or damaged log tail');

log(
  'a write whose log fsync failed is rejected, and so is every read and write after it, until the store is reopened',
  async () => {
    const dir = tempDir('log-fail');
    const db = nodePath.join(dir, 'fail.db');
    const store = await openFileStore(db, NO_COMPACTION);
    await store.set('g', 'kept', 'durable');
    let failing = true;
    const restore = failFs('fdatasyncSync', () => failing);
    let refused: unknown;
    try {
      refused = await store.set('g', 'lost', 'not durable').then(
        () => undefined,
        (error: unknown) => error,
      );
    } finally {
      failing = false;
      restore();
    }
    assert.ok(refused instanceof DriverError, String(refused));
    for (const [what, call] of [
      ['get of the refused write', () => store.get('g', 'lost')],
      ['get of a durable write', () => store.get('g', 'kept')],
      ['getAll', () => store.getAll('g')],
      ['set', () => store.set('g', 'later', 'x')],
    ] as const) {
      const error = await (call() as Promise<unknown>).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof DriverError, `${what}: ${String(error)}`);
      assert.match((error as Error).message, /reopen the store/, what);
    }
    await store.close().catch(() => undefined);
    const reopened = await openFileStore(db);
    assert.is(await reopened.get('g', 'kept'), 'durable');
    await reopened.close();
  },
);

log('a write that changes nothing is not logged, also right after one that changed rows', async () => {
  const dir = tempDir('log');
  const db = nodePath.join(dir, 'noop.db');
  const store = await openFileStore(db, NO_COMPACTION);
  await store.set('g', 'a', 'one');
  const size = fs.statSync(`${db}.gslog`).size;
  await store.delete('g', 'missing');
  await store.deleteGroup('nothing');
  assert.is(fs.statSync(`${db}.gslog`).size, size, 'no record, no fsync');
  await store.set('g', 'b', 'two');
  await store.delete('g', 'a');
  await store.delete('g', 'a');
  const scan = await records(db);
  assert.is(
    scan.records.filter((r) => r.record.type === 'writes').length,
    5,
    'the table, the namespace counts (one transaction), and three writes that changed a row',
  );
  await store.close();
});

const FIRST_29 = Array.from({ length: 29 }, (_, i) => String(i).padStart(2, '0'));

tail(
  'a log cut in the middle of its last record: the earlier records are kept, and new writes after the cut survive',
  async () => {
    const { copy } = await crashedWith30Writes();
    const size = fs.statSync(`${copy}.gslog`).size;
    fs.truncateSync(`${copy}.gslog`, size - 5);
    // Open, write, and crash again: the torn bytes must have been cut off before appending.
    const store = await openFileStore(copy, NO_COMPACTION);
    assert.equal(Object.keys(await store.getAll('g')).sort(), FIRST_29, 'all but the torn record');
    await store.set('g', 'after', 'the cut');
    const second = crashCopy(copy);
    await store.close();
    assert.equal(await keysOf(second), [...FIRST_29, 'after']);
    assert.not.ok(fs.existsSync(`${copy}.gslog.damaged`), 'a torn tail is a crash, not damage: nothing kept');
  },
);

tail('a flipped byte in the last record is caught by its checksum; the damaged bytes are kept aside', async () => {
  const { copy, scanEnd } = await crashedWith30Writes();
  const bytes = fs.readFileSync(`${copy}.gslog`);
  const lastStart = scanEnd.at(-2)!;
  bytes[lastStart + 12] ^= 0x40; // inside the payload
  fs.writeFileSync(`${copy}.gslog`, bytes);
  assert.equal(await keysOf(copy), FIRST_29);
  assert.ok(fs.existsSync(`${copy}.gslog.damaged`), 'the damaged tail is kept for inspection');
});

tail("a flipped byte in the last record's length is caught too", async () => {
  for (const flip of [0x01, 0x80]) {
    const { copy, scanEnd } = await crashedWith30Writes();
    const bytes = fs.readFileSync(`${copy}.gslog`);
    bytes[scanEnd.at(-2)!] ^= flip; // the length's low byte: shorter or longer
    fs.writeFileSync(`${copy}.gslog`, bytes);
    assert.equal(await keysOf(copy), FIRST_29, `flip 0x${flip.toString(16)}`);
  }
});

tail(
  'a damaged header: refused (the log cannot be matched to its database), changing nothing; damagedLog discard accepts the loss',
  async () => {
    const { copy } = await crashedWith30Writes();
    const bytes = fs.readFileSync(`${copy}.gslog`);
    bytes[2] ^= 0xff;
    fs.writeFileSync(`${copy}.gslog`, bytes);
    const before = snapshotOf(copy);
    const error = await openFileStore(copy).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof NotADatabaseError, String(error));
    assert.match((error as Error).message, /header is damaged.*damagedLog: 'discard'/);
    assert.equal(snapshotOf(copy), before, 'nothing changed');
    const reports: unknown[] = [];
    const store = await openFileStore(copy, { damagedLog: 'discard', onError: (e) => void reports.push(e) });
    assert.is(await store.count('g'), 0, 'the log was all there was');
    await store.close();
    assert.is(reports.length, 1);
    assert.equal(
      new Uint8Array(fs.readFileSync(`${copy}.gslog.damaged`)),
      new Uint8Array(bytes),
      'the whole log is kept',
    );
  },
);

const compaction = suite('persistence: compaction');

compaction(
  'the log is compacted in the background once it outgrows the database; writes meanwhile are kept',
  async () => {
    const dir = tempDir('compact');
    const db = nodePath.join(dir, 'c.db');
    const store = await openFileStore(db, { compactMinBytes: 64 * 1024, compactRatio: 1 });
    const value = 'v'.repeat(200);
    for (let i = 0; i < 2000; i++) await store.set('g', String(i), value);
    const logSize = fs.statSync(`${db}.gslog`).size;
    const dbSize = fs.statSync(db).size;
    assert.ok(dbSize > 100_000, `the database file was rewritten by compaction (${dbSize} bytes)`);
    // A compaction in a worker may still be running when the loop ends: writers wait once the
    // log reaches 4 thresholds, which bounds it.
    assert.ok(
      logSize < 4 * Math.max(64 * 1024, dbSize) + 16 * 1024,
      `the log stays within its bound (${logSize} bytes, database ${dbSize})`,
    );
    assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok', 'the raw database file is valid while a log exists');
    const lag = Number(sqlite3(db, 'SELECT count(*) FROM kv'));
    assert.ok(lag > 0 && lag <= 2000, `the file holds the writes up to the last compaction (${lag})`);
    const copy = crashCopy(db);
    await store.close();
    assert.is(sqlite3(db, 'SELECT count(*) FROM kv'), '2000', 'after close the file holds every write');
    assert.equal(listDir(dir), ['c.db']);
    assert.is(
      Number((await openFileStore(copy).then(async (s) => [await s.count('g'), await s.close()]))[0]),
      2000,
      'a crash copy has them too',
    );
  },
);

compaction(
  'compact() brings the database file up to date now; flush() makes writes durable in relaxed mode',
  async () => {
    const dir = tempDir('compact');
    const db = nodePath.join(dir, 'now.db');
    const driver = await openFileDriver(db, { durability: 'relaxed', relaxedIntervalMs: 60_000 });
    await driver.exec('CREATE TABLE t (x TEXT)');
    await driver.run('INSERT INTO t VALUES (?)', ['one']);
    await driver.sync();
    const copy = crashCopy(db);
    await driver.flush();
    await driver.compact();
    assert.is(sqlite3(db, 'SELECT x FROM t'), 'one');
    assert.is(fs.statSync(`${db}.gslog`).size, 24, 'the log holds just its header');
    await driver.close();
    const reopened = await openFileDriver(copy);
    assert.equal(
      await reopened.all('SELECT x FROM t', []),
      [['one']],
      'a relaxed write is handed to the kernel before it resolves',
    );
    await reopened.close();
  },
);

compaction(
  'a failed compaction loses nothing: it is reported to onError, retried, and close() says where the writes are',
  async () => {
    const dir = tempDir('compact-fail');
    const db = nodePath.join(dir, 'f.db');
    const errors: unknown[] = [];
    const onError = (error: unknown): void => void errors.push(error);
    // Snapshots on this thread: a worker's failure is only found when it ends, which under load
    // can be after the writes below.
    const driver = await openFileDriver(db, { compactMinBytes: 16 * 1024, onError, snapshotWorker: false });
    const store = await createStore(driver, { purgeIntervalMs: 0, onError, asyncContext: new AsyncLocalStorage() });
    fs.mkdirSync(`${db}.gstmp`); // the snapshot cannot be written
    for (let i = 0; i < 400; i++) await store.set('g', String(i), 'x'.repeat(100));
    assert.ok(errors.length > 0, 'reported');
    assert.ok(errors.length < 10, `retried after more writes, not on every write (${errors.length})`);
    assert.ok(
      errors[0] instanceof DriverError && /compaction failed/.test((errors[0] as Error).message),
      String(errors[0]),
    );
    const closing = await store.close().then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(closing instanceof DriverError && (closing as Error).message.includes(`${db}.gslog`), String(closing));
    fs.rmdirSync(`${db}.gstmp`);
    const reopened = await openFileStore(db);
    assert.is(await reopened.count('g'), 400, 'every write kept in the log');
    await reopened.close();
    assert.equal(listDir(dir), ['f.db']);
  },
);

compaction(
  'a log rotation whose directory fsync fails: no later write is acknowledged unless it is in the log on disk',
  async () => {
    const dir = tempDir('rotate-fail');
    const db = nodePath.join(dir, 'r.db');
    const driver = await openFileDriver(db, NO_COMPACTION);
    await driver.exec('CREATE TABLE t (x TEXT)');
    await driver.run('INSERT INTO t VALUES (?)', ['before']);
    await driver.sync();
    const restore = failFs('fsyncSync', () => /\brotate\b/.test(new Error().stack ?? ''));
    let compacted: unknown;
    try {
      compacted = await driver.compact().then(
        () => undefined,
        (error: unknown) => error,
      );
    } finally {
      restore();
    }
    assert.ok(compacted instanceof DriverError, String(compacted));
    const acknowledged = ['before'];
    for (const x of ['after 1', 'after 2']) {
      try {
        await driver.run('INSERT INTO t VALUES (?)', [x]);
        await driver.sync();
        acknowledged.push(x);
      } catch (error) {
        assert.ok(error instanceof DriverError, String(error));
      }
    }
    const copy = crashCopy(db);
    await driver.close().catch(() => undefined);
    const reopened = await openFileDriver(copy);
    const rows = (await reopened.all('SELECT x FROM t', [])).map((row) => row[0]);
    await reopened.close();
    for (const x of acknowledged)
      assert.ok(rows.includes(x), `acknowledged ${JSON.stringify(x)} is in the crash copy: ${JSON.stringify(rows)}`);
  },
);

compaction('a pre-TTL go-store database is migrated, and the migration survives a crash', async () => {
  const dir = tempDir('migrate');
  const db = nodePath.join(dir, 'old.db');
  sqlite3(
    db,
    "CREATE TABLE kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (grp, key)); INSERT INTO kv VALUES ('g', 'k', 'from before TTLs');",
  );
  const store = await openFileStore(db, NO_COMPACTION);
  await store.setWithTTL('g', 'ttl', 'expires', 3_600_000);
  const copy = crashCopy(db);
  await store.close();
  assert.match(sqlite3(db, 'PRAGMA table_info(kv)'), /expires_at/);
  const reopened = await openFileStore(copy);
  assert.is(await reopened.get('g', 'k'), 'from before TTLs');
  assert.is(await reopened.get('g', 'ttl'), 'expires');
  await reopened.close();
  assert.is(sqlite3(copy, 'SELECT count(*) FROM kv WHERE expires_at IS NOT NULL'), '1');
});

log.run();
tail.run();
compaction(
  'writers are slowed while a compaction runs rather than letting the log outgrow the database without bound',
  async () => {
    const dir = tempDir('compact-bound');
    const db = nodePath.join(dir, 'b.db');
    const compactMinBytes = 64 * 1024;
    // Snapshots on this thread, so that the file system hook below sees them.
    const store = await openFileStore(db, { compactMinBytes, compactRatio: 1, snapshotWorker: false });
    const value = 'v'.repeat(20_000);
    // Snapshots are slow here (each waits 300 ms before it is written), so writes come faster
    // than compactions can take them.
    const promises = fs.promises as { open: typeof fs.promises.open };
    const open = promises.open;
    promises.open = async (...args: Parameters<typeof open>) => {
      if (String(args[0]).endsWith('.gstmp')) await new Promise((resolve) => setTimeout(resolve, 300));
      return open(...args);
    };
    let worst = 0;
    try {
      for (let i = 0; i < 150; i++) {
        await store.set('g', `k${i % 40}`, `${i} ${value}`);
        const log = fs.statSync(`${db}.gslog`).size;
        const database = fs.statSync(db).size;
        // The threshold is max(compactMinBytes, the database's size); 4 thresholds while a
        // compaction runs, plus the records of the write that found it over (a few KiB).
        worst = Math.max(worst, log / Math.max(compactMinBytes, database));
      }
    } finally {
      promises.open = open;
    }
    await store.close();
    assert.ok(worst <= 4 + 0.5, `the log reached ${worst.toFixed(2)} thresholds`);
  },
);

compaction(
  'after a run of failed compactions, the next one that succeeds brings the log back to its threshold',
  async () => {
    const dir = tempDir('compact-after-failures');
    const db = nodePath.join(dir, 's.db');
    const compactMinBytes = 16 * 1024;
    const errors: unknown[] = [];
    // Snapshots on this thread, so that each failure is reported before the next write.
    const options = { compactMinBytes, compactRatio: 0.01, snapshotWorker: false };
    const store = await openFileStore(db, { ...options, onError: (e) => errors.push(e) });
    const value = 'x'.repeat(200);
    let k = 0;
    const writeAndMeasure = async (count: number): Promise<number> => {
      let worst = 0;
      for (const end = k + count; k < end; k++) {
        await store.set('w', `k${k}`, value);
        worst = Math.max(worst, fs.statSync(`${db}.gslog`).size);
      }
      return worst;
    };
    await writeAndMeasure(300);
    // Every compaction fails for a while: its snapshot cannot be written where a directory stands.
    fs.mkdirSync(`${db}.gstmp`);
    await writeAndMeasure(1_500);
    fs.rmdirSync(`${db}.gstmp`);
    assert.ok(errors.length > 1, 'the failures were reported');
    // Let the log be compacted once, then measure how far it grows.
    await writeAndMeasure(1_500);
    const worst = await writeAndMeasure(3_000);
    await store.close();
    // The threshold is 16 KiB; writers wait at 4 thresholds while a compaction runs.
    assert.ok(
      worst <= 5 * compactMinBytes,
      `the log reached ${worst} bytes, ${(worst / compactMinBytes).toFixed(1)} thresholds`,
    );
  },
);

compaction.run();
