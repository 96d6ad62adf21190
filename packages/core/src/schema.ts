/**
 * The database's schema: the `kv` table exactly as go-store creates it, so database files move
 * freely between go-store, `sqlite3` and this library, and beside it the namespace counts that
 * keep quota checks constant-time (tables and triggers of our own; see `sql.ts`).
 */
import type { SqlDriver } from './driver.js';
import {
  ADD_EXPIRES_AT,
  COUNT_TABLES,
  COUNT_TRIGGERS,
  CREATE_COUNTS,
  CREATE_KV,
  DROP_COUNTS,
  LIST_COUNT_OBJECTS,
  LIST_KV_COLUMNS,
} from './sql.js';

/** Creates the table (or migrates a pre-TTL one) and the namespace counts. */
export async function prepareSchema(driver: SqlDriver): Promise<void> {
  await driver.exec(CREATE_KV);
  const columns = await driver.all(LIST_KV_COLUMNS, []);
  if (!columns.some((row) => row[0] === 'expires_at')) await driver.exec(ADD_EXPIRES_AT);
  if (await hasCounts(driver)) return;
  // Checked again inside the transaction: another process may have created them meanwhile.
  await driver.begin();
  try {
    if (!(await hasCounts(driver))) {
      // Anything partial (a trigger someone dropped) means the counts cannot be trusted: rebuild.
      for (const sql of DROP_COUNTS) await driver.exec(sql);
      for (const sql of CREATE_COUNTS) await driver.exec(sql);
    }
    await driver.commit();
  } catch (error) {
    await driver.rollback();
    throw error;
  }
}

async function hasCounts(driver: SqlDriver): Promise<boolean> {
  const names = new Set((await driver.all(LIST_COUNT_OBJECTS, [])).map((row) => row[1]));
  return [...COUNT_TABLES, ...COUNT_TRIGGERS].every((name) => names.has(name));
}
