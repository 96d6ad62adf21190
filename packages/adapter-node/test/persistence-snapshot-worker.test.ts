/**
 * Background compactions take their snapshot in a worker thread (see docs/persistence.md): the
 * store's thread never copies the database, the result holds exactly what was acknowledged,
 * and where the worker declines or cannot run, the store's own thread takes the snapshot.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { openFileDriver, type Store } from '@go-store/adapter-node';
import { loadSqlJs } from '@go-store/driver-sqljs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { crashCopy, loadSnapshotThread, openFileStore, sqlite3, tempDir } from './persistence-helpers.js';

const worker = suite('persistence: snapshots in a worker thread');

/** Counts the sql.js exports this thread makes (a worker thread has its own sql.js). */
async function countExports(): Promise<{ readonly count: number; restore(): void }> {
  const SQL = await loadSqlJs();
  const proto = SQL.Database.prototype;
  const original = proto.export;
  const counter = {
    count: 0,
    restore: () => {
      proto.export = original;
    },
  };
  proto.export = function (this: typeof proto) {
    counter.count++;
    return original.call(this);
  };
  return counter;
}

const SMALL = { compactMinBytes: 32 * 1024, compactRatio: 0.01 };
const VALUE = 'v'.repeat(300);

/**
 * Writes until the log passes the threshold, then until a snapshot has replaced the database
 * file (a new inode); returns how many keys were written. Each write is awaited (durable), so
 * the loop yields to the compaction; it gives up after `limit` writes.
 */
async function writeThroughCompaction(store: Store, db: string, from = 0, limit = 20_000): Promise<number> {
  const inode = fs.statSync(db).ino;
  let i = from;
  for (; fs.statSync(db).ino === inode; i++) {
    if (i - from >= limit) throw new Error(`no compaction finished after ${limit} writes`);
    await store.set('g', `k${i}`, VALUE);
  }
  return i;
}

worker(
  'a background compaction snapshots in a worker: this thread exports nothing, and the file holds every write before it',
  async () => {
    const db = nodePath.join(tempDir('worker'), 'w.db');
    const store = await openFileStore(db, SMALL);
    const exports = await countExports();
    let written: number;
    try {
      written = await writeThroughCompaction(store, db);
    } finally {
      exports.restore();
    }
    assert.is(exports.count, 0, 'the store thread took no snapshot');
    assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok');
    const inFile = Number(sqlite3(db, "SELECT count(*) FROM kv WHERE grp = 'g'"));
    assert.ok(inFile > 0 && inFile <= written, `the snapshot holds the writes before it (${inFile} of ${written})`);
    // The file holds exactly a prefix of the writes: keys k0…k(n-1), each with its value.
    assert.is(
      sqlite3(db, `SELECT count(*) FROM kv WHERE grp = 'g' AND key IN (${keys(inFile)}) AND value = '${VALUE}'`),
      String(inFile),
    );
    const copy = crashCopy(db);
    await store.close();
    const reopened = await openFileStore(copy);
    assert.is(await reopened.count('g'), written, 'a crash copy taken after it has every write');
    await reopened.close();
  },
);

function keys(n: number): string {
  return Array.from({ length: n }, (_, i) => `'k${i}'`).join(',');
}

worker(
  'when the worker declines (the database file is not the log’s base), the next write compacts on this thread; later ones use the worker again',
  async () => {
    const dir = tempDir('worker-declined');
    const db = nodePath.join(dir, 'd.db');
    const store = await openFileStore(db, SMALL);
    await store.set('g', 'first', 'x');
    // Another valid database file takes the place of ours behind the store's back: the worker,
    // which rebuilds from the file, cannot use it.
    const other = nodePath.join(dir, 'other.db');
    sqlite3(
      other,
      "CREATE TABLE kv (grp TEXT, key TEXT, value TEXT, expires_at INTEGER, PRIMARY KEY (grp, key)); INSERT INTO kv VALUES ('g', 'stranger', 'y', NULL)",
    );
    fs.copyFileSync(other, db);
    const exports = await countExports();
    let written: number;
    let afterFirst: number;
    try {
      written = await writeThroughCompaction(store, db);
      afterFirst = exports.count;
      written = await writeThroughCompaction(store, db, written);
    } finally {
      exports.restore();
    }
    assert.is(afterFirst, 1, 'the compaction the worker declined was taken on this thread');
    assert.is(exports.count, 1, 'the next compaction used the worker again');
    assert.is(
      sqlite3(db, "SELECT count(*) FROM kv WHERE key = 'stranger'"),
      '0',
      'the store’s data replaced the stranger',
    );
    await store.close();
    const reopened = await openFileStore(db);
    assert.is(await reopened.count('g'), written + 1);
    await reopened.close();
  },
);

