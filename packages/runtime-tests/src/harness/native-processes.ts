/**
 * One process of the cross-process checks of the native engine, run by Node 24, Deno and Bun.
 *
 *   native-processes.js write <database> <prefix> <count>   writes <count> keys, 20 at a time
 *   native-processes.js quota <database> <prefix> <count>   tries <count> new keys in scope `shared` (maxKeys 50)
 *   native-processes.js hold <database>                     writes one key, prints "holding", waits to be killed
 *   native-processes.js ack <database> <engine>             writes keys 16 at a time, printing "ack <n>" once each resolves
 *   native-processes.js dump <database> <engine>            prints the group `ack` as one JSON line
 *
 * Each prints one JSON line when it finishes (but `hold` and `ack`, which are killed); `write`
 * also says whether its file store and a `:memory:` one report `inMemory`.
 */
import { type Engine, openStore, QuotaExceededError } from '@go-store/adapter-node';

const [mode, path, third, fourth] = process.argv.slice(2);
if (path === undefined) {
  console.error('usage: native-processes.js write|quota|hold|ack|dump <database> …');
  process.exit(2);
}

async function inParallel(count: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

switch (mode) {
  case 'write': {
    const store = await openStore(path, { engine: 'native', purgeIntervalMs: 0 });
    await inParallel(Number(fourth), 20, (i) => store.set('writers', `${third}-${i}`, String(i)));
    await store.close();
    const memory = await openStore(':memory:', { engine: 'native', purgeIntervalMs: 0 });
    await memory.close();
    // What each store says of itself: a file is not in memory, `:memory:` is.
    console.log(JSON.stringify({ written: Number(fourth), inMemory: [store.inMemory, memory.inMemory] }));
    break;
  }
  case 'quota': {
    const store = await openStore(path, { engine: 'native', purgeIntervalMs: 0 });
    const scoped = store.scope('shared', { maxKeys: 50 });
    let stored = 0;
    let refused = 0;
    await inParallel(Number(fourth), 10, async (i) => {
      try {
        await scoped.set('tenant', `${third}-${i}`, 'x');
        stored++;
      } catch (error) {
        if (!(error instanceof QuotaExceededError)) throw error;
        refused++;
      }
    });
    await store.close();
    console.log(JSON.stringify({ stored, refused }));
    break;
  }
  case 'hold': {
    const store = await openStore(path, { engine: 'native', purgeIntervalMs: 0 });
    await store.set('visible', 'key', 'written while open');
    console.log('holding');
    setInterval(() => undefined, 60_000);
    break;
  }
  case 'ack': {
    const store = await openStore(path, { engine: third as Engine, purgeIntervalMs: 0 });
    let next = 0;
    const writer = async () => {
      for (;;) {
        const n = next++;
        await store.set('ack', `k${n}`, `v${n}`);
        process.stdout.write(`ack ${n}\n`);
      }
    };
    await Promise.all(Array.from({ length: 16 }, writer));
    break;
  }
  case 'dump': {
    const store = await openStore(path, { engine: third as Engine, purgeIntervalMs: 0 });
    const all = await store.getAll('ack');
    await store.close();
    console.log(JSON.stringify({ ...all }));
    break;
  }
  default:
    console.error(`unknown mode ${mode}`);
    process.exit(2);
}
