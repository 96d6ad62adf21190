/**
 * The Cloudflare bench, inside workerd: `GET /durable-object?n=…&rounds=…` measures inside one
 * SQLite-backed Durable Object, `GET /d1?…` against the D1 binding from the Worker. Each
 * answers `{ op: { engine: [ns per operation, one per round] } }`.
 *
 * workerd's clock moves in whole milliseconds, so nothing is timed alone: each sample is a block
 * of `n` operations, one after another, and the engines of an operation take turns block by
 * block (the order rotating each round), so both see the same machine.
 */
import { openD1Store, openDurableObjectStore } from '@go-store/adapter-cloudflare';

// The statements the store runs for get and set, as the raw baselines run them.
const SELECT_VALUE = 'SELECT value, expires_at FROM kv WHERE grp = ?1 AND key = ?2';
const UPSERT =
  'INSERT INTO kv (grp, key, value, expires_at) VALUES (?1, ?2, ?3, ?4) ' +
  'ON CONFLICT (grp, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at';
const KEYS = 1_000;

const key = (i) => `key-${i % KEYS}`;

async function sample(block, n) {
  // A turn of the event loop first: the object commits what the previous block wrote.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const started = performance.now();
  await block(n);
  return ((performance.now() - started) * 1e6) / n;
}

/** Runs each engine's block of each op `rounds` times, rotating who goes first. */
async function measure(ops, n, rounds) {
  const out = {};
  for (const [op, engines] of Object.entries(ops)) {
    const names = Object.keys(engines);
    out[op] = Object.fromEntries(names.map((name) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + round) % names.length];
        out[op][name].push(await sample(engines[name], n));
      }
    }
  }
  return out;
}

function params(url) {
  return { n: Number(url.searchParams.get('n')), rounds: Number(url.searchParams.get('rounds')) };
}

export class BenchObject {
  constructor(ctx) {
    this.storage = ctx.storage;
  }

  async fetch(request) {
    const { n, rounds } = params(new URL(request.url));
    const sql = this.storage.sql;
    const store = await openDurableObjectStore(this.storage);
    await store.setMany(
      'g',
      Array.from({ length: KEYS }, (_, i) => [key(i), `value-${i}`]),
    );
    let i = 0;
    const result = await measure(
      {
        'get (Durable Object)': {
          'store, Durable Object': async (count) => {
            for (let j = 0; j < count; j++) await store.get('g', key(i++));
          },
          'raw ctx.storage.sql.exec (baseline)': async (count) => {
            for (let j = 0; j < count; j++) sql.exec(SELECT_VALUE, 'g', key(i++)).raw().toArray();
          },
        },
        'set (Durable Object)': {
          'store, Durable Object': async (count) => {
            for (let j = 0; j < count; j++) await store.set('g', key(i++), 'v');
          },
          'raw ctx.storage.sql.exec (baseline)': async (count) => {
            for (let j = 0; j < count; j++) sql.exec(UPSERT, 'g', key(i++), 'v', null);
          },
        },
      },
      n,
      rounds,
    );
    await store.close();
    return Response.json(result);
  }
}

async function benchD1(db, n, rounds) {
  const store = await openD1Store(db);
  await store.setMany(
    'g',
    Array.from({ length: KEYS }, (_, i) => [key(i), `value-${i}`]),
  );
  let i = 0;
  const result = await measure(
    {
      'get (D1)': {
        'store, D1': async (count) => {
          for (let j = 0; j < count; j++) await store.get('g', key(i++));
        },
        'raw D1 prepare().bind().raw() (baseline)': async (count) => {
          for (let j = 0; j < count; j++) await db.prepare(SELECT_VALUE).bind('g', key(i++)).raw();
        },
      },
      'set (D1)': {
        'store, D1': async (count) => {
          for (let j = 0; j < count; j++) await store.set('g', key(i++), 'v');
        },
        'raw D1 prepare().bind().run() (baseline)': async (count) => {
          for (let j = 0; j < count; j++) await db.prepare(UPSERT).bind('g', key(i++), 'v', null).run();
        },
      },
    },
    n,
    rounds,
  );
  await store.close();
  return result;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/durable-object') return env.BENCH.get(env.BENCH.idFromName('bench')).fetch(request);
    if (url.pathname === '/d1') {
      const { n, rounds } = params(url);
      return Response.json(await benchD1(env.DB, n, rounds));
    }
    return new Response('not found\n', { status: 404 });
  },
};
