/**
 * docs/api.md, "Transactions": `store.transaction(async (tx) => …)` — all or nothing, reads that see the
 * transaction's own writes, events only after commit and in order, other calls wait, and the
 * callback's error propagates unchanged.
 *
 * One area of the suite in one file: it is long because the area has many promises to check.
 */
import { InvalidArgumentError, NotFoundError, QuotaExceededError, type Store, StoreError } from '@go-store/core';
import * as assert from 'uvu/assert';
import { collect, deleteEvent, deleteGroupEvent, drain, record, setEvent, shapes } from './event-shapes.js';
import { DATA_METHODS } from './methods.js';
import { defineSuite, type Harness, rejects, withStore } from './support.js';
import { deferred, tick } from './timing.js';
import { entriesOf } from './values.js';

/** What `tx` must not offer. */
const NOT_ON_TX = ['transaction', 'scope', 'watch', 'onChange', 'close'] as const;

async function seed(store: Store): Promise<void> {
  await store.set('g', 'a', '1');
  await store.set('g', 'b', '2');
  await store.set('h', 'x', '9');
}

async function snapshot(store: Store): Promise<Array<[string, Array<[string, string]>]>> {
  const out: Array<[string, Array<[string, string]>]> = [];
  for (const group of await store.groups()) out.push([group, entriesOf(await store.getAll(group))]);
  return out;
}

