/**
 * What the Chromium sync tests need: the test page bundled with the browser adapter (its
 * worker and sqlite-wasm's files beside it), and one server on 127.0.0.1 that serves the page
 * and, at `/sync`, a sync handler, so the page syncs with plain same-origin `fetch` (and
 * `context.setOffline` cuts it off like a real network). Chromium itself is started by the
 * browser adapter's test helper (Debian's /usr/bin/chromium through playwright-core).
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/sync: this file is compiled to build/test/sync/test/. */
const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'packages', 'sync');
const requireHere = createRequire(join(PACKAGE, 'package.json'));

const PAGE_HTML =
  '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><link rel="icon" href="data:,">' +
  '<title>sync test</title><script type="module" src="./sync-page.js"></script></head><body></body></html>';

/** Bundles the test page into build/sync/www and resolves to that folder. */
export async function bundlePage(): Promise<string> {
  const { build } = requireHere('esbuild') as typeof import('esbuild');
  const out = join(PACKAGE, '..', '..', 'build', 'sync', 'www');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: [join(PACKAGE, 'test-pages', 'sync-page.ts')],
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
    alias: { '@go-store/sync': join(PACKAGE, 'dist', 'index.js') },
  });
  // The main-thread store starts `./worker.js` beside the page's script; sqlite-wasm finds its
  // files beside the worker.
  const adapter = dirname(dirname(requireHere.resolve('@go-store/adapter-browser')));
  for (const file of ['worker.js', 'sqlite3.wasm', 'sqlite3-opfs-async-proxy.js']) {
    await copyFile(join(adapter, 'dist', file), join(out, file));
  }
  await writeFile(join(out, 'sync.html'), PAGE_HTML);
  return out;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** A running test server. */
export interface PageServer {
  /** `http://127.0.0.1:<port>`; the page is at `/sync.html`, the sync handler at `/sync`. */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Serves the files of `root` and passes `/sync` requests to `sync`. When `sync` rejects, the
 * connection is cut without an answer: to the browser, a network failure.
 */
export async function servePage(root: string, sync: (request: Request) => Promise<Response>): Promise<PageServer> {
  let origin = '';
  const server = http.createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', origin).pathname;
      if (path === '/sync') {
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : Buffer.concat(chunks);
        const headers = new Headers();
        for (const [name, value] of Object.entries(request.headers))
          if (typeof value === 'string') headers.set(name, value);
        let answer: Response;
        try {
          answer = await sync(new Request(`${origin}${request.url}`, { method: request.method, headers, body }));
        } catch {
          response.destroy();
          return;
        }
        response.writeHead(answer.status, Object.fromEntries(answer.headers));
        response.end(Buffer.from(await answer.arrayBuffer()));
        return;
      }
      try {
        const body = await readFile(join(root, path.slice(1)));
        response.writeHead(200, {
          'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
          'cache-control': 'no-store',
        });
        response.end(body);
      } catch {
        response.writeHead(404).end('not found');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
