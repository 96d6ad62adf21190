/**
 * Opening file databases: new and empty files, one owner at a time (in this process and across
 * processes, with stale locks recovered), and clear errors, naming the file, for what cannot be
 * opened — which is then left exactly as it was.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { openStore } from '@go-store/adapter-node';
import { DriverError, InvalidArgumentError, LockedError, NotADatabaseError } from '@go-store/core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Child,
  canRunChildAs,
  exitWithin,
  listDir,
  openFileStore,
  rejection,
  sqlite3,
  tempDir,
} from './persistence-helpers.js';

const open = suite('persistence: opening');

open('a missing file becomes a new database; a 0-byte file is a new, empty database', async () => {
  const dir = tempDir('open');
  const fresh = nodePath.join(dir, 'fresh.db');
  const store = await openFileStore(fresh);
  assert.ok(fs.existsSync(fresh), 'the file exists once open');
  await store.set('g', 'k', 'v');
  await store.close();
  assert.is(sqlite3(fresh, 'SELECT value FROM kv'), 'v');

  const empty = nodePath.join(dir, 'empty.db');
  fs.writeFileSync(empty, '');
  const store2 = await openFileStore(empty);
  assert.is(await store2.count('g'), 0);
  await store2.close();
  assert.is(sqlite3(empty, "SELECT count(*) FROM sqlite_master WHERE name = 'kv'"), '1', 'the table is created');
});

open("a file sqlite3 wrote opens with its data, and is still sqlite3's after close", async () => {
  const dir = tempDir('open');
  const db = nodePath.join(dir, 'native.db');
  sqlite3(
    db,
    "CREATE TABLE kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER, PRIMARY KEY (grp, key)); INSERT INTO kv VALUES ('g', 'k', 'native', NULL);",
  );
  fs.chmodSync(db, 0o640);
  const store = await openFileStore(db);
  assert.is(await store.get('g', 'k'), 'native');
  await store.set('g', 'k2', 'ours');
  await store.close();
  assert.is(sqlite3(db, 'SELECT group_concat(value) FROM kv'), 'native,ours');
  assert.is(fs.statSync(db).mode & 0o777, 0o640, 'the replaced file keeps its permissions');
});

open('opening and closing without writing leaves the database file alone (no snapshot is rewritten)', async () => {
  const dir = tempDir('open');
  const db = nodePath.join(dir, 'idle.db');
  sqlite3(
    db,
    "CREATE TABLE kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER, PRIMARY KEY (grp, key)); INSERT INTO kv VALUES ('g', 'k', 'v', NULL);",
  );
  // The first open adds the namespace counts beside kv (a write); from then on, nothing is.
  await (await openFileStore(db)).close();
  const before = fs.statSync(db);
  const store = await openFileStore(db);
  assert.is(await store.get('g', 'k'), 'v');
  await store.delete('g', 'missing');
  await store.close();
  const after = fs.statSync(db);
  assert.is(after.ino, before.ino, 'the same file');
  assert.is(after.mtimeMs, before.mtimeMs, 'not rewritten');
  assert.equal(listDir(dir), ['idle.db']);
});

open('a second open in the same process rejects at once with LockedError naming the file', async () => {
  const dir = tempDir('lock');
  const db = nodePath.join(dir, 'one.db');
  const store = await openFileStore(db);
  fs.symlinkSync(db, nodePath.join(dir, 'link.db'));
  for (const other of [db, nodePath.relative(process.cwd(), db), nodePath.join(dir, 'link.db')]) {
    const start = performance.now();
    const error = await rejection(openFileStore(other));
    assert.ok(error instanceof LockedError, `${other}: ${error}`);
    assert.ok(error.message.includes(db), `the message names the file: ${error.message}`);
    assert.ok(performance.now() - start < 1000, 'at once');
  }
  await store.close();
  const again = await openFileStore(db);
  await again.close();
});

open("another process's open file rejects at once, naming it; once the owner is SIGKILLed it opens", async () => {
  const dir = tempDir('lock');
  const db = nodePath.join(dir, 'shared.db');
  const owner = new Child(['hold', db]);
  await owner.waitFor((line) => line === 'ready');

  const start = performance.now();
  const error = await rejection(openFileStore(db));
  assert.ok(error instanceof LockedError, String(error));
  assert.ok(error.message.includes(db) && error.message.includes(String(owner.process.pid)), error.message);
  assert.ok(performance.now() - start < 1000, 'at once');

  const third = new Child(['try-open', db]);
  await exitWithin(third, 20_000);
  assert.match(third.lines.join('\n'), /^error LOCKED .*shared\.db/m, 'a third process is refused too');

  await owner.kill();
  const store = await openFileStore(db);
  assert.is(await store.get('held', 'key'), 'by the child', "the killed owner's acknowledged write is there");
  await store.close();
  assert.equal(listDir(dir), ['shared.db']);
});

open('a stale lock (dead pid, or unreadable after a machine crash) is recovered', async () => {
  const dir = tempDir('lock');
  const db = nodePath.join(dir, 'stale.db');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const hostname = (await import('node:os')).hostname();
  for (const content of [JSON.stringify({ pid: Number(dead.stdout), host: hostname }), '', '{"pid":']) {
    fs.writeFileSync(`${db}.gslock`, content);
    const store = await openFileStore(db);
    await store.close();
    assert.not.ok(fs.existsSync(`${db}.gslock`), `recovered from ${JSON.stringify(content)}`);
  }
});

open(
  'what processes killed while taking a lock left is removed, best effort: one that cannot be removed does not stop the open',
  async () => {
    const dir = tempDir('lock');
    const db = nodePath.join(dir, 'left.db');
    const dead = Number(
      spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout,
    );
    const hostname = (await import('node:os')).hostname();
    const owner = JSON.stringify({ pid: dead, host: hostname });
    fs.writeFileSync(`${db}.gslock.${dead}.abc123`, owner);
    fs.writeFileSync(`${db}.gslock.takeover`, owner);
    fs.writeFileSync(`${db}.gslock.takeover.${dead}.def456`, owner);
    // Cannot be unlinked (a directory): left where it is, and the lock is taken all the same.
    fs.mkdirSync(`${db}.gslock.${dead}.stuck`);
    const store = await openFileStore(db);
    await store.set('g', 'k', 'v');
    await store.close();
    assert.equal(listDir(dir), ['left.db', `left.db.gslock.${dead}.stuck`]);
    const again = await openFileStore(db);
    assert.is(await again.get('g', 'k'), 'v', 'the lock did not leak');
    await again.close();
  },
);

/** Every file in a directory with its bytes. */
function snapshotDir(dir: string): Map<string, string> {
  return new Map(listDir(dir).map((name) => [name, fs.readFileSync(nodePath.join(dir, name)).toString('base64')]));
}

