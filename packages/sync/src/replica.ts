/**
 * A replica's bookkeeping, the same on the client and the server: recording local writes as
 * stamped changes, reading changes to send, and applying received ones by last writer wins.
 * Everything runs inside one `store.transaction`, so the bookkeeping commits or rolls back
 * with the writes it describes, and applied changes emit the store's usual events.
 */
import type { Store, Transaction } from '@go-store/core';
import { HybridClock } from './hlc.js';
import { type Change, namespaceOf, ZERO_HLC } from './protocol.js';
import {
  CLEAR_LOG,
  CREATE_KV_TRIGGERS,
  CREATE_SYNC_SCHEMA,
  CREATE_SYNC_TABLES,
  DELETE_OLD_TOMBSTONES,
  DROP_KV_TRIGGERS,
  FIRST_SCHEMA_OBJECTS,
  LOG_GROUP_DELETE,
  LOG_WRITE,
  MAX_OLD_TOMBSTONE_REV,
  SEED_LOG,
  SELECT_BATCH_REST,
  SELECT_CHANGES,
  SELECT_ENTRY_HLC,
  SELECT_LOGGED,
  SELECT_META,
  SELECT_ONE_CHANGE,
  SELECT_SYNC_OBJECTS,
  SYNC_OBJECTS,
  UPSERT_ENTRY,
  UPSERT_META,
} from './schema.js';
import { type OwnWrites, ownWrites, type SeenWrites, type WriteTimes } from './write-times.js';

/** Changes read for sending, and the rev of the last one. */
export interface ChangePage {
  changes: Change[];
  lastRev: number;
  /** Whether changes after `lastRev` may remain. */
  more: boolean;
}

/** Decides whether a received change may apply: a refusal reason and message, or undefined. */
export type Admit = (change: Change, tx: Transaction) => Promise<string | undefined>;

/**
 * Installs sync's tables and triggers (once) and resolves to the replica's node id.
 *
 * A store kept in memory gets the tables and drops the triggers: nothing but the store itself
 * can write its database, so while sync runs it learns of every write from the store's events
 * (see {@link WriteTimes}), and a write then costs no trigger. {@link handBackToTriggers} puts
 * them back when sync stops, so writes made while it is not running are still logged.
 */
export async function installSchema(store: Store): Promise<string> {
  return store.transaction(async (tx) => {
    const names = new Set((await tx.sql.all(SELECT_SYNC_OBJECTS)).map((row) => String(row[0])));
    if (store.inMemory) {
      for (const sql of CREATE_SYNC_TABLES) await tx.sql.exec(sql);
      if (!names.has('gostore_sync_entries')) await tx.sql.run(SEED_LOG);
      for (const sql of DROP_KV_TRIGGERS) await tx.sql.exec(sql);
    } else if (!SYNC_OBJECTS.every((name) => names.has(name))) {
      for (const sql of CREATE_SYNC_SCHEMA) await tx.sql.exec(sql);
      // Upgrading the first schema: its bookkeeping already covers every key.
      if (!FIRST_SCHEMA_OBJECTS.every((name) => names.has(name))) await tx.sql.run(SEED_LOG);
    }
    const node = await readMeta(tx, 'node');
    if (node !== undefined) return node;
    const created = newNodeId();
    await tx.sql.run(UPSERT_META, ['node', created]);
    return created;
  });
}

/**
 * When sync stops on a store kept in memory: logs the writes seen but not yet recorded and
 * puts the triggers on `kv` back, then stops listening — all in one transaction, so that every
 * write is either seen (it ran before) or logged by a trigger (after). On a file the triggers
 * never left: it only stops listening. A closed store's memory is gone with it: nothing to keep.
 * If it fails, it rejects still listening: calling it again retries.
 */
export async function handBackToTriggers(store: Store, writeTimes: WriteTimes, unlisten: () => void): Promise<void> {
  if (!store.inMemory || store.closed) {
    unlisten();
    return;
  }
  let taken: SeenWrites | undefined;
  try {
    await store.transaction(async (tx) => {
      taken = writeTimes.take();
      await logWrites(tx, taken);
      for (const sql of CREATE_KV_TRIGGERS) await tx.sql.exec(sql);
      unlisten();
    });
  } catch (error) {
    // Not handed over: the triggers are not back, so it goes on listening (and keeps what it
    // saw) until a later stop() succeeds or another sync on the store records them.
    if (taken !== undefined) writeTimes.restore(taken);
    if (store.closed) unlisten();
    throw error;
  }
}

/** Adds to the log the keys seen written, and the live keys of groups seen deleted. */
async function logWrites(tx: Transaction, seen: SeenWrites): Promise<void> {
  for (const [group, key] of seen.keys()) await tx.sql.run(LOG_WRITE, [group, key]);
  for (const group of seen.deletedGroups()) await tx.sql.run(LOG_GROUP_DELETE, [group]);
}

