/**
 * The quick start: go-store's own tour, in TypeScript. Run it with `pnpm run quickstart`.
 */
import { openStore, QuotaExceededError } from '@go-store/adapter-node';

// Open a store. Use ':memory:' for ephemeral data or a file path for persistence.
const path = process.argv[2] ?? 'quickstart.db';
const store = await openStore(path);

// What an earlier run left in the file is still there.
const runs = (await store.has('quickstart', 'runs')) ? Number(await store.get('quickstart', 'runs')) + 1 : 1;
await store.set('quickstart', 'runs', String(runs));
console.log(`run ${runs} on ${path}`);

// Basic CRUD.
await store.set('config', 'theme', 'dark');
console.log(await store.get('config', 'theme')); // dark

// TTL expiry: the key disappears after 24 hours.
await store.setWithTTL('session', 'token', 'abc123', 24 * 60 * 60 * 1000);

// Fetch all keys in a group.
console.log(await store.getAll('config')); // { theme: 'dark' }

// Template rendering from stored values.
await store.set('mail', 'host', 'smtp.example.com');
await store.set('mail', 'port', '587');
console.log(await store.render('{{ .host }}:{{ .port }}', 'mail')); // smtp.example.com:587

// Namespace isolation for multi-tenant use: stored as group "tenant-42:prefs".
const tenant = store.scope('tenant-42');
await tenant.set('prefs', 'locale', 'en-GB');

// Quota enforcement.
const limited = store.scope('tenant-99', { maxKeys: 100, maxGroups: 5 });
try {
  for (let i = 0; i < 6; i++) await limited.set(`g${i}`, 'k', 'v');
} catch (error) {
  if (error instanceof QuotaExceededError) console.log(error.message);
  else throw error;
}

// Watch for mutations: an async iterable with a bounded buffer.
const watcher = store.watch('config', '*');
const seen = (async () => {
  for await (const event of watcher) console.log(`event: ${event.type} ${event.group}/${event.key}`);
})();

// Or register a synchronous callback.
const unregister = store.onChange((event) => console.log(`changed: ${event.key}`));

await store.set('config', 'colour', 'blue');
unregister();
store.unwatch(watcher);
await seen;

await store.close();
