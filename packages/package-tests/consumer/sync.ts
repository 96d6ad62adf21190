// A sync server and client, as a user would write them after `npm install` (type-checked only).
import http from 'node:http';
import { openStore } from '@go-store/adapter-node';
import { createSyncHandler, type SyncStatus, startSync, toNodeListener } from '@go-store/sync';

export async function serveAndSync(path: string): Promise<SyncStatus> {
  const server = await openStore(':memory:');
  const handler = createSyncHandler(server, { authorize: async () => ['notes'] });
  http.createServer(toNodeListener(handler)).listen(0, '127.0.0.1');
  const store = await openStore(path);
  const sync = startSync(store, { url: 'http://127.0.0.1:8787/', namespaces: ['notes'], live: true });
  await sync.syncNow();
  await sync.stop();
  return sync.status;
}
