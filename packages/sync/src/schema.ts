/**
 * The tables sync keeps beside `kv`, all prefixed `gostore_sync_`, so `kv` stays go-store's.
 *
 * - `gostore_sync_log`: keys of namespaced groups changed in `kv`, once each, logged by triggers, which
 *   fire for every writer of the file (this library, go-store, `sqlite3`), so writes made while
 *   sync was not running are still found. Emptied as sync records them. A store kept in memory
 *   has no other writer: while sync runs there, its writes are known from the store's events
 *   and the triggers are dropped (each write would pay for them); they are back whenever sync
 *   is not running.
 * - `gostore_sync_entries`: per key, the stamp of its current version, whether it is a
 *   tombstone, its expiry, and `rev`, a local sequence number (what pulls and pushes page by).
 * - `gostore_sync_meta`: this replica's node id, clock, sequence, and cursors.
 *
 * The triggers have names of their own; core's quota-count triggers on `kv` fire beside them.
 */

const NAMESPACED = (row: string): string => `instr(${row}.grp, ':') > 1`;

/** The objects of the current schema; a database holding every one of them is up to date. */
export const SYNC_OBJECTS = [
  'gostore_sync_log',
  'gostore_sync_log_key',
  'gostore_sync_entries',
  'gostore_sync_meta',
  'gostore_sync_kv_insert',
  'gostore_sync_kv_update_value',
  'gostore_sync_kv_update_key',
  'gostore_sync_kv_delete',
] as const;
/**
 * The objects of the first schema (whose log kept a row per write): a database holding them
 * already recorded every key, so upgrading it must not log them all again.
 */
export const FIRST_SCHEMA_OBJECTS = [
  'gostore_sync_log',
  'gostore_sync_entries',
  'gostore_sync_meta',
  'gostore_sync_kv_insert',
  'gostore_sync_kv_update',
  'gostore_sync_kv_delete',
] as const;
export const SELECT_SYNC_OBJECTS = "SELECT name FROM sqlite_master WHERE name GLOB 'gostore_sync_*'";

/**
 * The log holds one row per changed key, not per write: a write to a key already logged costs
 * the trigger one index lookup and no new row, so the log stays as small as the set of keys
 * changed between two syncs however often they are written (and an offline store's writes stay
 * cheap). No conflict target: should the unique index be dropped, the triggers still log (a key
 * twice, which capture tolerates) rather than fail every write to `kv`.
 */
const LOG_KEY = (row: string): string =>
  `INSERT INTO gostore_sync_log (grp, key) VALUES (${row}.grp, ${row}.key) ON CONFLICT DO NOTHING;`;
/**
 * The key is not logged yet. Checked in the trigger's WHEN clause, so a write to a key already
 * logged (the common case: a key written again before the next sync) costs one index lookup
 * and no attempted insert, measurably cheaper in SQLite than letting the insert find the conflict.
 */
const NOT_LOGGED = (row: string): string =>
  `NOT EXISTS (SELECT 1 FROM gostore_sync_log WHERE grp = ${row}.grp AND key = ${row}.key)`;

/** Sync's own tables: the log, the entries and the meta (see the top of this file). */
export const CREATE_SYNC_TABLES = [
  'CREATE TABLE IF NOT EXISTS gostore_sync_log (seq INTEGER PRIMARY KEY, grp TEXT NOT NULL, key TEXT NOT NULL)',
  'DELETE FROM gostore_sync_log WHERE seq NOT IN (SELECT min(seq) FROM gostore_sync_log GROUP BY grp, key)',
  'CREATE UNIQUE INDEX IF NOT EXISTS gostore_sync_log_key ON gostore_sync_log (grp, key)',
  'CREATE TABLE IF NOT EXISTS gostore_sync_entries (grp TEXT NOT NULL, key TEXT NOT NULL, ns TEXT NOT NULL, ' +
    'hlc TEXT NOT NULL, deleted INTEGER NOT NULL, expires_at INTEGER, rev INTEGER NOT NULL, ' +
    'batch INTEGER NOT NULL, local INTEGER NOT NULL, PRIMARY KEY (grp, key)) WITHOUT ROWID',
  'CREATE INDEX IF NOT EXISTS gostore_sync_entries_rev ON gostore_sync_entries (rev)',
  'CREATE TABLE IF NOT EXISTS gostore_sync_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID',
] as const;

/** The triggers on `kv` that log every change to it, whoever makes it. */
export const CREATE_KV_TRIGGERS = [
  // The first schema's update trigger, replaced by the two below.
  'DROP TRIGGER IF EXISTS gostore_sync_kv_update',
  `CREATE TRIGGER IF NOT EXISTS gostore_sync_kv_insert AFTER INSERT ON kv WHEN ${NAMESPACED('NEW')} AND ${NOT_LOGGED('NEW')} ` +
    `BEGIN ${LOG_KEY('NEW')} END`,
  // go-store's writes only ever update a row's value and expiry (its upsert), which fires this
  // trigger alone.
  'CREATE TRIGGER IF NOT EXISTS gostore_sync_kv_update_value AFTER UPDATE OF value, expires_at ON kv ' +
    `WHEN ${NAMESPACED('NEW')} AND ${NOT_LOGGED('NEW')} BEGIN ${LOG_KEY('NEW')} END`,
  // Another program may move a row to another group or key: both keys changed.
  'CREATE TRIGGER IF NOT EXISTS gostore_sync_kv_update_key AFTER UPDATE OF grp, key ON kv ' +
    `WHEN ${NAMESPACED('NEW')} OR ${NAMESPACED('OLD')} BEGIN ` +
    `INSERT INTO gostore_sync_log (grp, key) SELECT OLD.grp, OLD.key WHERE ${NAMESPACED('OLD')} ` +
    'ON CONFLICT DO NOTHING; ' +
    `INSERT INTO gostore_sync_log (grp, key) SELECT NEW.grp, NEW.key WHERE ${NAMESPACED('NEW')} ` +
    'ON CONFLICT DO NOTHING; END',
  `CREATE TRIGGER IF NOT EXISTS gostore_sync_kv_delete AFTER DELETE ON kv WHEN ${NAMESPACED('OLD')} AND ${NOT_LOGGED('OLD')} ` +
    `BEGIN ${LOG_KEY('OLD')} END`,
] as const;

