/**
 * The sql.js engine's size limit: a write that could take the database past what the engine can
 * reopen is refused before it takes effect, so everything acknowledged reopens (see
 * docs/persistence.md, "Limits").
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { DatabaseTooLargeError, InvalidArgumentError, MAX_DATABASE_BYTES } from '@go-store/adapter-node';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { crashCopy, openFileStore, rejection, sqlite3, tempDir } from './persistence-helpers.js';

const limits = suite('persistence: limits');

limits(
  'a write that could pass maxDatabaseBytes is refused before it takes effect, naming the native engine; everything acknowledged reopens',
  async () => {
    const limit = 256 * 1024;
    const db = nodePath.join(tempDir('limit'), 'l.db');
    const store = await openFileStore(db, { maxDatabaseBytes: limit, compactMinBytes: 1 << 30 });
    const value = 'v'.repeat(4000);
    let acknowledged = 0;
    let refused: Error | undefined;
    const events: string[] = [];
    store.onChange((e) => events.push(e.key));
    for (let i = 0; i < 1000 && refused === undefined; i++) {
      try {
        await store.set('g', `k${i}`, value);
        acknowledged++;
      } catch (error) {
        refused = error as Error;
      }
    }
    assert.ok(refused instanceof DatabaseTooLargeError, String(refused));
    assert.is((refused as DatabaseTooLargeError).limit, limit);
    assert.is((refused as DatabaseTooLargeError).code, 'DRIVER');
    assert.match(refused.message, /nothing was written/);
    assert.match(refused.message, /engine: 'native'/);
    assert.is(events.length, acknowledged, 'no event for the refused write');
    assert.is(await store.count('g'), acknowledged, 'the refused write took no effect');
    assert.ok(acknowledged > 20, `${acknowledged} writes fit`);
    // At the limit, deletes still make room, and smaller writes fit again after them.
    await store.deleteGroup('g');
    await store.set('g', 'again', value);
    const copy = crashCopy(db);
    await store.close();
    assert.ok(fs.statSync(db).size <= limit, `the file (${fs.statSync(db).size}) stays within the limit`);
    assert.is(sqlite3(db, 'SELECT count(*) FROM kv'), '1');
    const reopened = await openFileStore(copy);
    assert.is(await reopened.get('g', 'again'), value);
    await reopened.close();
  },
);

limits('a transaction that could pass the limit is refused whole', async () => {
  const db = nodePath.join(tempDir('limit-tx'), 't.db');
  const store = await openFileStore(db, { maxDatabaseBytes: 128 * 1024 });
  const big = 'x'.repeat(40_000);
  const error = await rejection(
    store.transaction(async (tx) => {
      for (let i = 0; i < 10; i++) await tx.set('g', `k${i}`, big);
    }),
  );
  assert.ok(error instanceof DatabaseTooLargeError, String(error));
  assert.is(await store.count('g'), 0);
  await store.close();
});

limits('maxDatabaseBytes above the engine limit is refused; so is a database file larger than it', async () => {
  const dir = tempDir('limit-open');
  const error = await rejection(
    openFileStore(nodePath.join(dir, 'x.db'), { maxDatabaseBytes: MAX_DATABASE_BYTES + 1 }),
  );
  assert.ok(error instanceof InvalidArgumentError && /engine: 'native'/.test(error.message), String(error));
  // A sparse file with an SQLite header, larger than the engine can read.
  const huge = nodePath.join(dir, 'huge.db');
  const header = Buffer.alloc(100);
  header.write('SQLite format 3\0');
  fs.writeFileSync(huge, header);
  fs.truncateSync(huge, MAX_DATABASE_BYTES + 4096);
  const tooLarge = await rejection(openFileStore(huge));
  assert.ok(tooLarge instanceof DatabaseTooLargeError, String(tooLarge));
  assert.ok(tooLarge.message.includes(huge) && /engine: 'native'/.test(tooLarge.message), tooLarge.message);
  assert.equal(fs.readdirSync(dir).sort(), ['huge.db'], 'nothing created');
});

limits.run();
