/**
 * The notes demo's Node server: serves the page and, at /sync, the sync handler over a go-store
 * file (notes-server.db, or DB=…). Every visitor may sync the `notes` namespace: put real
 * authorisation in `authorize` before exposing this anywhere.
 *
 *   node server.mjs            # http://127.0.0.1:8787/  (PORT=… to change; PORT=0 picks one)
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { openStore } from '@go-store/adapter-node';
import { createSyncHandler, toNodeListener } from '@go-store/sync';
import { buildPage } from './build.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

const root = await buildPage();
const store = await openStore(process.env.DB ?? 'notes-server.db');
const handler = createSyncHandler(store, { authorize: () => ['notes'] });
const sync = toNodeListener(handler);

const server = http.createServer(async (request, response) => {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path === '/sync') return sync(request, response);
  const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
  if (!file.startsWith(root + sep)) return response.writeHead(403).end();
  try {
    const body = await readFile(file);
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    response.writeHead(404).end('not found');
  }
});

server.listen(Number(process.env.PORT ?? 8787), '127.0.0.1', () => {
  console.log(`notes-sync: http://127.0.0.1:${server.address().port}/`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    handler.close();
    server.closeAllConnections();
    server.close(() => store.close().then(() => process.exit(0)));
  });
}
