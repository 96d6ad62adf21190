/**
 * One side of the cross-process lock checks, run by Node, Deno and Bun alike.
 *
 *   lock-holder.js hold <database>   opens the store, writes, prints "holding", and waits to be killed
 *   lock-holder.js open <database>   tries to open it and prints what happened as one JSON line
 */
import { openStore, StoreError } from '@go-store/adapter-node';

const [mode, path] = process.argv.slice(2);
if ((mode !== 'hold' && mode !== 'open') || path === undefined) {
  console.error('usage: lock-holder.js hold|open <database>');
  process.exit(2);
}

if (mode === 'hold') {
  const store = await openStore(path, { purgeIntervalMs: 0, engine: 'sqljs' });
  await store.set('lock', 'owner', String(process.pid));
  console.log('holding');
  // Keeps the process (and so the lock) alive until the host kills it.
  setInterval(() => undefined, 60_000);
} else {
  try {
    const store = await openStore(path, { purgeIntervalMs: 0, engine: 'sqljs' });
    const owner = await store.get('lock', 'owner').catch(() => undefined);
    await store.close();
    console.log(JSON.stringify({ outcome: 'opened', owner }));
  } catch (error) {
    const code = error instanceof StoreError ? error.code : undefined;
    console.log(JSON.stringify({ outcome: 'refused', code, message: (error as Error).message }));
  }
}