/**
 * Hooks `node:fs`'s callback `fdatasync` (used only by the log's trimming in the background):
 * `hook` runs before each call and may return an error to fail it. Returns the restore function.
 */
function hookFdatasync(hook: () => Error | undefined): () => void {
  const cjs = createRequire(import.meta.url)('node:fs') as Record<string, unknown>;
  const original = cjs.fdatasync as (fd: number, callback: (error: Error | null) => void) => void;
  cjs.fdatasync = (fd: number, callback: (error: Error | null) => void): void => {
    const error = hook();
    if (error !== undefined) process.nextTick(() => callback(error));
    else original(fd, callback);
  };
  syncBuiltinESMExports();
  return () => {
    cjs.fdatasync = original;
    syncBuiltinESMExports();
  };
}

/** Writes until the log file is replaced (a new inode: trimmed), at most `limit` writes. */
async function writeUntilLogReplaced(store: Store, db: string, inode: number, from: number, limit = 20_000) {
  let i = from;
  for (; fs.statSync(`${db}.gslog`).ino === inode; i++) {
    if (i - from >= limit) throw new Error(`the log was not trimmed after ${limit} writes`);
    await store.set('g', `k${i}`, VALUE);
  }
  return i;
}

worker(
  'writes that arrive while the log is trimmed in the background are kept in the new log, and a crash then loses none',
  async () => {
    const db = nodePath.join(tempDir('worker-trim'), 't.db');
    const store = await openFileStore(db, SMALL);
    const late: Promise<void>[] = [];
    const restore = hookFdatasync(() => {
      // The first sync of the new log: these writes go to the old one meanwhile.
      if (late.length === 0) for (let k = 0; k < 20; k++) late.push(store.set('late', `k${k}`, 'x'));
      return undefined;
    });
    let written: number;
    try {
      const logInode = fs.statSync(`${db}.gslog`).ino;
      written = await writeThroughCompaction(store, db);
      written = await writeUntilLogReplaced(store, db, logInode, written);
      await Promise.all(late);
    } finally {
      restore();
    }
    assert.is(late.length, 20, 'the writes arrived during the trimming');
    const copy = crashCopy(db);
    await store.close();
    const reopened = await openFileStore(copy);
    assert.is(await reopened.count('late'), 20);
    assert.is(await reopened.count('g'), written);
    await reopened.close();
  },
);

worker('a background trimming of the log that fails loses nothing: reported, and the old log kept', async () => {
  const db = nodePath.join(tempDir('worker-trim-fail'), 'f.db');
  const errors: unknown[] = [];
  const store = await openFileStore(db, { ...SMALL, onError: (error: unknown) => void errors.push(error) });
  let failed = 0;
  const restore = hookFdatasync(() => {
    failed++;
    return Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
  });
  let written: number;
  try {
    written = await writeThroughCompaction(store, db);
    // The failure is reported once the compaction ends; writes go on meanwhile.
    for (; errors.length === 0 && written < 40_000; written++) await store.set('g', `k${written}`, VALUE);
  } finally {
    restore();
  }
  assert.ok(failed > 0 && errors.length > 0, `the failure was reported (${String(errors[0])})`);
  assert.not.ok(fs.existsSync(`${db}.gslog.tmp`), 'the new log was removed');
  await store.set('g', 'after', VALUE);
  const copy = crashCopy(db);
  await store.close();
  for (const path of [copy, db]) {
    const reopened = await openFileStore(path);
    assert.is(await reopened.count('g'), written + 1, path);
    await reopened.close();
  }
});

