/**
 * How a D1 store makes a multi-statement operation (`deleteGroup`, `setMany`, `deletePrefix`)
 * atomic without interactive transactions: between `begin` and `commit` the driver stages the
 * operation, and `commit` sends it to D1 as one `batch`, which D1 runs as one transaction.
 *
 * - Reads run at once, against what is committed; each is recorded with its rows.
 * - Writes are staged, not run. The number of rows a write will change is worked out now (an
 *   upsert of one row changes one; a `DELETE` changes the rows its `WHERE` matches that no
 *   earlier staged `DELETE` took), because the store may act on it (a `delete_group` event).
 * - At commit, the batch replays every step in order: each read as a guard that fails the
 *   batch unless the read would return the same rows now, each write followed by a guard that
 *   fails it unless `changes()` is what was worked out. So another Worker writing in between
 *   makes the operation fail whole (nothing written, a `DRIVER` error saying to retry) instead
 *   of acting on stale reads: a quota checked by `setMany` still holds when it commits.
 *
 * A read after a staged write cannot see that write, so it is refused; the store's own
 * operations never do it (they read first, then write), and `transaction()` — whose callback
 * could — is refused at once on D1.
 */
import type { SqlRow, SqlValue } from '@go-store/core';
import type { D1DatabaseLike, D1Statement, D1Value } from './d1-types.js';

/** `json()` of anything but JSON raises "malformed JSON": the guards' way to fail a batch. */
const CONFLICT_MARK = 'go-store: the data changed';
const PASS = "'0'";
/** What D1 reports when a guard failed. */
export const GUARD_FAILURE = 'malformed JSON';

const DELETE = /^DELETE FROM (\w+)(?: WHERE ([\s\S]+))?$/i;
// One row, upserted unconditionally: it always changes exactly one row (or fails).
const UPSERT_ONE_ROW =
  /^INSERT INTO \w+ \([^()]*\) VALUES \([^()]*\)(?: ON CONFLICT \([^()]*\) DO UPDATE SET (?:(?! WHERE )[\s\S])*)?$/i;
const NUMBERED_PARAM = /\?(\d+)/g;
const ANONYMOUS_PARAM = /\?(?!\d)/;

type Step =
  | { kind: 'read'; sql: string; params: readonly SqlValue[]; rows: SqlRow[] }
  | { kind: 'schema'; sql: string }
  | { kind: 'write'; sql: string; params: readonly SqlValue[]; changes: number; deletes: Deletion | undefined };

interface Deletion {
  table: string;
  /** The `WHERE` clause, or `undefined` for a `DELETE` of every row. */
  where: string | undefined;
}

/** A query to run now, or the count itself. */
type ChangeCount = number | { sql: string; params: SqlValue[] };

/** The steps of one atomic operation, staged for one D1 batch. */
export class StagedBatch {
  readonly #steps: Step[] = [];

  /** Whether anything needs committing. */
  get hasWrites(): boolean {
    return this.#steps.some((step) => step.kind !== 'read');
  }

  /** Throws when a read would miss a staged write. */
  checkRead(): void {
    if (this.hasWrites) {
      throw new Error(
        'D1 cannot read an atomic operation’s own staged writes; read first, then write ' +
          '(or use a Durable Object store, whose transactions can)',
      );
    }
  }

  recordRead(sql: string, params: readonly SqlValue[], rows: SqlRow[]): void {
    checkParams(sql, params);
    this.#steps.push({ kind: 'read', sql, params, rows });
  }

