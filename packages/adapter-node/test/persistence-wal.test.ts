/**
 * Databases that go-store (native SQLite in WAL mode) left with their latest commits only in a
 * `-wal` file: they open with exactly the committed data, and what this library writes back is
 * a database that native SQLite reads correctly, with no stale `-wal` beside it.
 * The fixtures were made with the `sqlite3` CLI by `fixtures/make-wal-fixtures.sh`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  crashCopy,
  FIXTURES,
  listDir,
  loadCrc32,
  loadLogFormat,
  loadWalImport,
  openFileStore,
  sqlite3,
  tempDir,
  wrapFs,
} from './persistence-helpers.js';

/** Copies a fixture (database, -wal, -shm) into a new directory; returns the database's path. */
function copyFixture(name: string, parts: readonly string[] = ['', '-wal', '-shm']): string {
  const dir = tempDir('wal');
  for (const suffix of parts)
    fs.copyFileSync(nodePath.join(FIXTURES, `${name}.db${suffix}`), nodePath.join(dir, `${name}.db${suffix}`));
  return nodePath.join(dir, `${name}.db`);
}

const DUMP = "SELECT grp || '|' || key || '|' || value || '|' || ifnull(expires_at, '') FROM kv ORDER BY grp, key";

/** What native SQLite reads from the fixture (on a copy: reading checkpoints it). */
function nativeDump(name: string): string {
  return sqlite3(copyFixture(name), DUMP);
}

const wal = suite('persistence: databases in WAL mode');

wal(
  "a compaction whose rename fails after it removed another program's -wal keeps its snapshot: a crash then loses none of the -wal's commits",
  async () => {
    const db = copyFixture('wal-uncommitted');
    const expected = nativeDump('wal-uncommitted').split('\n').filter(Boolean);
    // The first rename of a snapshot into place fails, as on a full disk.
    let failures = 0;
    const restore = wrapFs('renameSync', (from) => {
      if (String(from).endsWith('.gstmp') && failures++ === 0) {
        throw Object.assign(new Error('ENOSPC: no space left on device (injected)'), { code: 'ENOSPC' });
      }
    });
    const errors: string[] = [];
    let store: Awaited<ReturnType<typeof openFileStore>>;
    try {
      store = await openFileStore(db, { onError: (error) => errors.push((error as Error).message) });
    } finally {
      restore();
    }
    assert.is(failures, 1, 'the compaction after open tried to rename its snapshot');
    assert.ok(
      errors.some((m) => m.includes('compaction failed') && m.includes('.gstmp')),
      errors.join('\n'),
    );
    assert.not.ok(fs.existsSync(`${db}-wal`), 'the -wal was removed before the rename, as it must be');
    await store.set('wal', 'two', 'ours');

    // A crash now: its frames are only in the snapshot waiting beside the database.
    const copy = crashCopy(db);
    const reopened = await openFileStore(copy);
    await reopened.close();
    const after = sqlite3(copy, DUMP).split('\n').filter(Boolean);
    assert.equal(after.sort(), [...expected, 'wal|two|ours|'].sort());

    // Without a crash, the next compaction (here: close) installs it.
    await store.close();
    assert.not.ok(fs.existsSync(`${db}.gstmp`));
    assert.equal(sqlite3(db, DUMP).split('\n').filter(Boolean).sort(), [...expected, 'wal|two|ours|'].sort());
  },
);

wal(
  'a database in WAL mode (no -wal beside it) written to and left by a crash before any compaction reopens with every write',
  async () => {
    const db = nodePath.join(tempDir('wal-crash'), 'w.db');
    sqlite3(
      db,
      "PRAGMA journal_mode=WAL; CREATE TABLE kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER, PRIMARY KEY (grp, key)); INSERT INTO kv VALUES ('g', 'a', '1', NULL);",
    );
    assert.equal([...fs.readFileSync(db).subarray(18, 20)], [2, 2], 'the file says WAL mode');
    assert.not.ok(fs.existsSync(`${db}-wal`));
    const store = await openFileStore(db);
    await store.set('g', 'b', '2');
    const copy = crashCopy(db);
    await store.close();
    const reopened = await openFileStore(copy);
    assert.equal({ ...(await reopened.getAll('g')) }, { a: '1', b: '2' });
    await reopened.close();
  },
);

wal('the fixtures really keep commits only in their -wal, after frames of an unfinished transaction', async () => {
  const { foldWal } = await loadWalImport();
  const main = fs.readFileSync(nodePath.join(FIXTURES, 'wal-uncommitted.db'));
  const fold = foldWal(main, fs.readFileSync(nodePath.join(FIXTURES, 'wal-uncommitted.db-wal')));
  assert.ok(fold !== undefined && fold.committedFrames > 0, 'committed frames');
  assert.ok(fold!.uncommittedFrames > 0, 'frames of a transaction that never committed');
  const mainOnly = copyFixture('wal-uncommitted', ['']);
  assert.is(sqlite3(mainOnly, "SELECT count(*) FROM kv WHERE grp = 'wal'"), '0', 'the main file alone lacks them');
});