worker('where worker threads cannot start, every compaction snapshots on this thread, losing nothing', async () => {
  const db = nodePath.join(tempDir('worker-unavailable'), 'u.db');
  const threads = createRequire(import.meta.url)('node:worker_threads') as Record<string, unknown>;
  const original = threads.Worker;
  threads.Worker = class {
    constructor() {
      throw new Error('no threads here');
    }
  };
  syncBuiltinESMExports();
  const exports = await countExports();
  let written = 0;
  try {
    const store = await openFileStore(db, SMALL);
    written = await writeThroughCompaction(store, db);
    assert.is(exports.count, 1);
    written = await writeThroughCompaction(store, db, written);
    assert.is(exports.count, 2, 'and the next one too, without trying a worker again');
    await store.close();
  } finally {
    exports.restore();
    threads.Worker = original;
    syncBuiltinESMExports();
  }
  const reopened = await openFileStore(db);
  assert.is(await reopened.count('g'), written);
  await reopened.close();
});

worker(
  'a script that awaits close() while a worker compacts runs to its end (the worker keeps the process alive)',
  async () => {
    const dir = tempDir('worker-script');
    const db = nodePath.join(dir, 's.db');
    const script = `
    import { statSync } from 'node:fs';
    import { openStore } from '@go-store/adapter-node';
    const db = process.argv[1];
    const store = await openStore(db, { purgeIntervalMs: 0, compactMinBytes: 32 * 1024, compactRatio: 0.01 });
    let i = 0;
    // The write that takes the log over its threshold starts a compaction; close() waits for it.
    while (statSync(db + '.gslog').size < 32 * 1024) await store.set('g', 'k' + i++, 'v'.repeat(300));
    await store.close();
    console.log('closed ' + i);
  `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, db], {
      // The package itself: the script imports it by name from there.
      cwd: nodePath.dirname(nodePath.dirname(fileURLToPath(import.meta.resolve('@go-store/adapter-node')))),
      encoding: 'utf8',
    });
    assert.is(child.status, 0, child.stderr);
    const written = Number(/^closed (\d+)$/m.exec(child.stdout)?.[1]);
    assert.ok(written > 0, child.stdout);
    assert.equal(fs.readdirSync(dir), ['s.db'], 'closed cleanly: no log, no lock');
    assert.is(sqlite3(db, 'SELECT count(*) FROM kv'), String(written));
  },
);

worker(
  'the worker job: done, declined for a log that is not the file’s, and a write failure with its code',
  async () => {
    const { snapshotInWorker } = await loadSnapshotThread();
    const dir = tempDir('worker-job');
    const db = nodePath.join(dir, 'j.db');
    const driver = await openFileDriver(db, { compactMinBytes: 1 << 30 });
    await driver.exec('CREATE TABLE t (x TEXT)');
    await driver.run('INSERT INTO t VALUES (?)', ['one']);
    await driver.sync();
    const copy = crashCopy(db);
    const second = crashCopy(db);
    await driver.close();
    const covered = fs.statSync(`${copy}.gslog`).size;
    const job = { database: copy, log: `${copy}.gslog`, covered, temp: `${copy}.gstmp`, mode: undefined };

    const done = await snapshotInWorker(job);
    assert.is(done.kind, 'done', JSON.stringify(done));
    const written = fs.readFileSync(job.temp);
    assert.is(done.kind === 'done' && done.snapshot.length, written.length);
    fs.copyFileSync(job.temp, nodePath.join(dir, 'check.db'));
    assert.is(
      sqlite3(nodePath.join(dir, 'check.db'), 'SELECT x FROM t'),
      'one',
      'the snapshot holds the replayed write',
    );

    fs.writeFileSync(copy, fs.readFileSync(nodePath.join(dir, 'check.db')));
    const declined = await snapshotInWorker(job);
    assert.is(declined.kind, 'declined', 'the file is no longer the log’s base');

    const failed = await snapshotInWorker({
      ...job,
      database: second,
      log: `${second}.gslog`,
      temp: nodePath.join(dir, 'missing', 'x'),
    }).then(
      (outcome) => outcome,
      (error: unknown) => error,
    );
    assert.ok(
      failed instanceof Error && (failed as NodeJS.ErrnoException).code !== undefined,
      `a write failure rejects with the file system's code: ${String(failed)}`,
    );

    const unavailable = await snapshotInWorker(job, new URL('./no-such-worker.js', import.meta.url));
    assert.is(unavailable.kind, 'unavailable');
  },
);

worker.run();
