/**
 * Whole-group and cross-group reads, in memory: getAll at four sizes, count, countAll and
 * groups. The raw baseline reads row by row, as a user of sql.js would.
 */
import { openStore } from '@go-store/adapter-node';
import { measureAll, openNative, openRawSqlJs, report, SQL, smoke } from '../lib/harness.mjs';

const SIZES = smoke ? [10, 100] : [10, 100, 1_000, 10_000];
const GROUPS = smoke ? 10 : 100;
const PER_GROUP = 100;

const store = await openStore(':memory:', { purgeIntervalMs: 0 });
const raw = await openRawSqlJs();
const native = await openNative();
const value = (i) => `value-${i}-${'x'.repeat(24)}`;

for (const size of SIZES) {
  await store.setMany(
    `size-${size}`,
    Array.from({ length: size }, (_, i) => [`key-${i}`, value(i)]),
  );
}
for (let g = 0; g < GROUPS; g++) {
  await store.setMany(
    `user:${g}`,
    Array.from({ length: PER_GROUP }, (_, i) => [`key-${i}`, value(i)]),
  );
}
for (const engine of [raw, native].filter(Boolean)) {
  for (const size of SIZES)
    for (let i = 0; i < size; i++) engine.run(SQL.upsert, [`size-${size}`, `key-${i}`, value(i), null]);
  for (let g = 0; g < GROUPS; g++)
    for (let i = 0; i < PER_GROUP; i++) engine.run(SQL.upsert, [`user:${g}`, `key-${i}`, value(i), null]);
}

/** What a user of the engine writes to get a group as an object: one row at a time. */
function groupByRow(engine, group) {
  const pairs = Object.create(null);
  for (const [key, v] of engine.all(SQL.group, [group, Date.now()])) pairs[key] = v;
  return pairs;
}

const cases = [];
function add(op, engines) {
  // A baseline that is not installed is kept as a case without a function: RESULTS.md says so.
  for (const [engine, fn] of Object.entries(engines)) cases.push({ op, engine, fn });
}
for (const size of SIZES) {
  const group = `size-${size}`;
  add(`getAll(${size})`, {
    store: () => store.getAll(group),
    'raw sql.js': () => groupByRow(raw, group),
    'better-sqlite3': native && (() => groupByRow(native, group)),
  });
}
const big = `size-${SIZES[SIZES.length - 1]}`;
add(`count(${SIZES[SIZES.length - 1]})`, {
  store: () => store.count(big),
  'raw sql.js': () => raw.get(SQL.count, [big, Date.now()]),
  'better-sqlite3': native && (() => native.get(SQL.count, [big, Date.now()])),
});
add(`countAll('user:') ${GROUPS * PER_GROUP} keys`, {
  store: () => store.countAll('user:'),
  'raw sql.js': () => raw.get(SQL.countAll, ['user:', 'user;', Date.now()]),
  'better-sqlite3': native && (() => native.get(SQL.countAll, ['user:', 'user;', Date.now()])),
});
add(`groups('user:') ${GROUPS} groups`, {
  store: () => store.groups('user:'),
  'raw sql.js': () => raw.all(SQL.groups, ['user:', 'user;', Date.now()]).map((row) => row[0]),
  'better-sqlite3': native && (() => native.all(SQL.groups, ['user:', 'user;', Date.now()]).map((row) => row[0])),
});

report(await measureAll('bulk', cases));
await store.close();
