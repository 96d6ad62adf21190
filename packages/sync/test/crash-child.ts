/**
 * A child process for the crash tests, killed with SIGKILL by the parent. It reports on stdout,
 * one line per event, and the parent acts on those lines: nothing waits on a clock.
 *
 * Usage: node crash-child.js MODE DATABASE [PORT]
 * - client: opens the file store, starts sync towards a server that never answers (so no sync
 *   ever completes), then writes keys `n0, n1, …` to group `a:w`, printing `ack N` once each
 *   write's Promise resolved, until killed.
 * - server: opens the file store and serves the sync handler on 127.0.0.1 (PORT, or any free
 *   port), printing `port P`, and `push` when a push request arrives (before it is handled).
 */
import http from 'node:http';
import { openStore } from '@go-store/adapter-node';
import { createSyncHandler, startSync, toNodeListener } from '@go-store/sync';

const [mode, database, portArg] = process.argv.slice(2);

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

if (mode === 'client') {
  const store = await openStore(database as string, { purgeIntervalMs: 0 });
  startSync(store, {
    url: 'http://sync.test/',
    namespaces: ['a'],
    fetch: () => new Promise<Response>(() => undefined),
    intervalMs: 0,
  });
  for (let n = 0; ; n++) {
    await store.set('a:w', `n${n}`, `value ${n}`);
    out(`ack ${n}`);
  }
} else if (mode === 'server') {
  const store = await openStore(database as string, { purgeIntervalMs: 0 });
  const handler = createSyncHandler(store, { authorize: () => ['a'] });
  const listener = toNodeListener(async (request) => {
    if (request.method === 'POST') {
      const body = await request.clone().text();
      if (body.includes('"type":"push"')) out('push');
    }
    return handler(request);
  });
  const server = http.createServer(listener);
  server.listen(Number(portArg ?? 0), '127.0.0.1', () => {
    const address = server.address();
    out(`port ${typeof address === 'object' && address !== null ? address.port : 0}`);
  });
}
