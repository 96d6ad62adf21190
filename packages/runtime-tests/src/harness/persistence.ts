/**
 * File persistence through the runtime's own `node:fs`: what the conformance suite cannot see
 * through one store at a time. Registered only for file runs (Node, Deno, Bun).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LockedError, openStore, type Store } from '@go-store/adapter-node';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SQLITE_HEADER } from './sqlite-file.js';

export function persistenceSuite(runtime: string, folder: string): void {
  const test = suite(`${runtime} file: persistence`);
  let made = 0;
  const fresh = () => join(folder, `persistence-${++made}.db`);

  test('a closed store reopens with every write, and its file is an SQLite database', async () => {
    const path = fresh();
    const first = await openStore(path, { purgeIntervalMs: 0 });
    await first.set('config', 'theme', 'dark');
    await first.setMany('config', { colour: 'blue', 'emoji 🎉': 'yes' });
    await first.delete('config', 'colour');
    await first.close();
    assert.is(readFileSync(path).subarray(0, 16).toString('latin1'), SQLITE_HEADER);

    const second = await openStore(path, { purgeIntervalMs: 0 });
    try {
      assert.equal({ ...(await second.getAll('config')) }, { theme: 'dark', 'emoji 🎉': 'yes' });
    } finally {
      await second.close();
    }
  });

  test('a committed transaction survives a reopen whole', async () => {
    const path = fresh();
    const first = await openStore(path, { purgeIntervalMs: 0 });
    await first.transaction(async (tx) => {
      await tx.set('orders', '1', 'paid');
      await tx.set('orders', '2', 'shipped');
    });
    await first.close();
    const second = await openStore(path, { purgeIntervalMs: 0 });
    try {
      assert.is(await second.count('orders'), 2);
    } finally {
      await second.close();
    }
  });

  test('a second openStore of an open file fails at once with LockedError naming the file', async () => {
    const path = fresh();
    const owner: Store = await openStore(path, { purgeIntervalMs: 0 });
    try {
      let caught: unknown;
      await openStore(path, { purgeIntervalMs: 0 }).then(
        (intruder) => intruder.close(),
        (error: unknown) => {
          caught = error;
        },
      );
      assert.instance(caught, LockedError);
      assert.ok((caught as Error).message.includes(path), `the message names the file: ${(caught as Error).message}`);
    } finally {
      await owner.close();
    }
    const again = await openStore(path, { purgeIntervalMs: 0 });
    await again.close();
  });

  test.run();
}
