/**
 * Serving the Fetch-API handler from `node:http` (or `node:https`, `http2`'s compatibility
 * API): the request becomes a `Request`, the `Response` is written back, streamed (so the live
 * channel works). Written against the shapes it uses, so this module imports nothing from Node.
 */

/** The parts of `http.IncomingMessage` used. */
export interface NodeRequest extends AsyncIterable<Uint8Array | string> {
  method?: string | undefined;
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  on(event: 'close', listener: () => void): unknown;
}

/** The parts of `http.ServerResponse` used. */
export interface NodeResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: Uint8Array): boolean;
  end(): unknown;
  on(event: 'close', listener: () => void): unknown;
  readonly writableEnded: boolean;
}

/**
 * Wraps a Fetch-API handler as a `node:http` request listener.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 * http.createServer(toNodeListener(createSyncHandler(store, { authorize }))).listen(8787, '127.0.0.1');
 * ```
 */
export function toNodeListener(
  handler: (request: Request) => Promise<Response>,
): (request: NodeRequest, response: NodeResponse) => Promise<void> {
  return async (req, res) => {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    try {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (Array.isArray(value)) for (const item of value) headers.append(name, item);
        else if (value !== undefined) headers.set(name, value);
      }
      const method = req.method ?? 'GET';
      let body: Uint8Array<ArrayBuffer> | undefined;
      if (method !== 'GET' && method !== 'HEAD') {
        const chunks: Uint8Array[] = [];
        for await (const chunk of req) chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
        body = concat(chunks);
      }
      const url = new URL(req.url ?? '/', `http://${headers.get('host') ?? 'localhost'}`);
      const response = await handler(new Request(url, { method, headers, body, signal: abort.signal }));
      const out: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        out[name] = value;
      });
      res.writeHead(response.status, out);
      if (response.body !== null) {
        const reader = response.body.getReader();
        abort.signal.addEventListener('abort', () => {
          reader.cancel().catch(() => undefined);
        });
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          res.write(value);
        }
      }
      if (!res.writableEnded) res.end();
    } catch {
      if (!res.writableEnded) {
        try {
          res.writeHead(500, { 'content-type': 'text/plain' });
        } catch {
          // Headers already sent: just end the response.
        }
        res.end();
      }
    }
  };
}

function concat(chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