export function transactionsSuite(h: Harness): void {
  const test = defineSuite(h, 'transactions');

  test('transaction: resolves to the value the callback returns (the same object)', () =>
    withStore(h, async (store) => {
      const result = { answer: 42 };
      assert.is(await store.transaction(async () => result), result);
      assert.is(await store.transaction(async (tx) => tx.count('g')), 0);
    }));

  test('transaction: a synchronous callback works too; a synchronous throw rolls back and propagates', () =>
    withStore(h, async (store) => {
      assert.is(await store.transaction(() => 5), 5);
      const boom = new TypeError('sync failure');
      let write: Promise<void> | undefined;
      const outcome = await store
        .transaction((tx) => {
          write = tx.set('g', 'k', 'v');
          write.catch(() => undefined);
          throw boom;
        })
        .then(
          () => 'resolved',
          (error: unknown) => error,
        );
      assert.is(outcome, boom);
      assert.is(await store.countAll(), 0);
    }));

  test('transaction: commits every write at once', () =>
    withStore(h, async (store) => {
      await seed(store);
      await store.transaction(async (tx) => {
        await tx.set('g', 'a', 'one');
        await tx.delete('g', 'b');
        await tx.setWithTTL('g', 'c', '3', 1_000);
        await tx.deleteGroup('h');
        await tx.set('new', 'k', 'v');
      });
      assert.equal(await snapshot(store), [
        [
          'g',
          [
            ['a', 'one'],
            ['c', '3'],
          ],
        ],
        ['new', [['k', 'v']]],
      ]);
    }));

  test('tx: offers every data method, and not transaction, scope, watch, onChange or close', () =>
    withStore(h, async (store) => {
      await store.transaction(async (tx) => {
        const members = tx as unknown as Record<string, unknown>;
        for (const name of DATA_METHODS) assert.type(members[name], 'function', `tx.${name}`);
        for (const name of NOT_ON_TX) assert.is.not(typeof members[name], 'function', `tx.${name} must not exist`);
      });
    }));

  test("tx: reads see the transaction's own writes", () =>
    withStore(h, async (store, clock) => {
      await seed(store);
      await store.transaction(async (tx) => {
        await tx.set('g', 'c', '3');
        await tx.delete('g', 'a');
        assert.is(await tx.get('g', 'c'), '3');
        assert.is(await tx.has('g', 'a'), false);
        await rejects(() => tx.get('g', 'a'), NotFoundError, 'NOT_FOUND');
        assert.is(await tx.count('g'), 2);
        assert.equal(entriesOf(await tx.getAll('g')), [
          ['b', '2'],
          ['c', '3'],
        ]);
        assert.equal((await collect(tx.all('g'))).map((p) => p.key).sort(), ['b', 'c']);
        assert.equal(await tx.getPage('g', { limit: 10 }), [
          { key: 'b', value: '2' },
          { key: 'c', value: '3' },
        ]);
        assert.equal(entriesOf(await tx.getMany('g', ['a', 'c'])), [['c', '3']]);
        await tx.deleteGroup('h');
        assert.equal(await tx.groups(), ['g']);
        assert.equal(await collect(tx.groupsSeq()), ['g']);
        assert.is(await tx.countAll(), 2);
        await tx.setMany('m', { x: 'a b', y: 'c,d' });
        assert.equal([...(await tx.getFields('m', 'x'))], ['a', 'b']);
        assert.equal([...(await tx.getSplit('m', 'y', ','))], ['c', 'd']);
        assert.is(await tx.deletePrefix('m'), 2);
        assert.is(await tx.count('m'), 0);
        await tx.setWithTTL('t', 'k', 'v', 10);
        assert.is(await tx.get('t', 'k'), 'v');
        clock.advance(10);
        assert.is(await tx.has('t', 'k'), false);
      });
    }));

  test("tx: render sees the transaction's own writes", () =>
    withStore(h, async (store) => {
      const out = await store.transaction(async (tx) => {
        await tx.set('mail', 'host', 'smtp.example.com');
        return tx.render('{{ .host }}', 'mail');
      });
      assert.is(out, 'smtp.example.com');
    }));

  test('transaction: a callback that throws leaves no write and no event, and its error propagates unchanged', () =>
    withStore(h, async (store) => {
      await seed(store);
      const before = await snapshot(store);
      const events = record(store);
      const watcher = store.watch('*', '*');
      const boom = new Error('changed my mind');
      let caught: unknown;
      try {
        await store.transaction(async (tx) => {
          await tx.set('g', 'a', 'overwritten');
          await tx.set('g', 'new', 'v');
          await tx.delete('g', 'b');
          await tx.deleteGroup('h');
          await tx.setMany('m', { k: 'v' });
          throw boom;
        });
      } catch (error) {
        caught = error;
      }
      assert.is(caught, boom, 'the very error object thrown');
      assert.equal(await snapshot(store), before);
      assert.equal(events, []);
      assert.equal(await drain(watcher), []);
    }));

  test('transaction: a callback that rejects rolls back the same way', () =>
    withStore(h, async (store) => {
      await seed(store);
      const before = await snapshot(store);
      const events = record(store);
      const reason = new RangeError('async failure');
      const outcome = await store
        .transaction((tx) => tx.set('g', 'a', 'x').then(() => Promise.reject(reason)))
        .then(
          () => 'resolved',
          (error: unknown) => error,
        );
      assert.is(outcome, reason);
      assert.equal(await snapshot(store), before);
      assert.equal(events, []);
    }));

  test('transaction: whatever is thrown propagates as is (a string, a plain object, a StoreError)', () =>
    withStore(h, async (store) => {
      const thrown: unknown[] = ['just a string', { code: 'MINE' }, new NotFoundError('store.get: g/k: not found'), 0];
      for (const value of thrown) {
        const outcome = await store
          .transaction(async (tx) => {
            await tx.set('g', 'k', 'v');
            throw value;
          })
          .then(
            () => 'resolved',
            (error: unknown) => error,
          );
        assert.is(outcome, value);
      }
      assert.is(await store.countAll(), 0);
    }));

  test('transaction: a tx call that fails and is caught does not abort the transaction', () =>
    withStore(h, async (store) => {
      await store.transaction(async (tx) => {
        await tx.set('g', 'a', '1');
        await rejects(() => tx.get('g', 'missing'), NotFoundError, 'NOT_FOUND');
        await rejects(() => tx.set('g', 'b', '\uD800'), InvalidArgumentError, 'INVALID_ARGUMENT');
        await tx.set('g', 'c', '3');
      });
      assert.equal(entriesOf(await store.getAll('g')), [
        ['a', '1'],
        ['c', '3'],
      ]);
    }));

  test('transaction: on commit the events are emitted after the commit, all of them, in order', () =>
    withStore(h, async (store) => {
      await seed(store);
      const events = record(store);
      const watcher = store.watch('*', '*');
      await store.transaction(async (tx) => {
        await tx.set('g', 'c', '3');
        assert.equal(events, [], 'no event before commit');
        await tx.delete('g', 'a');
        await tx.delete('g', 'missing');
        await tx.deleteGroup('h');
        await tx.setWithTTL('g', 'd', '4', 1_000);
        await tx.setMany('m', [
          ['x', '1'],
          ['y', '2'],
        ]);
        assert.equal(events, [], 'no event before commit');
      });
      const want = [
        setEvent('g', 'c', '3'),
        deleteEvent('g', 'a'),
        deleteGroupEvent('h'),
        setEvent('g', 'd', '4'),
        setEvent('m', 'x', '1'),
        setEvent('m', 'y', '2'),
      ];
      assert.equal(shapes(events), want);
      assert.equal(shapes(await drain(watcher)), want);
    }));

  test('transaction: a callback reading the store from onChange after commit sees every write', () =>
    withStore(h, async (store) => {
      const reads: Array<Promise<number>> = [];
      store.onChange(() => {
        reads.push(store.count('g'));
      });
      await store.transaction(async (tx) => {
        await tx.set('g', 'a', '1');
        await tx.set('g', 'b', '2');
      });
      assert.equal(await Promise.all(reads), [2, 2]);
    }));

  test('transaction: a set issued on the store while a transaction is open lands after it', () =>
    withStore(h, async (store) => {
      const events = record(store);
      const gate = deferred();
      const entered = deferred();
      const transaction = store.transaction(async (tx) => {
        await tx.set('g', 'k', 'from the transaction');
        entered.resolve();
        await gate.promise;
        assert.is(
          await tx.get('g', 'k'),
          'from the transaction',
          'the outer set has not landed inside the transaction',
        );
      });
      let outer: Promise<void> | undefined;
      let read: Promise<string> | undefined;
      try {
        await entered.promise;
        outer = store.set('g', 'k', 'from outside');
        read = store.get('g', 'k');
      } finally {
        gate.resolve();
      }
      await transaction;
      await outer;
      assert.is(await read, 'from outside');
      assert.is(await store.get('g', 'k'), 'from outside');
      assert.equal(shapes(events), [setEvent('g', 'k', 'from the transaction'), setEvent('g', 'k', 'from outside')]);
    }));

  test('transaction: a read issued on the store while a transaction is open waits and sees the committed writes', () =>
    withStore(h, async (store) => {
      const gate = deferred();
      const entered = deferred();
      const transaction = store.transaction(async (tx) => {
        await tx.set('g', 'a', '1');
        entered.resolve();
        await gate.promise;
        await tx.set('g', 'b', '2');
      });
      let count: Promise<number> | undefined;
      try {
        await entered.promise;
        count = store.count('g');
      } finally {
        gate.resolve();
      }
      await transaction;
      assert.is(await count, 2);
    }));

  test('transaction: the callback may await unrelated Promises (no deadlock)', () =>
    withStore(h, async (store) => {
      const value = await store.transaction(async (tx) => {
        await tick(1);
        await tx.set('g', 'k', 'v');
        await Promise.resolve();
        return tx.get('g', 'k');
      });
      assert.is(value, 'v');
    }));

  test('transactions issued together run one after another (read-modify-write never loses an update)', () =>
    withStore(h, async (store) => {
      await store.set('g', 'counter', '0');
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.transaction(async (tx) => {
            const n = Number(await tx.get('g', 'counter'));
            await Promise.resolve();
            await tx.set('g', 'counter', String(n + 1));
          }),
        ),
      );
      assert.is(await store.get('g', 'counter'), '20');
    }));

  test('transaction: a transaction with no writes emits nothing', () =>
    withStore(h, async (store) => {
      await seed(store);
      const events = record(store);
      assert.is(await store.transaction(async (tx) => tx.get('g', 'a')), '1');
      assert.equal(events, []);
    }));

  test('tx: using tx after the callback has finished rejects and writes nothing', () =>
    withStore(h, async (store) => {
      let saved:
        | { set(g: string, k: string, v: string): Promise<void>; get(g: string, k: string): Promise<string> }
        | undefined;
      await store.transaction(async (tx) => {
        saved = tx;
        await tx.set('g', 'a', '1');
      });
      assert.ok(saved);
      await rejects(
        () => (saved as NonNullable<typeof saved>).set('g', 'late', 'v'),
        StoreError,
        undefined,
        'tx.set after commit',
      );
      await rejects(
        () => (saved as NonNullable<typeof saved>).get('g', 'a'),
        StoreError,
        undefined,
        'tx.get after commit',
      );
      assert.is(await store.has('g', 'late'), false);
      assert.is(await store.get('g', 'a'), '1');
    }));

  test('tx: using tx after a rolled-back transaction rejects and writes nothing', () =>
    withStore(h, async (store) => {
      let saved: { set(g: string, k: string, v: string): Promise<void> } | undefined;
      await store
        .transaction(async (tx) => {
          saved = tx;
          throw new Error('abort');
        })
        .catch(() => undefined);
      assert.ok(saved);
      await rejects(
        () => (saved as NonNullable<typeof saved>).set('g', 'late', 'v'),
        StoreError,
        undefined,
        'tx.set after rollback',
      );
      assert.is(await store.countAll(), 0);
    }));

  test('tx: a call on tx left un-awaited when the callback returns is refused, not half-committed', () =>
    withStore(h, async (store) => {
      let late: Promise<unknown> | undefined;
      await store.transaction(async (tx) => {
        await tx.set('g', 'a', '1');
        // The outcome is handled at once: with a driver whose commit takes a while, an unhandled
        // rejection would otherwise surface before the test reads it.
        late = Promise.resolve()
          .then(() => Promise.resolve())
          .then(() => tx.set('g', 'late', 'v'))
          .then(
            () => 'resolved',
            (error: unknown) => error,
          );
      });
      const outcome = await late;
      assert.instance(outcome, StoreError);
      assert.is(await store.has('g', 'late'), false);
    }));

  test('transaction: an outer call issued (not awaited) inside the callback waits and lands after the commit', () =>
    withStore(h, async (store) => {
      let outerWrite: Promise<void> | undefined;
      await store.transaction(async (tx) => {
        outerWrite = store.set('g', 'k', 'outer');
        await tx.set('g', 'k', 'inside');
        assert.is(await tx.get('g', 'k'), 'inside', 'the outer write has not landed inside the transaction');
      });
      await outerWrite;
      assert.is(await store.get('g', 'k'), 'outer', 'the outer write landed after the commit');
    }));

  if (h.asyncContext)
    test('transaction: awaiting (or chaining) the outer store inside the callback rejects with a StoreError, never hangs, and cancels the call', () =>
      withStore(h, async (store) => {
        const done = deferred<'still pending after the transaction'>();
        let outer: Promise<unknown> | undefined;
        let outerWrite: Promise<unknown> | undefined;
        let nested: Promise<unknown> | undefined;
        let closing: Promise<unknown> | undefined;
        await store.transaction(async (tx) => {
          await tx.set('g', 'inside', 'v');
          outer = store.get('g', 'inside').then(
            (value) => ({ resolved: value }),
            (error: unknown) => error,
          );
          outerWrite = store.set('g', 'outer', 'v').then(
            () => 'resolved',
            (error: unknown) => error,
          );
          nested = store
            .transaction(async () => 'nested')
            .then(
              (value) => ({ resolved: value }),
              (error: unknown) => error,
            );
          closing = store.close().then(
            () => 'resolved',
            (error: unknown) => error,
          );
        });
        // Resolved only now, after the transaction: an outer call that had not settled by now
        // would have been waiting for the transaction it was issued from.
        done.resolve('still pending after the transaction');
        for (const [name, call] of [
          ['store.get', outer],
          ['store.set', outerWrite],
          ['store.transaction', nested],
          ['store.close', closing],
        ] as const) {
          const outcome = await Promise.race([call as Promise<unknown>, done.promise]);
          assert.instance(outcome, StoreError, `${name} inside the callback: ${JSON.stringify(outcome)}`);
        }
        assert.is(await store.has('g', 'outer'), false, 'the refused outer write wrote nothing');
        assert.is(
          await store.get('g', 'inside'),
          'v',
          'the transaction itself committed (and the store is still open)',
        );
      }));

  test('transaction: a non-function callback rejects with InvalidArgumentError', () =>
    withStore(h, async (store) => {
      await rejects(
        () => store.transaction(42 as unknown as () => Promise<void>),
        InvalidArgumentError,
        'INVALID_ARGUMENT',
      );
    }));

  test('scoped transaction: tx writes and reads within the namespace', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('ns');
      const events = record(store);
      const result = await scoped.transaction(async (tx) => {
        await tx.set('g', 'k', 'v');
        assert.is(await tx.get('g', 'k'), 'v');
        assert.equal(await tx.groups(), ['g']);
        return tx.countAll();
      });
      assert.is(result, 1);
      assert.is(await store.get('ns:g', 'k'), 'v');
      assert.equal(shapes(events), [setEvent('ns:g', 'k', 'v')]);
    }));

  test('scoped transaction: tx has no transaction, scope, watch, onChange or close', () =>
    withStore(h, async (store) => {
      await store.scope('ns').transaction(async (tx) => {
        const members = tx as unknown as Record<string, unknown>;
        for (const name of NOT_ON_TX) assert.is.not(typeof members[name], 'function', `tx.${name} must not exist`);
        for (const name of ['get', 'set', 'setMany', 'getMany', 'deletePrefix', 'getPage', 'countAll', 'groups']) {
          assert.type(members[name], 'function', `tx.${name}`);
        }
      });
    }));

  test("scoped transaction: quotas are checked against the transaction's own writes", () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxKeys: 3 });
      await scoped.set('g', 'existing', 'v');
      await scoped.transaction(async (tx) => {
        await tx.set('g', 'a', '1');
        await tx.set('g', 'b', '2');
        await rejects(() => tx.set('g', 'c', '3'), QuotaExceededError, 'QUOTA_EXCEEDED');
        await tx.set('g', 'a', 'overwrite is fine');
        await tx.delete('g', 'b');
        await tx.set('g', 'c', '3');
      });
      assert.equal(entriesOf(await scoped.getAll('g')), [
        ['a', 'overwrite is fine'],
        ['c', '3'],
        ['existing', 'v'],
      ]);
    }));

  test("scoped transaction: maxGroups is checked against the transaction's own writes", () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxGroups: 2 });
      await scoped.transaction(async (tx) => {
        await tx.set('g1', 'k', 'v');
        await tx.set('g2', 'k', 'v');
        await rejects(() => tx.set('g3', 'k', 'v'), QuotaExceededError, 'QUOTA_EXCEEDED');
        await tx.deleteGroup('g1');
        await tx.set('g3', 'k', 'v');
      });
      assert.equal(await scoped.groups(), ['g2', 'g3']);
    }));

  test('scoped transaction: a quota error left to propagate rolls everything back', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxKeys: 2 });
      const events = record(store);
      const outcome = await scoped
        .transaction(async (tx) => {
          await tx.set('g', 'a', '1');
          await tx.set('g', 'b', '2');
          await tx.set('g', 'c', '3');
        })
        .then(
          () => 'resolved',
          (error: unknown) => error,
        );
      assert.instance(outcome, QuotaExceededError);
      assert.is(await store.countAll(), 0);
      assert.equal(events, []);
    }));

  test('scoped transactions issued together hold the quota (no two fill the last slot)', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxKeys: 5 });
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          scoped.transaction(async (tx) => {
            await tx.set('g', `k${i}`, 'v');
          }),
        ),
      );
      assert.is(results.filter((r) => r.status === 'fulfilled').length, 5);
      assert.is(await scoped.countAll(), 5);
    }));

  test.run();
}
