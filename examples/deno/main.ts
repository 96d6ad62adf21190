/**
 * go-store in Deno: a store persisted to a file through `node:fs`.
 *
 *   deno run --allow-read --allow-write --allow-sys=hostname,uid main.ts [database]
 *
 * Each run counts itself, remembers a note with an expiry, and prints a summary rendered by a
 * Go template, so running it twice shows the data surviving between processes.
 */
import { NotFoundError, openStore } from '@go-store/adapter-node';

const path = Deno.args[0] ?? 'example.db';
const store = await openStore(path);
try {
  const stop = store.onChange((event) => console.log(`event: ${event.type} ${event.group}/${event.key}`));

  const previous = await store.get('example', 'runs').catch((error: unknown) => {
    if (error instanceof NotFoundError) return '0';
    throw error;
  });
  const runs = Number(previous) + 1;
  await store.set('example', 'runs', String(runs));
  await store.set('example', 'runtime', `Deno ${Deno.version.deno}`);
  await store.setWithTTL('example', 'note', 'gone in a minute', 60_000);
  stop();

  console.log(await store.render('run {{.runs}} on {{.runtime}}; note: {{.note}}', 'example'));
  console.log(`keys in example: ${await store.count('example')}`);
} finally {
  await store.close();
}
