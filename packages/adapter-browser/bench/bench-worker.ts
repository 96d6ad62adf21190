/**
 * Benchmarks inside a dedicated worker, where the store runs on the synchronous driver: the
 * store on sqlite-wasm (OPFS sahpool and :memory:) against the store on sql.js and raw sql.js
 * prepared statements running the same SQL, in the same worker.
 */
import { createStore, openStore, type Store } from '@go-store/adapter-browser';
import { createSqlJsDriver } from '@go-store/driver-sqljs';
import initSqlJs, { type Database } from 'sql.js';
import { concurrentGets, type Figure, figure, KEYS, storeFigures, VALUE, warmUp } from './measure.js';

// The SQL the store runs for get, set and getAll, through raw sql.js prepared statements.
const SCHEMA =
  'CREATE TABLE kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER, PRIMARY KEY (grp, key))';
const GET = 'SELECT value FROM kv WHERE grp = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)';
const SET =
  'INSERT INTO kv (grp, key, value, expires_at) VALUES (?, ?, ?, NULL) ' +
  'ON CONFLICT (grp, key) DO UPDATE SET value = excluded.value, expires_at = NULL';
const ALL = 'SELECT key, value FROM kv WHERE grp = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key';

function rawFigures(db: Database): Promise<Figure[]> {
  db.exec('PRAGMA locking_mode=EXCLUSIVE');
  db.exec(SCHEMA);
  const set = db.prepare(SET);
  for (const key of KEYS) set.run(['read', key, VALUE]);
  const get = db.prepare(GET);
  const all = db.prepare(ALL);
  let i = 0;
  let j = 0;
  return (async () => [
    await figure(
      'raw sql.js: get',
      () => {
        get.bind(['read', KEYS[i++ % 1000], Date.now()]);
        const value = get.step() ? get.get()[0] : undefined;
        get.reset();
        return value;
      },
      200,
    ),
    await figure(
      'raw sql.js: set',
      () => {
        set.run(['write', KEYS[j++ % 1000], VALUE]);
      },
      200,
    ),
    await figure(
      'raw sql.js: getAll(1k)',
      () => {
        all.bind(['read', Date.now()]);
        const out: Record<string, unknown> = Object.create(null);
        while (all.step()) {
          const [key, value] = all.get();
          out[key as string] = value;
        }
        all.reset();
        return out;
      },
      10,
    ),
  ])();
}

/**
 * Runs the store's calls on a throwaway database for a while first: V8 compiles WebAssembly
 * quickly at first and optimises it in the background, so without this the first store
 * measured runs partly unoptimised SQLite and looks several times slower than the next.
 */
async function warmUpEngine(): Promise<void> {
  const store = await openStore(':memory:', { purgeIntervalMs: 0 });
  await warmUp(store);
  await store.close();
}

/** The store whose 1,000 concurrent gets the bench page measures again in rounds (see bench.ts). */
let leading: Store | undefined;
const LEADING = 'store, sqlite-wasm opfs-sahpool';

async function runAll(run: string): Promise<Figure[]> {
  const SQL = await initSqlJs({ locateFile: (file) => new URL(file, import.meta.url).href });
  await warmUpEngine();
  leading = await openStore(`bench-${run}`, { purgeIntervalMs: 0 });
  return [
    ...(await storeFigures(LEADING, leading, false)),
    ...(await storeFigures(
      'store, sqlite-wasm opfs',
      await openStore(`bench-${run}`, { vfs: 'opfs', purgeIntervalMs: 0 }),
    )),
    ...(await storeFigures('store, sqlite-wasm :memory:', await openStore(':memory:', { purgeIntervalMs: 0 }))),
    ...(await storeFigures(
      'store, sql.js :memory:',
      await createStore(createSqlJsDriver(new SQL.Database()), { purgeIntervalMs: 0 }),
    )),
    ...(await rawFigures(new SQL.Database())),
  ];
}

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<{ run: string } | { round: true }>) => void) | null;
  postMessage(message: unknown): void;
};
scope.onmessage = (event) => {
  if ('round' in event.data) {
    concurrentGets(LEADING, leading as Store).then(
      (figure) => scope.postMessage({ figures: [figure] }),
      (error: unknown) => scope.postMessage({ error: String((error as Error)?.stack ?? error) }),
    );
    return;
  }
  runAll(event.data.run).then(
    (figures) => scope.postMessage({ figures }),
    (error: unknown) => scope.postMessage({ error: String((error as Error)?.stack ?? error) }),
  );
};