/**
 * One transaction's view of the bookkeeping. {@link runSession} opens it, records the writes
 * made since the last session, runs the caller's work, and saves the clock and sequence.
 */
export class Session {
  readonly tx: Transaction;
  readonly clock: HybridClock;
  #rev: number;
  readonly #batch: number;
  readonly #own: OwnWrites;

  constructor(tx: Transaction, clock: HybridClock, rev: number, own: OwnWrites) {
    this.tx = tx;
    this.clock = clock;
    this.#rev = rev;
    this.#batch = rev + 1;
    this.#own = own;
  }

  /** The highest rev assigned so far. */
  get rev(): number {
    return this.#rev;
  }

  /**
   * Stamps every key written since the last capture (by anyone: the triggers log them) as a
   * local change. A key removed only because it expired is not a delete and is left alone,
   * so an expiry never beats a later write made elsewhere.
   */
  async capture(now: number, seen: SeenWrites, inMemory: boolean): Promise<void> {
    // In memory no trigger logged them: the store's events did.
    if (inMemory) await logWrites(this.tx, seen);
    const rows = await this.tx.sql.all(SELECT_LOGGED);
    if (rows.length === 0) return;
    for (const [group, key, present, expiresAt, entryHlc, , entryExpiresAt] of rows) {
      const g = group as string;
      const k = key as string;
      const at = seen.take(g, k) ?? now;
      if (Number(present) === 1) {
        await this.#record(g, k, this.clock.tick(at), false, toExpiry(expiresAt), true);
        continue;
      }
      if (entryHlc === null) continue;
      // Already a tombstone, yet logged: the key was written and deleted again since, and that
      // delete must be stamped anew to beat what was written elsewhere meanwhile.
      const expired = entryExpiresAt !== null && Number(entryExpiresAt) <= now;
      if (!expired) await this.#record(g, k, this.clock.tick(at), true, null, true);
    }
    await this.tx.sql.run(CLEAR_LOG);
  }

  /**
   * Reads changes after `afterRev` in `namespaces`, at most about `limit` of them but never
   * cutting a batch (the changes one transaction recorded) in two.
   */
  async changesSince(
    afterRev: number,
    namespaces: readonly string[],
    limit: number,
    localOnly: boolean,
  ): Promise<ChangePage> {
    const list = JSON.stringify(namespaces);
    const local = localOnly ? 1 : 0;
    const rows = await this.tx.sql.all(SELECT_CHANGES, [afterRev, local, list, limit]);
    if (rows.length === 0) return { changes: [], lastRev: afterRev, more: false };
    const last = rows[rows.length - 1] as readonly unknown[];
    const rest = await this.tx.sql.all(SELECT_BATCH_REST, [last[7] as number, last[6] as number, local, list]);
    const all = [...rows, ...rest];
    const lastRev = Number((all[all.length - 1] as readonly unknown[])[6]);
    return { changes: all.map(toChange), lastRev, more: rows.length >= limit };
  }

  /** This replica's copy of a key as a change (a tombstone stamped zero when it has none). */
  async current(group: string, key: string): Promise<Change> {
    const [row] = await this.tx.sql.all(SELECT_ONE_CHANGE, [group, key]);
    return row === undefined ? { group, key, hlc: ZERO_HLC, value: null, expiresAt: null } : toChange(row);
  }

  /**
   * Applies received changes by last writer wins: a change applies when its stamp is higher
   * than the key's. `admit`, when given, may refuse a change that would win (the server's
   * authorisation and quotas); `force` applies whatever the stamps (a client adopting the
   * server's copy after a refusal). Resolves to the refusals, in order.
   */
  async apply(
    changes: readonly Change[],
    options: { admit?: Admit; force?: (change: Change, currentHlc: string | undefined) => boolean } = {},
  ): Promise<{ change: Change; message: string }[]> {
    const refusals: { change: Change; message: string }[] = [];
    const writer = new KvWriter(this.tx, this.#own);
    for (const change of changes) {
      const ns = namespaceOf(change.group);
      if (ns === undefined) continue;
      const [row] = await this.tx.sql.all(SELECT_ENTRY_HLC, [change.group, change.key]);
      const currentHlc = row === undefined ? undefined : (row[0] as string);
      const forced = options.force?.(change, currentHlc) ?? false;
      if (!forced && currentHlc !== undefined && currentHlc >= change.hlc) continue;
      this.clock.receive(change.hlc);
      if (options.admit) {
        await writer.flush();
        const refusal = await options.admit(change, this.tx);
        if (refusal !== undefined) {
          refusals.push({ change, message: refusal });
          continue;
        }
      }
      await writer.write(change);
      await this.#record(change.group, change.key, change.hlc, change.value === null, change.expiresAt, false);
    }
    await writer.flush();
    return refusals;
  }

  /**
   * Deletes tombstones stamped before `before` (Unix ms) and resolves to the highest rev among
   * them (0 when none): a cursor below it may have missed a delete.
   */
  async collectTombstones(before: number): Promise<number> {
    const horizon = `${String(Math.max(0, Math.trunc(before))).padStart(15, '0')}`;
    const [row] = await this.tx.sql.all(MAX_OLD_TOMBSTONE_REV, [horizon]);
    const rev = row?.[0] === null || row === undefined ? 0 : Number(row[0]);
    if (rev > 0) await this.tx.sql.run(DELETE_OLD_TOMBSTONES, [horizon]);
    return rev;
  }

  async #record(
    group: string,
    key: string,
    hlc: string,
    deleted: boolean,
    expiresAt: number | null,
    local: boolean,
  ): Promise<void> {
    this.#rev += 1;
    const ns = namespaceOf(group) ?? '';
    await this.tx.sql.run(UPSERT_ENTRY, [
      group,
      key,
      ns,
      hlc,
      deleted ? 1 : 0,
      expiresAt,
      this.#rev,
      this.#batch,
      local ? 1 : 0,
    ]);
  }
}

