/**
 * go-store in a Cloudflare Worker: a key-value store over HTTP.
 *
 *   PUT    /kv/:group/:key[?ttl=ms]   body is the value        → 204
 *   GET    /kv/:group/:key                                      → the value, or 404
 *   DELETE /kv/:group/:key                                      → 204
 *   GET    /kv/:group                 the group as JSON         → { key: value, … }
 *   DELETE /kv/:group                                           → 204
 *   GET    /groups[?prefix=p]         group names as JSON       → [ … ]
 *   POST   /render/:group             body is a Go text/template → the rendered text
 *
 * Path segments are URL-decoded, so any group or key (slashes included) can be addressed.
 *
 * The database lives in the isolate's memory: a Worker has no file system, and an isolate is
 * evicted whenever the platform likes, so treat this as a cache that starts empty. The
 * background purge is off because a timer cannot outlive the request that set it; expired keys
 * are still never returned, and `get` deletes them as it meets them.
 */
import {
  createStore,
  InvalidArgumentError,
  NotFoundError,
  QuotaExceededError,
  type Store,
  StoreError,
  TemplateError,
} from '@go-store/core';
import { createSqlJsDriver } from '@go-store/driver-sqljs';
import { loadSqlJs } from './sqljs.js';

let opening: Promise<Store> | undefined;

function openStore(): Promise<Store> {
  opening ??= loadSqlJs()
    .then((SQL) => createStore(createSqlJsDriver(new SQL.Database()), { purgeIntervalMs: 0 }))
    .catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
  return opening;
}

export default {
  async fetch(request: Request): Promise<Response> {
    try {
      return await route(request, await openStore());
    } catch (error) {
      return errorResponse(error);
    }
  },
};

async function route(request: Request, store: Store): Promise<Response> {
  const url = new URL(request.url);
  const [resource, ...rest] = url.pathname.split('/').slice(1).map(decodeURIComponent);
  const method = request.method;

  if (resource === 'kv' && rest.length === 2) {
    const [group, key] = rest as [string, string];
    if (method === 'GET') return text(await store.get(group, key));
    if (method === 'PUT') {
      const value = await request.text();
      const ttl = url.searchParams.get('ttl');
      if (ttl === null) await store.set(group, key, value);
      else await store.setWithTTL(group, key, value, Number(ttl));
      return new Response(null, { status: 204 });
    }
    if (method === 'DELETE') {
      await store.delete(group, key);
      return new Response(null, { status: 204 });
    }
  } else if (resource === 'kv' && rest.length === 1) {
    const [group] = rest as [string];
    if (method === 'GET') return json(await store.getAll(group));
    if (method === 'DELETE') {
      await store.deleteGroup(group);
      return new Response(null, { status: 204 });
    }
  } else if (resource === 'groups' && rest.length === 0 && method === 'GET') {
    return json(await store.groups(url.searchParams.get('prefix') ?? ''));
  } else if (resource === 'render' && rest.length === 1 && method === 'POST') {
    return text(await store.render(await request.text(), rest[0] as string));
  } else {
    return text('not found\n', 404);
  }
  return text('method not allowed\n', 405);
}

function errorResponse(error: unknown): Response {
  const status =
    error instanceof NotFoundError
      ? 404
      : error instanceof InvalidArgumentError || error instanceof TemplateError
        ? 400
        : error instanceof QuotaExceededError
          ? 409
          : 500;
  const code = error instanceof StoreError ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  return new Response(`${message}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-error-code': code },
  });
}

function text(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
}
