/**
 * Every SQL statement the store runs, in one place. Values are always parameters, never spliced
 * into the text, so a driver can cache one prepared statement per constant.
 *
 * Every statement compares `expires_at` with the clock passed as a parameter, never with
 * SQLite's own time, so writes replay deterministically and tests can inject a clock. A row is
 * live while `expires_at` is NULL or ahead of that clock.
 */

// --- The kv table, exactly as go-store creates it --------------------------------------------

export const CREATE_KV =
  'CREATE TABLE IF NOT EXISTS kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, ' +
  'expires_at INTEGER, PRIMARY KEY (grp, key))';
export const LIST_KV_COLUMNS = "SELECT name FROM pragma_table_info('kv')";
// Databases written before go-store had TTLs lack the column; NULL (no expiry) is right for them.
export const ADD_EXPIRES_AT = 'ALTER TABLE kv ADD COLUMN expires_at INTEGER';

// --- Reads ------------------------------------------------------------------------------------

export const SELECT_VALUE = 'SELECT value, expires_at FROM kv WHERE grp = ?1 AND key = ?2';
export const SELECT_LIVE_KEY =
  'SELECT 1 FROM kv WHERE grp = ?1 AND key = ?2 AND (expires_at IS NULL OR expires_at > ?3)';
// A whole group crosses from the engine as two JSON arrays (keys, values) rather than row by
// row: with a WebAssembly engine each row and column read is a boundary crossing, and two
// strings plus JSON.parse cost less than thousands of them. (Arrays, not json_group_object:
// SQLite cuts object keys at a NUL character; array elements keep it.)
export const SELECT_GROUP_JSON =
  'SELECT json_group_array(key), json_group_array(value) FROM kv ' +
  'WHERE grp = ?1 AND (expires_at IS NULL OR expires_at > ?2)';
// The same, row by row: for a group too big for one string of the engine's.
export const SELECT_GROUP_ROWS = 'SELECT key, value FROM kv WHERE grp = ?1 AND (expires_at IS NULL OR expires_at > ?2)';
export const SELECT_PAGE_FIRST =
  'SELECT key, value FROM kv WHERE grp = ?1 AND (expires_at IS NULL OR expires_at > ?2) ' + 'ORDER BY key LIMIT ?3';
export const SELECT_PAGE_AFTER =
  'SELECT key, value FROM kv WHERE grp = ?1 AND key > ?4 AND (expires_at IS NULL OR expires_at > ?2) ' +
  'ORDER BY key LIMIT ?3';
export const COUNT_GROUP = 'SELECT count(*) FROM kv WHERE grp = ?1 AND (expires_at IS NULL OR expires_at > ?2)';
// Prefix ranges: `?1 <= grp < ?2`. When a prefix has no upper bound, ?2 is an empty BLOB,
// which SQLite orders after every TEXT value.
export const COUNT_RANGE =
  'SELECT count(*) FROM kv WHERE grp >= ?1 AND grp < ?2 AND (expires_at IS NULL OR expires_at > ?3)';
export const SELECT_GROUPS_IN_RANGE =
  'SELECT DISTINCT grp FROM kv WHERE grp >= ?1 AND grp < ?2 AND (expires_at IS NULL OR expires_at > ?3) ' +
  'ORDER BY grp';
export const COUNT_LIVE_BY_GROUP_IN_RANGE =
  'SELECT grp, count(*) FROM kv WHERE grp >= ?1 AND grp < ?2 AND (expires_at IS NULL OR expires_at > ?3) ' +
  'GROUP BY grp ORDER BY grp';
export const COUNT_LIVE_GROUPS_IN_RANGE =
  'SELECT count(DISTINCT grp) FROM kv WHERE grp >= ?1 AND grp < ?2 AND (expires_at IS NULL OR expires_at > ?3)';

// Every live entry, a page at a time (for dumps). The row-value comparison walks the
// primary-key index from the last entry of the previous page.
export const SELECT_FIRST_ENTRIES =
  'SELECT grp, key, value, expires_at FROM kv WHERE expires_at IS NULL OR expires_at > ?1 ORDER BY grp, key LIMIT ?2';