wal('a go-store WAL database opens with exactly its committed data', async () => {
  const db = copyFixture('wal-uncommitted');
  const walBytes = fs.readFileSync(`${db}-wal`);
  const store = await openFileStore(db);
  assert.is(await store.get('main', 'a'), 'in the main file');
  assert.is(await store.get('main', 'b'), 'updated in the wal');
  assert.not.ok(await store.has('main', 'c'), 'deleted in the wal');
  assert.is(await store.get('wal', 'one'), 'committed, only in the wal');
  assert.is(await store.count('wal-bulk'), 500);
  assert.is(await store.count('uncommitted'), 0, 'the unfinished transaction is ignored');
  // Folded into a snapshot at open, after which the -wal (whose data it holds) is removed.
  assert.not.ok(fs.existsSync(`${db}-wal`), 'the -wal is gone once our snapshot is durable');
  assert.not.ok(fs.existsSync(`${db}-shm`));
  assert.is(sqlite3(db, DUMP), nativeDump('wal-uncommitted'), 'the database file alone now holds it all');
  await store.set('wal', 'two', 'ours');
  await store.close();
  assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok');
  assert.is(sqlite3(db, "SELECT value FROM kv WHERE key = 'two'"), 'ours');
  assert.ok(walBytes.length > 0);
});

wal(
  'a -wal whose start was rewritten after a checkpoint: only the frames of its current generation count',
  async () => {
    const db = copyFixture('wal-restarted');
    const store = await openFileStore(db);
    assert.is(await store.get('main', 'x'), 'after restart');
    assert.is(await store.count('old'), 8);
    assert.is(await store.get('new', '1'), 'after restart');
    await store.close();
    assert.is(sqlite3(db, DUMP), nativeDump('wal-restarted'));
    assert.equal(listDir(nodePath.dirname(db)), ['wal-restarted.db']);
  },
);

wal(
  'a compaction interrupted after removing the -wal but before installing its snapshot is finished on open',
  async () => {
    // What our snapshot of the fixture is: open, close, read.
    const complete = copyFixture('wal-uncommitted');
    await (await openFileStore(complete)).close();
    const snapshot = fs.readFileSync(complete);
    // The crash state: the old main file without its -wal, our synced snapshot beside it, and a
    // log whose marker names that snapshot.
    const db = copyFixture('wal-uncommitted', ['']);
    const { LogEncoder, LEGACY_LOG_HEADER } = await loadLogFormat();
    const { crc32 } = await loadCrc32();
    const marker = new LogEncoder().snapshot(LEGACY_LOG_HEADER.length, snapshot.length, crc32(snapshot));
    fs.writeFileSync(`${db}.gstmp`, snapshot);
    fs.writeFileSync(`${db}.gslog`, new Uint8Array([...LEGACY_LOG_HEADER, ...marker]));
    const store = await openFileStore(db);
    assert.is(await store.get('wal', 'one'), 'committed, only in the wal', 'the snapshot was installed');
    await store.close();
    assert.equal(listDir(nodePath.dirname(db)), ['wal-uncommitted.db']);
  },
);

wal("go-store and this library take turns on one file: each sees the other's commits", async () => {
  const dir = tempDir('turns');
  const db = nodePath.join(dir, 'shared.db');
  const store = await openFileStore(db);
  await store.set('ts', 'k', 'from TypeScript');
  await store.close();
  // Native SQLite in WAL mode, killed so that its commit stays in the -wal, as go-store's would.
  const native = spawnSync('sqlite3', [db], {
    input:
      "PRAGMA journal_mode=WAL;\nPRAGMA wal_autocheckpoint=0;\nINSERT INTO kv VALUES ('go', 'k', 'from go-store', NULL);\n.system kill -9 $PPID\n",
    encoding: 'utf8',
  });
  assert.is(native.signal, 'SIGKILL');
  assert.ok(fs.statSync(`${db}-wal`).size > 0, 'the native commit is in the -wal only');
  const again = await openFileStore(db);
  assert.is(await again.get('go', 'k'), 'from go-store');
  assert.is(await again.get('ts', 'k'), 'from TypeScript');
  await again.close();
  assert.is(sqlite3(db, 'SELECT count(*) FROM kv'), '2');
  assert.is(
    sqlite3(db, 'PRAGMA journal_mode=WAL; PRAGMA integrity_check'),
    'wal\nok',
    'native SQLite can switch it back to WAL',
  );
});

wal.run();
