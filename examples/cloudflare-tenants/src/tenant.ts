/**
 * One tenant's Durable Object: a SQLite-backed object holding the tenant's own store, opened
 * once when the object starts and shared by its requests. Declared in `new_sqlite_classes`.
 */
import { dump, openDurableObjectStore, type Store } from '@go-store/adapter-cloudflare';
import { errorResponse, pathSegments, serveApi } from '../../shared/rest-api.js';

export class Tenant {
  readonly #store: Promise<Store>;

  constructor(ctx: DurableObjectState) {
    // No request is delivered before the store is open (or has failed to open).
    this.#store = ctx.blockConcurrencyWhile(() => openDurableObjectStore(ctx.storage));
  }

  /** Serves `/t/:tenant/…`: the API, plus `GET /t/:tenant/export` (the tenant's data as JSON Lines). */
  async fetch(request: Request): Promise<Response> {
    try {
      const segments = pathSegments(request).slice(2);
      const store = await this.#store;
      if (segments.length === 1 && segments[0] === 'export' && request.method === 'GET') return exportAll(store);
      return serveApi(request, segments, store);
    } catch (error) {
      return errorResponse(error);
    }
  }
}

/** Every live key, in go-store's dump format (`load` on any other go-store store reads it). */
async function exportAll(store: Store): Promise<Response> {
  const lines: string[] = [];
  for await (const line of dump(store)) lines.push(`${line}\n`);
  return new Response(lines.join(''), { headers: { 'content-type': 'application/x-ndjson; charset=utf-8' } });
}
