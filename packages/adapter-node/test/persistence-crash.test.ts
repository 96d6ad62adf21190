/**
 * Crash safety of file databases, with real child processes killed by SIGKILL (issue 4, and
 * issue 8's durability item): every acknowledged write survives, a transaction is all or
 * nothing, the database file is valid for `sqlite3` at every instant, and a process that never
 * closes its store still exits.
 */
import * as nodePath from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Child,
  exitWithin,
  listDir,
  openFileStore,
  random,
  sqlite3,
  tempDir,
  writerKey,
  writerValue,
} from './persistence-helpers.js';

const crash = suite('persistence: crash safety');

const SEED = Number(process.env.GO_STORE_CRASH_SEED ?? Date.now() % 100_000);

crash(
  `SIGKILL at random points of a stream of writes loses no acknowledged write (20 rounds, seed ${SEED})`,
  async () => {
    const dir = tempDir('crash');
    const db = nodePath.join(dir, 'crash.db');
    const rand = random(SEED);
    /** key → the value of its last acknowledged write */
    const expected = new Map<number, string>();
    for (let round = 0; round < 20; round++) {
      // Small thresholds so that kills also land in compactions; every fifth round relaxed.
      const options = {
        round,
        compactMinBytes: 8 * 1024,
        compactRatio: 0.05,
        durability: round % 5 === 4 ? 'relaxed' : 'full',
      };
      const child = new Child(['writer', db, JSON.stringify(options)]);
      // Kill while it opens (and replays and compacts the previous round's log), or after a
      // random number of acknowledgements.
      const duringOpen = rand() < 0.2;
      const target = 1 + Math.floor(rand() * 600);
      let acks = 0;
      let killed = false;
      child.onLine((line) => {
        if (killed) return;
        if (line.startsWith('ack ')) acks += line.split(' ').length - 1;
        if ((duringOpen && line === 'opening') || acks >= target) {
          killed = true;
          child.process.kill('SIGKILL');
        }
      });
      await exitWithin(child, 30_000);
      assert.ok(killed, `round ${round}: the child ended by itself: ${child.errors}`);
      for (const line of child.lines) {
        if (!line.startsWith('ack ')) continue;
        for (const k of line.slice(4).split(' ')) expected.set(Number(k), writerValue(Number(k), round));
      }
      // The database file alone, with the log not applied, is a valid database at every instant.
      assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok', `round ${round}: integrity of the raw database file`);
    }
    assert.ok(expected.size > 500, `enough writes were acknowledged (${expected.size})`);

    const store = await openFileStore(db);
    const all = await store.getAll('w');
    for (const [k, value] of expected) assert.is(all[writerKey(k)], value, `acknowledged write ${k}`);
    // Writes are applied in commit order, so what survives is a prefix: no holes.
    const keys = Object.keys(all).sort();
    for (const [i, key] of keys.entries()) assert.is(key, writerKey(i), 'the surviving keys are contiguous');
    await store.close();

    assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok', 'integrity after close');
    assert.is(
      sqlite3(db, "SELECT count(*) FROM kv WHERE grp = 'w'"),
      String(keys.length),
      'sqlite3 sees every write after close',
    );
    assert.equal(listDir(dir), ['crash.db'], 'a clean close leaves only the database file');
  },
);

crash(`SIGKILL during a large transaction leaves all of it or none of it (seed ${SEED})`, async () => {
  const dir = tempDir('tx-crash');
  const db = nodePath.join(dir, 'tx.db');
  const rand = random(SEED + 1);
  const size = 4000;
  const acked = new Set<number>();
  for (let round = 0; round < 8; round++) {
    const child = new Child(['tx', db, JSON.stringify({ txSize: size })]);
    // Kill when a transaction starts, when its callback has written everything (so the kill
    // lands in the commit: encoding, appending, fsyncing its one big record), or after it.
    const trigger = ['start', 'commit', 'commit', 'ack'][Math.floor(rand() * 4)];
    const nth = Math.floor(rand() * 3);
    let seen = 0;
    let killed = false;
    child.onLine((line) => {
      if (killed || !line.startsWith(`${trigger} `)) return;
      if (seen++ === nth) {
        killed = true;
        child.process.kill('SIGKILL');
      }
    });
    await exitWithin(child, 30_000);
    assert.ok(killed, `round ${round}: the child ended by itself: ${child.errors}`);
    for (const line of child.lines) if (line.startsWith('ack ')) acked.add(Number(line.slice(4)));
    assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok', `round ${round}: integrity of the raw database file`);
  }
  assert.ok(acked.size > 0, 'some transactions were acknowledged');

  const store = await openFileStore(db);
  const done = await store.getAll('done');
  const groups = await store.groups('tx');
  for (const group of groups) {
    const k = Number(group.slice(2));
    const count = await store.count(group);
    assert.ok(count === size, `transaction ${k}: all of it or none of it (found ${count} of ${size})`);
    assert.is(done[String(k)], 'yes', `transaction ${k}: its last write is there too`);
  }
  for (const k of acked) assert.is(await store.count(`tx${k}`), size, `acknowledged transaction ${k}`);
  assert.is(Object.keys(done).length, groups.length, 'no transaction left its last write without the others');
  await store.close();
  assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok');
});

crash('a process that opens a store and never closes it exits by itself, with its writes kept', async () => {
  for (const durability of ['full', 'relaxed']) {
    const dir = tempDir('no-close');
    const db = nodePath.join(dir, 'open.db');
    const child = new Child(['no-close', db, JSON.stringify({ durability })]);
    const { code, ms } = await exitWithin(child, 20_000);
    assert.is(code, 0, `${durability}: exit code (stderr: ${child.errors})`);
    assert.ok(child.lines.includes('done'), `${durability}: the child finished its writes`);
    assert.ok(ms < 20_000, `${durability}: exited in ${Math.round(ms)} ms`);
    // It left its lock (a dead pid) and its log: the next open recovers both.
    const store = await openFileStore(db);
    const all = await store.getAll('no-close');
    assert.is(Object.keys(all).length, 10, `${durability}: every write kept`);
    await store.close();
    assert.equal(listDir(dir), ['open.db']);
  }
});

crash.run();