export const SELECT_ENTRIES_AFTER =
  'SELECT grp, key, value, expires_at FROM kv WHERE (grp, key) > (?3, ?4) ' +
  'AND (expires_at IS NULL OR expires_at > ?1) ORDER BY grp, key LIMIT ?2';

// --- Writes -----------------------------------------------------------------------------------

export const UPSERT =
  'INSERT INTO kv (grp, key, value, expires_at) VALUES (?1, ?2, ?3, ?4) ' +
  'ON CONFLICT (grp, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at';
export const DELETE_EXPIRED_KEY = 'DELETE FROM kv WHERE grp = ?1 AND key = ?2 AND expires_at <= ?3';
export const DELETE_LIVE_KEY = 'DELETE FROM kv WHERE grp = ?1 AND key = ?2 AND (expires_at IS NULL OR expires_at > ?3)';
export const DELETE_KEY = 'DELETE FROM kv WHERE grp = ?1 AND key = ?2';
export const DELETE_LIVE_GROUP = 'DELETE FROM kv WHERE grp = ?1 AND (expires_at IS NULL OR expires_at > ?2)';
export const DELETE_GROUP = 'DELETE FROM kv WHERE grp = ?1';
export const DELETE_RANGE = 'DELETE FROM kv WHERE grp >= ?1 AND grp < ?2';
export const PURGE_EXPIRED = 'DELETE FROM kv WHERE expires_at <= ?1';

// --- Namespace counts, for quotas -------------------------------------------------------------
//
// A quota check must not count the namespace row by row: that grows with the namespace. So the
// database keeps, per namespace, its rows (expired ones included) and its groups (with rows,
// expired or not), in a table of its own maintained by
// triggers on `kv`, which fire for every writer of the file (this library, go-store,
// `sqlite3`), so the counts stay exact whoever writes. A namespace is the part of a group name
// before its first ':'; groups without one are not counted. The tables are ours; `kv` stays
// exactly go-store's.
//
// The counts only ever let a write through early (rows under the limit means live keys are
// under it too); refusing always counts the live rows, so a count that ran high (a program
// writing with INSERT OR REPLACE, whose hidden delete fires no trigger) costs time, never a
// wrong answer.

export const COUNT_TABLES = ['gostore_namespace_counts'] as const;
export const COUNT_TRIGGERS = ['gostore_kv_insert', 'gostore_kv_delete', 'gostore_kv_update'] as const;

const NAMESPACE_OF = (row: string): string => `substr(${row}.grp, 1, instr(${row}.grp, ':') - 1)`;
const NAMESPACED = (row: string): string => `instr(${row}.grp, ':') > 0`;

// Whether a group gained its first row, or lost its last, is read from kv's own primary-key
// index (a seek that looks at most at two entries), so a write pays one upsert of the counts.

/** Counts `row` (NEW after an insert) in: a row, and a group if it is the group's only row. */
const countIn = (row: string): string =>
  'INSERT INTO gostore_namespace_counts (namespace, rows, groups) ' +
  `SELECT ${NAMESPACE_OF(row)}, 1, 1 WHERE ${NAMESPACED(row)} ` +
  'ON CONFLICT (namespace) DO UPDATE SET rows = rows + 1, ' +
  `groups = groups + NOT EXISTS (SELECT 1 FROM kv WHERE grp = ${row}.grp AND key <> ${row}.key); `;

/** Counts `row` (OLD after a delete) out: a row, and a group if none of its rows is left. */
const countOut = (row: string): string =>
  'UPDATE gostore_namespace_counts SET rows = rows - 1, ' +
  `groups = groups - NOT EXISTS (SELECT 1 FROM kv WHERE grp = ${row}.grp) ` +
  `WHERE namespace = ${NAMESPACE_OF(row)} AND ${NAMESPACED(row)}; `;

