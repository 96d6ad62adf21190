/**
 * A static file server on 127.0.0.1 for the browser tests and the example: serves a folder at
 * `/`, and the same folder under `/coi/` with the cross-origin isolation headers that the 'opfs'
 * VFS needs (COOP/COEP), so both kinds of page share one origin.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** A running server; `origin` is `http://127.0.0.1:<port>`. */
export interface StaticServer {
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves `root` on a free port of 127.0.0.1 (or `port`, when given). */
export async function serveStatic(root: string, port = 0): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    void (async () => {
      let path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
      const isolated = path === '/coi' || path.startsWith('/coi/');
      if (isolated) path = path.slice('/coi'.length) || '/';
      if (path.endsWith('/')) path += 'index.html';
      const file = normalize(join(root, path));
      const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...(isolated ? ISOLATION_HEADERS : {}) };
      if (!file.startsWith(root + sep)) {
        response.writeHead(403, headers).end();
        return;
      }
      try {
        const body = await readFile(file);
        headers['Content-Type'] = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
        response.writeHead(200, headers).end(body);
      } catch {
        response.writeHead(404, headers).end('not found');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