open(
  'a file that is not a database, or is corrupt, rejects naming it and is left byte for byte as it was',
  async () => {
    const dir = tempDir('notdb');
    const real = nodePath.join(dir, 'real.db');
    sqlite3(
      real,
      "CREATE TABLE kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER, PRIMARY KEY (grp, key)); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) INSERT INTO kv SELECT 'g', i, printf('%.100c', 'x'), NULL FROM n;",
    );
    const good = fs.readFileSync(real);
    const pageSize = (good[16] << 8) | good[17];
    const cases: Record<string, Uint8Array> = {
      'text.db': new TextEncoder().encode('hello, this is not a database\n'.repeat(20)),
      'short.db': new TextEncoder().encode('SQLite format 3\0'),
      'random.db': new Uint8Array(8192).map((_, i) => (i * 2654435761) >>> 24),
      'bad-page-size.db': Uint8Array.from(good, (b, i) => (i === 16 ? 3 : b)),
      'corrupt-page.db': Uint8Array.from(good, (b, i) => (i >= pageSize + 8 && i < pageSize + 64 ? 0xa5 : b)),
      'truncated.db': good.subarray(0, pageSize * 2),
    };
    for (const [name, bytes] of Object.entries(cases)) fs.writeFileSync(nodePath.join(dir, name), bytes);
    fs.rmSync(real);
    const before = snapshotDir(dir);
    for (const name of Object.keys(cases)) {
      const path = nodePath.join(dir, name);
      const error = await rejection(openFileStore(path));
      assert.ok(error instanceof NotADatabaseError, `${name}: ${error}`);
      assert.ok(error.message.includes(path), `${name}: the message names the file: ${error.message}`);
    }
    assert.equal(snapshotDir(dir), before, 'no file changed, none appeared, none vanished');
  },
);

/** The first bytes of a rollback journal whose transaction may have written the database. */
const JOURNAL_MAGIC = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];

