/**
 * The log's integrity on open: damage in the middle of the log is refused, never replayed past
 * silently; a torn tail is recovered and reported; a log that is not this database's is refused
 * (see docs/persistence.md, "When the log is damaged").
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { NotADatabaseError } from '@go-store/adapter-node';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { crashCopy, listDir, openFileStore, random, readLog, rejection, tempDir } from './persistence-helpers.js';

/** Never compacts by size (so the log holds every write of a test). */
const NO_COMPACTION = { compactMinBytes: 1 << 30 };

/** A crash copy of a database whose log holds the schema and `n` acknowledged sets. */
async function crashedWith(n: number, name = 'i.db'): Promise<string> {
  const db = nodePath.join(tempDir('integrity'), name);
  const store = await openFileStore(db, NO_COMPACTION);
  for (let i = 0; i < n; i++) await store.set('g', String(i).padStart(3, '0'), `value ${i}`);
  const copy = crashCopy(db);
  await store.close();
  return copy;
}

/** Every file beside `db` with its bytes, to check that an open changed nothing. */
function filesOf(db: string): Record<string, string> {
  const dir = nodePath.dirname(db);
  return Object.fromEntries(listDir(dir).map((f) => [f, fs.readFileSync(nodePath.join(dir, f)).toString('base64')]));
}

const integrity = suite('persistence: log integrity');

integrity(
  'a flipped byte in the middle of the log: refused with NotADatabaseError naming the log, the offset and the intact records after it; nothing changed',
  async () => {
    const next = random(12);
    for (let trial = 0; trial < 8; trial++) {
      const copy = await crashedWith(40);
      const log = `${copy}.gslog`;
      const bytes = fs.readFileSync(log);
      const { records } = await readLog(bytes);
      // A byte in any record but the last two (damage there has intact records after it).
      const index = 1 + Math.floor(next() * (records.length - 3));
      const at = records[index].offset + Math.floor(next() * (records[index].end - records[index].offset));
      bytes[at] ^= 1 << Math.floor(next() * 8);
      fs.writeFileSync(log, bytes);
      const before = filesOf(copy);
      const error = await rejection(openFileStore(copy));
      assert.ok(error instanceof NotADatabaseError, `trial ${trial}: ${error}`);
      assert.ok(error.message.includes(log), error.message);
      const after = records.length - index - 1;
      assert.match(
        error.message,
        new RegExp(`record at byte ${records[index].offset} .*${after} intact records follow`),
      );
      assert.equal(filesOf(copy), before, `trial ${trial}: nothing changed`);
    }
  },
);

integrity(
  "damagedLog: 'discard' accepts the loss explicitly: the records before the damage are kept, onError says what was lost, and the whole log is kept aside",
  async () => {
    const copy = await crashedWith(40);
    const log = `${copy}.gslog`;
    const bytes = fs.readFileSync(log);
    const { records } = await readLog(bytes);
    // records[0] creates the table, [1] the counts; the sets follow: damage the 11th set.
    const damaged = records.findIndex(
      (r) => r.record.type === 'writes' && JSON.stringify(r.record).includes('value 10'),
    );
    bytes[records[damaged].offset + 10] ^= 0x20;
    fs.writeFileSync(log, bytes);
    const reports: unknown[] = [];
    const store = await openFileStore(copy, { damagedLog: 'discard', onError: (e) => void reports.push(e) });
    assert.equal(
      Object.keys(await store.getAll('g')),
      Array.from({ length: 10 }, (_, i) => String(i).padStart(3, '0')),
    );
    await store.set('g', 'after', 'the damage');
    await store.close();
    assert.is(reports.length, 1);
    assert.match(String(reports[0]), new RegExp(`record at byte ${records[damaged].offset}.*discarded as asked`));
    assert.equal(new Uint8Array(fs.readFileSync(`${log}.damaged`)), new Uint8Array(bytes));
    const again = await openFileStore(copy);
    assert.is(await again.get('g', 'after'), 'the damage');
    assert.is(await again.count('g'), 11);
    await again.close();
  },
);

integrity('a torn tail is recovered and reported through onError with what was dropped', async () => {
  const copy = await crashedWith(10);
  const log = `${copy}.gslog`;
  const size = fs.statSync(log).size;
  fs.truncateSync(log, size - 7);
  const reports: unknown[] = [];
  const store = await openFileStore(copy, { onError: (e) => void reports.push(e) });
  assert.is(await store.count('g'), 9);
  await store.close();
  assert.is(reports.length, 1);
  assert.match(String(reports[0]), /the last record \(\d+ bytes at byte \d+\) was cut short/);
  assert.ok(String(reports[0]).includes(log));
});

integrity("another database's log, or an older log of this one, is refused, not replayed", async () => {
  // Two databases with data in their files (compacted) and writes in their logs.
  const dir = tempDir('foreign');
  const a = nodePath.join(dir, 'a.db');
  const b = nodePath.join(dir, 'b.db');
  for (const [db, value] of [
    [a, 'A'],
    [b, 'B'],
  ]) {
    const store = await openFileStore(db, NO_COMPACTION);
    await store.set('g', 'base', value);
    await store.close();
  }
  const storeB = await openFileStore(b, NO_COMPACTION);
  await storeB.set('g', 'only-b', 'B');
  const crashedB = crashCopy(b);
  await storeB.close();

  fs.copyFileSync(`${crashedB}.gslog`, `${a}.gslog`);
  const before = filesOf(a);
  const error = await rejection(openFileStore(a));
  assert.ok(error instanceof NotADatabaseError, String(error));
  assert.match(error.message, /belongs to another database, or to an older or newer copy of this one/);
  assert.ok(error.message.includes(`${a}.gslog`), error.message);
  assert.equal(filesOf(a), before, 'nothing changed');
  fs.rmSync(`${a}.gslog`);

  // A stale log: the log of a crash, put back beside the database after later writes were
  // compacted into it.
  const storeA = await openFileStore(a, NO_COMPACTION);
  await storeA.set('g', 'one', '1');
  const crashedA = crashCopy(a);
  await storeA.set('g', 'two', '2');
  await storeA.close();
  fs.copyFileSync(`${crashedA}.gslog`, `${a}.gslog`);
  const stale = await rejection(openFileStore(a));
  assert.ok(stale instanceof NotADatabaseError && /older or newer copy/.test(stale.message), String(stale));
});

integrity('a log is read in chunks: records larger than a chunk and records across chunk edges read back', async () => {
  const copy = await crashedWith(30);
  const { fileSource, bytesSource, scanLog, readRecords } = await import(
    new URL('./log-scan.js', import.meta.resolve('@go-store/adapter-node')).href
  );
  const bytes = fs.readFileSync(`${copy}.gslog`);
  const fd = fs.openSync(`${copy}.gslog`, 'r');
  try {
    for (const chunk of [16, 37, 64]) {
      const source = fileSource(fd, bytes.length, chunk);
      const summary = scanLog(source);
      const expected = scanLog(bytesSource(bytes));
      assert.equal(summary, expected, `chunk ${chunk}`);
      const read = [...readRecords(source, summary.header.length, summary.validEnd)];
      assert.equal(read, [...readRecords(bytesSource(bytes), expected.header.length, expected.validEnd)]);
    }
  } finally {
    fs.closeSync(fd);
  }
});

integrity.run();
