/**
 * A {@link SqlDriver} over a D1 binding. Every call is a round trip to the database. D1 has no
 * interactive transactions (`BEGIN` is refused), so between `begin` and `commit` the driver
 * stages the operation and commits it as one atomic `batch` (see `d1-staged-batch.ts`).
 */
import type { SqlDriver, SqlRow, SqlValue } from '@go-store/core';
import { GUARD_FAILURE, StagedBatch, toD1 } from './d1-staged-batch.js';
import type { D1DatabaseLike, D1Value } from './d1-types.js';

/** Creates the driver. */
export function createD1Driver(db: D1DatabaseLike): SqlDriver {
  let staged: StagedBatch | undefined;

  const all = async (sql: string, params: readonly SqlValue[]): Promise<SqlRow[]> => {
    staged?.checkRead();
    const rows = await query(db, sql, params);
    staged?.recordRead(sql, params, rows);
    return rows;
  };

  return {
    transactionsUnsupported:
      'D1 has no interactive transactions, so a callback cannot hold one open; ' +
      'use setMany, deleteGroup or deletePrefix (each atomic), or a Durable Object store',
    all,
    get: async (sql, params) => (await all(sql, params))[0],
    async run(sql, params) {
      if (staged === undefined)
        return (
          await db
            .prepare(sql)
            .bind(...params.map(toD1))
            .run()
        ).meta.changes;
      const batch = staged;
      const count = batch.changeCount(sql, params);
      const changes = typeof count === 'number' ? count : Number((await query(db, count.sql, count.params))[0]?.[0]);
      batch.recordWrite(sql, params, changes);
      return changes;
    },
    async exec(sql) {
      if (staged === undefined) await db.exec(sql);
      else staged.recordSchema(sql);
    },
    begin() {
      if (staged !== undefined) throw new Error('a transaction is already open');
      staged = new StagedBatch();
    },
    async commit() {
      const batch = staged;
      staged = undefined;
      if (batch === undefined || !batch.hasWrites) return;
      try {
        await db.batch(batch.statements(db));
      } catch (error) {
        if (!String((error as Error)?.message ?? error).includes(GUARD_FAILURE)) throw error;
        throw new Error(
          'another writer changed the data this operation read before it could commit; nothing was written, retry it',
          { cause: error },
        );
      }
    },
    rollback() {
      staged = undefined;
    },
    close() {
      // A binding is not opened, so there is nothing to release.
    },
  };
}

async function query(db: D1DatabaseLike, sql: string, params: readonly SqlValue[]): Promise<SqlRow[]> {
  const rows = await db
    .prepare(sql)
    .bind(...params.map(toD1))
    .raw<D1Value[]>();
  return rows.map((row) => row.map(fromD1));
}

function fromD1(value: D1Value): SqlValue {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : value;
}