  /** How many rows the write `sql` will change once the staged steps before it have run. */
  changeCount(sql: string, params: readonly SqlValue[]): ChangeCount {
    checkParams(sql, params);
    if (UPSERT_ONE_ROW.test(sql)) return 1;
    const deletion = parseDelete(sql);
    if (deletion === undefined) throw new Error(`D1 cannot stage this statement in an atomic operation: ${sql}`);
    const earlier: Array<{ where: string | undefined; params: readonly SqlValue[] }> = [];
    for (const step of this.#steps) {
      if (step.kind === 'read') continue;
      if (step.kind === 'schema' || step.deletes === undefined || step.deletes.table !== deletion.table) {
        throw new Error(`D1 cannot count a DELETE staged after other writes: ${sql}`);
      }
      earlier.push({ where: step.deletes.where, params: step.params });
    }
    // A DELETE without WHERE before it took every row.
    if (earlier.some((before) => before.where === undefined)) return 0;
    const conditions = [`(${deletion.where ?? '1'})`];
    const all: SqlValue[] = [...params];
    for (const before of earlier) {
      conditions.push(`(${renumber(before.where as string, all.length)}) IS NOT TRUE`);
      all.push(...before.params);
    }
    return { sql: `SELECT count(*) FROM ${deletion.table} WHERE ${conditions.join(' AND ')}`, params: all };
  }

  /** Stages schema SQL (one statement, no parameters), replayed as it is. */
  recordSchema(sql: string): void {
    this.#steps.push({ kind: 'schema', sql });
  }

  recordWrite(sql: string, params: readonly SqlValue[], changes: number): void {
    this.#steps.push({ kind: 'write', sql, params, changes, deletes: parseDelete(sql) });
  }

  /** The batch: every step in order, each read and each write checked by a guard. */
  statements(db: D1DatabaseLike): D1Statement[] {
    const out: D1Statement[] = [];
    for (const step of this.#steps) {
      if (step.kind === 'read') {
        const guard = readGuard(step.sql, step.params, step.rows);
        out.push(db.prepare(guard.sql).bind(...guard.params.map(toD1)));
      } else if (step.kind === 'schema') {
        out.push(db.prepare(step.sql));
      } else {
        out.push(db.prepare(step.sql).bind(...step.params.map(toD1)));
        out.push(db.prepare(guardSql('changes() = ?1')).bind(step.changes));
      }
    }
    return out;
  }
}

/** A value as D1 binds it: integers the store writes are all safe ones. */
export function toD1(value: SqlValue): D1Value {
  if (typeof value !== 'bigint') return value;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${value} is outside the integers D1 binds exactly`);
  }
  return Number(value);
}

function guardSql(condition: string): string {
  return `SELECT json(CASE WHEN ${condition} THEN ${PASS} ELSE '${CONFLICT_MARK}' END)`;
}

/** A statement that fails unless `sql` returns exactly `rows` (in any order) now. */
function readGuard(sql: string, params: readonly SqlValue[], rows: SqlRow[]): { sql: string; params: SqlValue[] } {
  if (rows.length === 0) return { sql: guardSql(`NOT EXISTS (${sql})`), params: [...params] };
  const base = params.length;
  const width = (rows[0] as SqlRow).length;
  let next = base + 2;
  const values = rows.map(() => `(${Array.from({ length: width }, () => `?${next++}`).join(', ')})`).join(', ');
  const condition =
    `(SELECT count(*) FROM (${sql})) = ?${base + 1} AND ` +
    `NOT EXISTS (SELECT * FROM (${sql}) EXCEPT VALUES ${values})`;
  return { sql: guardSql(condition), params: [...params, rows.length, ...rows.flat()] };
}

function parseDelete(sql: string): Deletion | undefined {
  const match = DELETE.exec(sql.trim());
  if (match === null) return undefined;
  return { table: match[1] as string, where: match[2] };
}

/** Numbered parameters only, each within `params`, so statements can be combined safely. */
function checkParams(sql: string, params: readonly SqlValue[]): void {
  if (ANONYMOUS_PARAM.test(sql)) throw new Error(`D1 stages only statements with numbered parameters: ${sql}`);
  for (const [, n] of sql.matchAll(NUMBERED_PARAM)) {
    if (Number(n) > params.length) throw new Error(`parameter ?${n} has no value: ${sql}`);
  }
}

/** Shifts `?N` to `?(N + offset)`, for SQL combined with another statement's parameters. */
function renumber(sql: string, offset: number): string {
  return sql.replace(NUMBERED_PARAM, (_, n: string) => `?${Number(n) + offset}`);
}