const KV_300 =
  'CREATE TABLE kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER, PRIMARY KEY (grp, key)); ' +
  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) INSERT INTO kv SELECT 'g', printf('%05d', i), printf('acknowledged %d %.100c', i, 'x'), NULL FROM n;";

open(
  'a hot rollback journal another SQLite program left is refused, naming both files, until SQLite has recovered it',
  async () => {
    const dir = tempDir('journal');
    const db = nodePath.join(dir, 'hot.db');
    sqlite3(db, KV_300);
    const committed = fs.readFileSync(db);
    // Native SQLite with a 2-page cache dies in the middle of a transaction: it has already spilled
    // uncommitted pages into the main file, and only its journal can undo them.
    const native = spawnSync('sqlite3', [db], {
      input: "PRAGMA cache_size=2;\nBEGIN;\nUPDATE kv SET value = 'uncommitted ' || value;\n.system kill -9 $PPID\n",
      encoding: 'utf8',
    });
    assert.is(native.signal, 'SIGKILL');
    const journal = fs.readFileSync(`${db}-journal`);
    assert.equal([...journal.subarray(0, 8)], JOURNAL_MAGIC, 'the journal is hot');
    assert.not.equal(fs.readFileSync(db), committed, 'uncommitted pages were spilled into the main file');

    const before = snapshotDir(dir);
    const error = await rejection(openFileStore(db));
    assert.ok(error instanceof NotADatabaseError, String(error));
    assert.ok(
      error.message.includes(db) && error.message.includes(`${db}-journal`),
      `the message names both files: ${error.message}`,
    );
    assert.match(error.message, /sqlite3/, 'and says how to recover it');
    assert.equal(snapshotDir(dir), before, 'no file changed, none appeared, none vanished');

    // Recovered as the message says: SQLite opens it once, rolling the journal back.
    assert.is(sqlite3(db, 'PRAGMA quick_check'), 'ok');
    const store = await openFileStore(db);
    assert.is(await store.count('g'), 300);
    assert.is(
      await store.get('g', '00001'),
      `acknowledged 1 ${'x'.repeat(100)}`,
      'the committed data, not the spilled pages',
    );
    await store.set('g', 'ours', 'after recovery');
    await store.close();
    assert.is(sqlite3(db, "SELECT count(*) FROM kv WHERE value LIKE 'uncommitted%'"), '0');
    assert.is(sqlite3(db, "SELECT value FROM kv WHERE key = 'ours'"), 'after recovery');
  },
);

open(
  'an empty or zeroed journal (journal_mode TRUNCATE or PERSIST) is not hot: the file opens, and sqlite3 then reads our writes',
  async () => {
    for (const mode of ['TRUNCATE', 'PERSIST']) {
      const dir = tempDir('journal');
      const db = nodePath.join(dir, `${mode.toLowerCase()}.db`);
      sqlite3(db, KV_300);
      sqlite3(db, `PRAGMA journal_mode=${mode}; INSERT INTO kv VALUES ('g', 'native', 'committed', NULL);`);
      const journal = fs.readFileSync(`${db}-journal`);
      assert.ok(
        journal.length === 0 || journal.subarray(0, 8).every((b) => b === 0),
        `${mode}: the journal is left, not hot`,
      );
      const store = await openFileStore(db);
      assert.is(await store.get('g', 'native'), 'committed', mode);
      await store.set('g', 'ours', mode);
      await store.close();
      assert.is(sqlite3(db, "SELECT value FROM kv WHERE key = 'ours'"), mode, `${mode}: sqlite3 sees our write`);
      assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok', mode);
    }
  },
);

