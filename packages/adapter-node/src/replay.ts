/**
 * Replaying log records onto a database: what recovery does on open, and what a compaction in a
 * worker does to rebuild the database from the last snapshot and the log.
 */
import { DriverError } from '@go-store/core';
import type { SqlJsDriver } from '@go-store/driver-sqljs';
import type { ScannedRecord } from './log-format.js';

/**
 * Applies the log's write records, as they are read. Runs of records are applied inside one
 * transaction (in memory, so a crash here loses nothing); a lone `exec` outside a transaction is
 * applied on its own, as it first ran (some statements cannot run inside a transaction).
 */
export function replay(inner: SqlJsDriver, records: Iterable<ScannedRecord>, logPath: string): number {
  let open = false;
  let count = 0;
  try {
    for (const { offset, record } of records) {
      if (record.type !== 'writes') continue;
      count++;
      const standalone = !record.transaction && record.statements.length === 1 && record.statements[0].op !== 'run';
      if (standalone && open) {
        inner.commit();
        open = false;
      } else if (!standalone && !open) {
        inner.begin();
        open = true;
      }
      for (const s of record.statements) {
        try {
          if (s.op === 'run') inner.run(s.sql, s.params);
          else inner.exec(s.sql);
        } catch (error) {
          if (s.op === 'exec-partial') continue;
          throw new DriverError(
            `openStore: ${logPath}: the record at byte ${offset} cannot be replayed (was the database file changed by another program?): ${(error as Error)?.message ?? String(error)}`,
            error,
          );
        }
      }
    }
    if (open) inner.commit();
    open = false;
  } finally {
    if (open) inner.rollback();
  }
  return count;
}
