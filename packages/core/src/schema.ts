/**
 * The `kv` table, exactly as go-store creates it, so database files move freely between
 * go-store, `sqlite3` and this library.
 */
import type { SqlDriver } from './driver.js';

const CREATE_TABLE =
  'CREATE TABLE IF NOT EXISTS kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, ' +
  'expires_at INTEGER, PRIMARY KEY (grp, key))';
const LIST_COLUMNS = "SELECT name FROM pragma_table_info('kv')";
// Databases written before go-store had TTLs lack the column; NULL (no expiry) is right for them.
const ADD_EXPIRES_AT = 'ALTER TABLE kv ADD COLUMN expires_at INTEGER';

/** Creates the table, or migrates a pre-TTL one. */
export async function prepareSchema(driver: SqlDriver): Promise<void> {
  await driver.exec(CREATE_TABLE);
  const columns = await driver.all(LIST_COLUMNS, []);
  if (!columns.some((row) => row[0] === 'expires_at')) await driver.exec(ADD_EXPIRES_AT);
}