open('a directory, a missing directory or one that cannot be written: a clear error naming the path', async () => {
  const dir = tempDir('dirs');
  const isDir = await rejection(openFileStore(dir));
  assert.ok(isDir instanceof NotADatabaseError && isDir.message.includes(dir), String(isDir));
  const fifo = nodePath.join(dir, 'fifo.db');
  if (spawnSync('mkfifo', [fifo]).status === 0) {
    const error = await rejection(openFileStore(fifo));
    assert.ok(error instanceof NotADatabaseError && error.message.includes(fifo), String(error));
    fs.rmSync(fifo);
  }

  const missing = nodePath.join(dir, 'no', 'such', 'dir', 'x.db');
  const noDir = await rejection(openFileStore(missing));
  assert.ok(noDir instanceof DriverError && noDir.message.includes(missing), String(noDir));

  const locked = nodePath.join(dir, 'read-only');
  fs.mkdirSync(locked, { mode: 0o755 });
  const db = nodePath.join(locked, 'x.db');
  if (process.getuid?.() === 0 && canRunChildAs(65534)) {
    // root writes anywhere: try as nobody, in a child process.
    const child = new Child(['try-open', db], { uid: 65534, gid: 65534 });
    await exitWithin(child, 20_000);
    assert.match(
      child.lines.join('\n'),
      /^error DRIVER .*read-only\/x\.db.*cannot write/m,
      child.lines.join('\n') + child.errors,
    );
  } else if (process.getuid?.() === 0) {
    // root, in a checkout nobody can read: sysfs refuses new files even to root.
    const sys = '/sys/kernel/go-store-test.db';
    const error = await rejection(openFileStore(sys));
    assert.ok(
      error instanceof DriverError && error.message.includes(sys) && /cannot write/.test(error.message),
      String(error),
    );
  } else {
    fs.chmodSync(locked, 0o555);
    const error = await rejection(openFileStore(db));
    assert.ok(
      error instanceof DriverError && error.message.includes(db) && /cannot write/.test(error.message),
      String(error),
    );
  }
  assert.equal(listDir(locked), []);
});

open(
  'a dangling symbolic link, a loop of links or a NUL in the path: a clear error, and nothing is created',
  async () => {
    const dir = tempDir('odd-paths');
    const dangling = nodePath.join(dir, 'x.db');
    fs.symlinkSync(nodePath.join(dir, 'gone', 'target.db'), dangling);
    const error = await rejection(openFileStore(dangling));
    assert.ok(error instanceof NotADatabaseError, String(error));
    assert.match(error.message, /symbolic link to .*gone\/target\.db, which does not exist/);
    assert.ok(error.message.includes(dangling), error.message);

    const sameDir = nodePath.join(dir, 'y.db');
    fs.symlinkSync('missing.db', sameDir);
    const err2 = await rejection(openFileStore(sameDir));
    assert.ok(
      err2 instanceof NotADatabaseError && /missing\.db, which does not exist/.test(err2.message),
      String(err2),
    );

    const loop = nodePath.join(dir, 'loop.db');
    fs.symlinkSync(loop, loop);
    const err3 = await rejection(openFileStore(loop));
    assert.ok(err3 instanceof NotADatabaseError && err3.message.includes(loop), String(err3));

    const err4 = await rejection(openFileStore(nodePath.join(dir, 'a\0b.db')));
    assert.ok(err4 instanceof InvalidArgumentError, String(err4));
    assert.equal(listDir(dir), ['loop.db', 'x.db', 'y.db']);
  },
);

open('bad options reject with InvalidArgumentError', async () => {
  const dir = tempDir('options');
  for (const options of [
    { durability: 'sometimes' },
    { relaxedIntervalMs: -1 },
    { compactMinBytes: Number.NaN },
    { compactRatio: 0 },
  ]) {
    const error = await rejection(openFileStore(nodePath.join(dir, 'x.db'), options as never));
    assert.ok(error instanceof InvalidArgumentError, `${JSON.stringify(options)}: ${error}`);
  }
  assert.equal(listDir(dir), []);
});

open(
  'options that are not an object, or a path that is not a non-empty string, reject with InvalidArgumentError',
  async () => {
    const dir = tempDir('options');
    for (const path of [':memory:', nodePath.join(dir, 'x.db')]) {
      for (const options of [null, 'full', 42]) {
        const error = await rejection(openStore(path, options as never));
        assert.ok(error instanceof InvalidArgumentError, `${path}, ${JSON.stringify(options)}: ${error}`);
        assert.is(error.message, 'openStore: options must be an object');
      }
    }
    for (const [path, got] of [
      ['', '""'],
      [42, 'number'],
      [null, 'null'],
      [undefined, 'undefined'],
    ] as const) {
      const error = await rejection(openStore(path as never));
      assert.ok(error instanceof InvalidArgumentError, `${JSON.stringify(path)}: ${error}`);
      assert.is(error.message, `openStore: path must be a non-empty string, got ${got}`);
    }
    assert.equal(listDir(dir), []);
  },
);

open.run();