/** The count table and its triggers, created together in one transaction. */
export const CREATE_COUNTS = [
  'CREATE TABLE gostore_namespace_counts (namespace TEXT PRIMARY KEY, rows INTEGER NOT NULL, ' +
    'groups INTEGER NOT NULL) WITHOUT ROWID',
  `CREATE TRIGGER gostore_kv_insert AFTER INSERT ON kv WHEN ${NAMESPACED('NEW')} BEGIN ${countIn('NEW')}END`,
  `CREATE TRIGGER gostore_kv_delete AFTER DELETE ON kv WHEN ${NAMESPACED('OLD')} BEGIN ${countOut('OLD')}END`,
  // Only moving a row to another group changes a count (the store never does; other programs
  // may). After the update the row is already in its new group: the old one is checked for
  // rows left, the new one for rows besides this one.
  'CREATE TRIGGER gostore_kv_update AFTER UPDATE OF grp, key ON kv WHEN OLD.grp IS NOT NEW.grp ' +
    `AND (${NAMESPACED('OLD')} OR ${NAMESPACED('NEW')}) BEGIN ${countOut('OLD')}${countIn('NEW')}END`,
  // The counts of what the table already holds.
  "INSERT INTO gostore_namespace_counts (namespace, rows, groups) SELECT substr(grp, 1, instr(grp, ':') - 1), " +
    "count(*), count(DISTINCT grp) FROM kv WHERE instr(grp, ':') > 0 GROUP BY 1",
] as const;

export const LIST_COUNT_OBJECTS =
  "SELECT type, name FROM sqlite_master WHERE name IN ('gostore_namespace_counts', " +
  "'gostore_kv_insert', 'gostore_kv_delete', 'gostore_kv_update')";
export const DROP_COUNTS = [
  'DROP TRIGGER IF EXISTS gostore_kv_insert',
  'DROP TRIGGER IF EXISTS gostore_kv_delete',
  'DROP TRIGGER IF EXISTS gostore_kv_update',
  'DROP TABLE IF EXISTS gostore_namespace_counts',
] as const;

/**
 * A scoped upsert that checks the namespace's quotas in the same statement, so check and write
 * are one atomic step in the engine itself, whatever the driver. The row is written when the
 * key is already live (overwrites never count), or when the live keys of namespace ?10 are
 * fewer than `maxKeys` (?8, 0 = unlimited) and either the group already has live keys or the
 * namespace's live groups are fewer than `maxGroups` (?9, 0 = unlimited). No row changed means
 * the quota refused it.
 *
 * Each limit is first checked against the namespace's counts, in constant time: rows (expired
 * ones included) under the limit means live keys are too. Only at the limit are the live rows
 * of the namespace (`?6 <= grp < ?7`) counted, to decide exactly.
 */
// (Scalar subqueries, not a join with the counts table: SQLite runs an INSERT … SELECT over a
// join several times slower.)
const NAMESPACE_ROWS = 'coalesce((SELECT rows FROM gostore_namespace_counts WHERE namespace = ?10), 0)';
const NAMESPACE_GROUPS = 'coalesce((SELECT groups FROM gostore_namespace_counts WHERE namespace = ?10), 0)';
export const UPSERT_WITHIN_QUOTA =
  'INSERT INTO kv (grp, key, value, expires_at) SELECT ?1, ?2, ?3, ?4 WHERE ' +
  // Under both limits by the counts (one lookup; no row is an empty namespace): nothing else to read.
  'coalesce((SELECT (?8 = 0 OR rows < ?8) AND (?9 = 0 OR groups < ?9) FROM gostore_namespace_counts ' +
  'WHERE namespace = ?10), 1) ' +
  // An overwrite of a live key never counts.
  'OR EXISTS (SELECT 1 FROM kv WHERE grp = ?1 AND key = ?2 AND (expires_at IS NULL OR expires_at > ?5)) OR (' +
  `(?8 = 0 OR ${NAMESPACE_ROWS} < ?8 OR ` +
  '(SELECT count(*) FROM kv WHERE grp >= ?6 AND grp < ?7 AND (expires_at IS NULL OR expires_at > ?5)) < ?8) AND ' +
  `(?9 = 0 OR ${NAMESPACE_GROUPS} < ?9 ` +
  'OR EXISTS (SELECT 1 FROM kv WHERE grp = ?1 AND (expires_at IS NULL OR expires_at > ?5)) ' +
  'OR (SELECT count(DISTINCT grp) FROM kv WHERE grp >= ?6 AND grp < ?7 ' +
  'AND (expires_at IS NULL OR expires_at > ?5)) < ?9)) ' +
  'ON CONFLICT (grp, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at';

export const SELECT_NAMESPACE_COUNTS = 'SELECT rows, groups FROM gostore_namespace_counts WHERE namespace = ?1';