/** Drops the triggers on `kv`, for a store kept in memory while sync runs (see replica.ts). */
export const DROP_KV_TRIGGERS = [
  'gostore_sync_kv_insert',
  'gostore_sync_kv_update_value',
  'gostore_sync_kv_update_key',
  'gostore_sync_kv_delete',
].map((name) => `DROP TRIGGER IF EXISTS ${name}`);

/**
 * Created together, in one transaction; `IF NOT EXISTS` throughout, so it also completes a
 * partial install and upgrades the first schema (whose log could repeat a key).
 */
export const CREATE_SYNC_SCHEMA = [...CREATE_SYNC_TABLES, ...CREATE_KV_TRIGGERS] as const;

/** Logs a key written (as the triggers would), when it is in a namespaced group. */
export const LOG_WRITE = `INSERT INTO gostore_sync_log (grp, key) SELECT ?1, ?2 WHERE instr(?1, ':') > 1 ON CONFLICT DO NOTHING`;
/** Logs every key of group ?1 that this replica holds as live: the group was deleted. */
export const LOG_GROUP_DELETE =
  'INSERT INTO gostore_sync_log (grp, key) SELECT grp, key FROM gostore_sync_entries WHERE grp = ?1 AND deleted = 0 ' +
  'ON CONFLICT DO NOTHING';

/** Every key already in `kv` when sync is first installed is a change to send. */
export const SEED_LOG =
  `INSERT INTO gostore_sync_log (grp, key) SELECT grp, key FROM kv WHERE ${NAMESPACED('kv')} ` +
  'ON CONFLICT DO NOTHING';

// --- Meta ------------------------------------------------------------------------------------

export const SELECT_META = 'SELECT value FROM gostore_sync_meta WHERE name = ?1';
export const UPSERT_META =
  'INSERT INTO gostore_sync_meta (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value';

// --- Recording local changes -----------------------------------------------------------------

/** The keys changed since the last capture, in the order first changed, with their state now. */
export const SELECT_LOGGED =
  'SELECT l.grp, l.key, k.grp IS NOT NULL, k.expires_at, e.hlc, e.deleted, e.expires_at ' +
  'FROM (SELECT grp, key, min(seq) AS first FROM gostore_sync_log GROUP BY grp, key) l ' +
  'LEFT JOIN kv k ON k.grp = l.grp AND k.key = l.key ' +
  'LEFT JOIN gostore_sync_entries e ON e.grp = l.grp AND e.key = l.key ORDER BY l.first';
export const CLEAR_LOG = 'DELETE FROM gostore_sync_log';
export const SELECT_LOG_PENDING = 'SELECT 1 FROM gostore_sync_log LIMIT 1';

export const UPSERT_ENTRY =
  'INSERT INTO gostore_sync_entries (grp, key, ns, hlc, deleted, expires_at, rev, batch, local) ' +
  'VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (grp, key) DO UPDATE SET hlc = excluded.hlc, ' +
  'deleted = excluded.deleted, expires_at = excluded.expires_at, rev = excluded.rev, batch = excluded.batch, ' +
  'local = excluded.local';
export const SELECT_ENTRY_HLC = 'SELECT hlc FROM gostore_sync_entries WHERE grp = ?1 AND key = ?2';

// --- Reading changes to send -----------------------------------------------------------------

const CHANGE_COLUMNS =
  'SELECT e.grp, e.key, e.hlc, e.deleted, e.expires_at, k.value, e.rev, e.batch FROM gostore_sync_entries e ' +
  'LEFT JOIN kv k ON k.grp = e.grp AND k.key = e.key ';
/** ?1 after rev, ?2 minimum `local` (1: local changes only), ?3 JSON array of namespaces, ?4 limit. */
export const SELECT_CHANGES =
  `${CHANGE_COLUMNS}WHERE e.rev > ?1 AND e.local >= ?2 AND e.ns IN (SELECT value FROM json_each(?3)) ` +
  'ORDER BY e.rev LIMIT ?4';
/** The rest of the batch ?1 after rev ?2, so a transaction is never cut in two. */
export const SELECT_BATCH_REST =
  `${CHANGE_COLUMNS}WHERE e.batch = ?1 AND e.rev > ?2 AND e.local >= ?3 AND e.ns IN (SELECT value FROM json_each(?4)) ` +
  'ORDER BY e.rev';
export const SELECT_ONE_CHANGE = `${CHANGE_COLUMNS}WHERE e.grp = ?1 AND e.key = ?2`;

// --- Garbage collection ----------------------------------------------------------------------

/** The highest rev among tombstones stamped before ?1 (then deleted by the next statement). */
export const MAX_OLD_TOMBSTONE_REV = 'SELECT max(rev) FROM gostore_sync_entries WHERE deleted = 1 AND hlc < ?1';
export const DELETE_OLD_TOMBSTONES = 'DELETE FROM gostore_sync_entries WHERE deleted = 1 AND hlc < ?1';
