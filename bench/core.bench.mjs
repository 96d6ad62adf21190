/**
 * Point operations of the store (adapter-node, :memory:) against the same SQL through raw
 * sql.js prepared statements, side by side in one process.
 */
import { bench, group, run, summary } from 'mitata';
import initSqlJs from 'sql.js';
import { openStore } from '@go-store/adapter-node';

const SQL = await initSqlJs();
const raw = new SQL.Database();
raw.exec('PRAGMA locking_mode=EXCLUSIVE');
raw.exec('CREATE TABLE kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER, PRIMARY KEY (grp, key))');
const rawGet = raw.prepare('SELECT value, expires_at FROM kv WHERE grp = ?1 AND key = ?2');
const rawSet = raw.prepare('INSERT INTO kv (grp, key, value, expires_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (grp, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at');

const store = await openStore(':memory:', { purgeIntervalMs: 0 });
for (let i = 0; i < 1000; i++) {
  await store.set('g', `k${i}`, `value-${i}`);
  rawSet.run(['g', `k${i}`, `value-${i}`, null]);
}

let i = 0;
summary(() => {
  group('get', () => {
    bench('raw sql.js', () => {
      rawGet.bind(['g', `k${i++ % 1000}`]);
      rawGet.step();
      const v = rawGet.get();
      rawGet.reset();
      return v;
    }).baseline(true);
    bench('store', async () => store.get('g', `k${i++ % 1000}`));
  });
  group('set', () => {
    bench('raw sql.js', () => {
      rawSet.run(['g', `k${i++ % 1000}`, 'x', null]);
    }).baseline(true);
    bench('store', async () => store.set('g', `k${i++ % 1000}`, 'x'));
  });
});
await run();
