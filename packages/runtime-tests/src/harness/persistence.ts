/**
 * File persistence through the runtime's own `node:fs`: what the conformance suite cannot see
 * through one store at a time. Registered only for file runs (Node, Deno, Bun).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LockedError, type OpenOptions, openStore as open, type Store } from '@go-store/adapter-node';
import { loadSqlJs } from '@go-store/driver-sqljs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SQLITE_HEADER } from './sqlite-file.js';

export function persistenceSuite(runtime: string, engine: 'native' | 'sqljs', folder: string): void {
  const test = suite(`${runtime} ${engine} file: persistence`);
  let made = 0;
  const fresh = () => join(folder, `persistence-${++made}.db`);
  const openStore = (path: string, options: OpenOptions = {}) => open(path, { ...options, engine });

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

  if (engine === 'sqljs') {
    // Deno runs here with read access to sql.js and the test folder only, and a worker thread's
    // script needs read access too: there the store's own thread takes the snapshot instead.
    const workerRuns = runtime !== 'Deno';
    test(`a background compaction snapshots ${workerRuns ? 'in a worker thread' : 'on the store’s thread (Deno without read access to the package)'} and loses nothing`, async () => {
      const path = fresh();
      const store = await openStore(path, { purgeIntervalMs: 0, compactMinBytes: 32 * 1024, compactRatio: 0.01 });
      // Counts the snapshots taken on this thread (a worker thread loads sql.js on its own).
      const proto = (await loadSqlJs()).Database.prototype;
      const exportHere = proto.export;
      let exported = 0;
      proto.export = function (this: typeof proto) {
        exported++;
        return exportHere.call(this);
      };
      let written = 0;
      try {
        // Awaited writes until a snapshot replaces the file (a new inode), at most 20,000.
        const inode = statSync(path).ino;
        while (statSync(path).ino === inode && written < 20_000) await store.set('g', `k${written++}`, 'v'.repeat(300));
        assert.ok(written < 20_000, 'a compaction finished');
      } finally {
        proto.export = exportHere;
        await store.close();
      }
      assert.is(exported, workerRuns ? 0 : 1, 'where the snapshot was taken');
      const reopened = await openStore(path, { purgeIntervalMs: 0 });
      try {
        assert.is(await reopened.count('g'), written);
      } finally {
        await reopened.close();
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
  } else {
    test('two stores of one file in one process share its data, and a transaction holds across them', async () => {
      const path = fresh();
      const first = await openStore(path, { purgeIntervalMs: 0 });
      const second = await openStore(path, { purgeIntervalMs: 0 });
      try {
        await first.set('shared', 'a', '1');
        assert.is(await second.get('shared', 'a'), '1');
        // While the first store's transaction is open, the second store's write waits for it.
        let release!: () => void;
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        const transaction = first.transaction(async (tx) => {
          await tx.set('shared', 'b', 'from first');
          await held;
        });
        const write = second.set('shared', 'b', 'from second');
        release();
        await Promise.all([transaction, write]);
        assert.is(await first.get('shared', 'b'), 'from second');
      } finally {
        await first.close();
        await second.close();
      }
    });

    // Seen through /proc/locks, which Deno lets a program read only with --allow-all.
    const locksVisible = (() => {
      try {
        readFileSync('/proc/locks');
        return true;
      } catch {
        return false;
      }
    })();
    if (locksVisible)
      test('a file the native engine has open is refused by the sql.js engine with LockedError', async () => {
        const path = fresh();
        const owner = await openStore(path, { purgeIntervalMs: 0 });
        try {
          let caught: unknown;
          await open(path, { purgeIntervalMs: 0, engine: 'sqljs' }).then(
            (intruder) => intruder.close(),
            (error: unknown) => {
              caught = error;
            },
          );
          assert.instance(caught, LockedError);
        } finally {
          await owner.close();
        }
      });
  }

  test.run();
}