/**
 * Runs `fn` in a store transaction with the bookkeeping brought up to date first. Everything
 * `fn` writes to `kv` through the session's `tx` is logged by the triggers too; those entries
 * are dropped at the end, since the session already recorded them with their own stamps. Its
 * writes are announced as the session's own, so that no sync on the store takes their events
 * for local writes.
 */
export async function runSession<T>(
  store: Store,
  node: string,
  writeTimes: WriteTimes,
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  const own = ownWrites(store);
  let taken: SeenWrites | undefined;
  // Rolled back: the writes taken are recorded nowhere (in memory not even in the log).
  const giveBack = (): void => {
    if (taken !== undefined) writeTimes.restore(taken);
    taken = undefined;
  };
  try {
    return await store.transaction(async (tx) => {
      const now = store.now();
      const clock = new HybridClock(node, () => store.now(), await readMeta(tx, 'hlc'));
      const session = new Session(tx, clock, Number((await readMeta(tx, 'rev')) ?? '0'), own);
      const startRev = session.rev;
      const startHlc = clock.current();
      try {
        taken = writeTimes.take();
        await session.capture(now, taken, store.inMemory);
        const result = await fn(session);
        await tx.sql.run(CLEAR_LOG);
        if (session.rev !== startRev || clock.current() !== startHlc) {
          await tx.sql.run(UPSERT_META, ['rev', String(session.rev)]);
          await tx.sql.run(UPSERT_META, ['hlc', clock.current()]);
        }
        return result;
      } catch (error) {
        // It rolls back, still holding the store: no event of it will come, and the local
        // writes waiting for the store must neither be taken for its own nor find the writes
        // it took missing.
        own.end();
        giveBack();
        throw error;
      }
    });
  } catch (error) {
    giveBack();
    throw error;
  } finally {
    own.end();
  }
}

export async function readMeta(tx: Transaction, name: string): Promise<string | undefined> {
  const [row] = await tx.sql.all(SELECT_META, [name]);
  return row === undefined ? undefined : String(row[0]);
}

export async function writeMeta(tx: Transaction, name: string, value: string): Promise<void> {
  await tx.sql.run(UPSERT_META, [name, value]);
}

/**
 * Writes received values to `kv` through the transaction's data methods (so the store's
 * events fire), gathering consecutive values of one group and expiry into one `setMany`.
 */
class KvWriter {
  readonly #tx: Transaction;
  readonly #own: OwnWrites;
  #group = '';
  #expiresAt: number | null = null;
  #entries: [string, string][] = [];

  constructor(tx: Transaction, own: OwnWrites) {
    this.#tx = tx;
    this.#own = own;
  }

  async write(change: Change): Promise<void> {
    this.#own.expect(change.group, change.key, change.value);
    if (change.value === null) {
      await this.flush();
      await this.#tx.delete(change.group, change.key);
      return;
    }
    if (this.#entries.length > 0 && (change.group !== this.#group || change.expiresAt !== this.#expiresAt)) {
      await this.flush();
    }
    this.#group = change.group;
    this.#expiresAt = change.expiresAt;
    this.#entries.push([change.key, change.value]);
  }

  async flush(): Promise<void> {
    if (this.#entries.length === 0) return;
    const entries = this.#entries;
    this.#entries = [];
    if (entries.length === 1 && this.#expiresAt === null) {
      const [key, value] = entries[0] as [string, string];
      await this.#tx.set(this.#group, key, value);
      return;
    }
    await this.#tx.setMany(this.#group, entries, { expiresAt: this.#expiresAt });
  }
}

function toChange(row: readonly unknown[]): Change {
  const [group, key, hlc, deleted, expiresAt, value] = row;
  // A live entry whose row is gone expired and was purged: absent either way.
  const content = Number(deleted) === 1 || value === null ? null : String(value);
  return {
    group: String(group),
    key: String(key),
    hlc: String(hlc),
    value: content,
    expiresAt: content === null ? null : toExpiry(expiresAt),
  };
}

function toExpiry(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function newNodeId(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
