/**
 * A thin layer over mitata's `measure`: each suite measures its cases in one process, side by
 * side, and reports medians (p50, nanoseconds per operation) as one JSON line for `run.mjs`.
 * `--smoke` (or BENCH_SMOKE=1) measures for a few milliseconds only: CI checks the suites run,
 * it never reads their timings.
 */

import { createRequire } from 'node:module';
import { measure } from 'mitata';
import initSqlJs from 'sql.js';

export const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';

const smokeOptions = { min_cpu_time: 5e6, max_samples: 20, warmup_samples: 2, batch_samples: 2 };
const fullOptions = { min_cpu_time: 300e6 };

/**
 * Measures each case. The cases of one operation are measured side by side, in rounds whose
 * order rotates, and each case reports the median of its per-round medians: a burst of load
 * from elsewhere on the machine then skews one sample of every engine rather than one engine.
 * `rounds` (default 3) trades the length of each round for more of them: for operations of a
 * microsecond, where a busy machine moves a round's median most.
 */
export async function measureAll(suite, cases, { rounds: asked = 3 } = {}) {
  const rounds = smoke ? 1 : asked;
  const options = smoke ? smokeOptions : { min_cpu_time: (3 * fullOptions.min_cpu_time) / rounds };
  const byOp = new Map();
  const results = [];
  for (const c of cases) {
    // A case without a function is a baseline that is not installed: reported, not measured.
    if (typeof c.fn !== 'function') results.push({ suite, op: c.op, engine: c.engine, medianNs: null, missing: true });
    else byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);
  }
  for (const [op, group] of byOp) {
    const samples = group.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < group.length; i++) {
        const index = (i + round) % group.length;
        const { fn, opsPerCall = 1 } = group[index];
        samples[index].push((await measure(fn, options)).p50 / opsPerCall);
      }
    }
    group.forEach(({ engine }, index) => {
      const medianNs = median(samples[index]);
      results.push({ suite, op, engine, medianNs });
      if (!process.argv.includes('--quiet')) {
        process.stderr.write(`${suite.padEnd(9)} ${op.padEnd(30)} ${engine.padEnd(22)} ${formatNs(medianNs)}\n`);
      }
    });
  }
  return results;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Hands results to the parent process (run.mjs) or prints them when run alone. */
export function report(results) {
  process.stdout.write(`RESULTS ${JSON.stringify(results)}\n`);
}

export function formatNs(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}

export const KV_SCHEMA =
  'CREATE TABLE IF NOT EXISTS kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, ' +
  'expires_at INTEGER, PRIMARY KEY (grp, key))';

/** The statements the store runs, for the raw baselines (the same SQL, prepared once). */
export const SQL = {
  get: 'SELECT value, expires_at FROM kv WHERE grp = ?1 AND key = ?2',
  has: 'SELECT 1 FROM kv WHERE grp = ?1 AND key = ?2 AND (expires_at IS NULL OR expires_at > ?3)',
  upsert:
    'INSERT INTO kv (grp, key, value, expires_at) VALUES (?1, ?2, ?3, ?4) ' +
    'ON CONFLICT (grp, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
  delete: 'DELETE FROM kv WHERE grp = ?1 AND key = ?2 AND (expires_at IS NULL OR expires_at > ?3)',
  group: 'SELECT key, value FROM kv WHERE grp = ?1 AND (expires_at IS NULL OR expires_at > ?2) ORDER BY key',
  count: 'SELECT count(*) FROM kv WHERE grp = ?1 AND (expires_at IS NULL OR expires_at > ?2)',
  countAll: 'SELECT count(*) FROM kv WHERE grp >= ?1 AND grp < ?2 AND (expires_at IS NULL OR expires_at > ?3)',
  groups:
    'SELECT DISTINCT grp FROM kv WHERE grp >= ?1 AND grp < ?2 AND (expires_at IS NULL OR expires_at > ?3) ORDER BY grp',
};

/** Raw sql.js with the same pragmas the store's driver uses: the baseline for every ratio. */
export async function openRawSqlJs() {
  const SQLJS = await initSqlJs();
  const db = new SQLJS.Database();
  db.exec('PRAGMA locking_mode=EXCLUSIVE');
  db.exec(KV_SCHEMA);
  const statements = new Map();
  const prepare = (sql) => {
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  return {
    db,
    get(sql, params) {
      const stmt = prepare(sql);
      stmt.bind(params);
      const row = stmt.step() ? stmt.get() : undefined;
      stmt.reset();
      return row;
    },
    all(sql, params) {
      const stmt = prepare(sql);
      stmt.bind(params);
      const rows = [];
      while (stmt.step()) rows.push(stmt.get());
      stmt.reset();
      return rows;
    },
    run(sql, params) {
      const stmt = prepare(sql);
      stmt.run(params);
    },
  };
}

/** better-sqlite3 (native SQLite): the ceiling on Node. `undefined` when it is not installed. */
export async function openNative() {
  try {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(':memory:');
    db.exec(KV_SCHEMA);
    const statements = new Map();
    // better-sqlite3 binds `?NNN` by name; these statements use each parameter once, in order.
    const prepare = (sql) => {
      let stmt = statements.get(sql);
      if (!stmt) {
        stmt = db.prepare(sql.replace(/\?\d+/g, '?'));
        statements.set(sql, stmt);
      }
      return stmt;
    };
    return {
      db,
      get: (sql, params) =>
        prepare(sql)
          .raw(true)
          .get(...params),
      all: (sql, params) =>
        prepare(sql)
          .raw(true)
          .all(...params),
      run: (sql, params) => prepare(sql).run(...params),
    };
  } catch {
    process.stderr.write('better-sqlite3 is not installed: its rows are skipped\n');
    return undefined;
  }
}

/**
 * Keyv with @keyv/sqlite at `uri` (`sqlite://:memory:` or `sqlite://<path>`), or `undefined`
 * when it is not installed or its native sqlite3 addon was not built (it is an optional
 * dependency: building it needs Node's headers).
 */
export async function openKeyv(uri) {
  try {
    // sqlite3 loads its addon lazily, failing outside any try; load it here first.
    createRequire(import.meta.resolve('@keyv/sqlite'))('sqlite3');
    const { default: Keyv } = await import('keyv');
    const { default: KeyvSqlite } = await import('@keyv/sqlite');
    return new Keyv({ store: new KeyvSqlite(uri) });
  } catch {
    process.stderr.write('@keyv/sqlite (with its sqlite3 addon) is not installed: its rows are skipped\n');
    return undefined;
  }
}

/**
 * Writes about `mb` MB of 200-byte values into `store` (keys `key-00000000`… spread over 50
 * groups, 10,000 to a `setMany`); resolves to how many rows it wrote.
 */
export async function fillStore(store, mb) {
  const value = 'v'.repeat(200);
  const rows = Math.round((mb * 2 ** 20) / 260);
  for (let start = 0; start < rows; start += 10_000) {
    const entries = [];
    for (let i = start; i < Math.min(rows, start + 10_000); i++)
      entries.push([`key-${String(i).padStart(8, '0')}`, value]);
    await store.setMany(`g${(start / 10_000) % 50}`, entries);
  }
  return rows;
}
