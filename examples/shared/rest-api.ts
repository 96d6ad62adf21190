/**
 * The REST API both Worker examples serve, over any store-like object (a `Store`, or a
 * `ScopedStore` such as a D1 store's `scope(tenant)`):
 *
 *   PUT    /kv/:group/:key[?ttl=ms]   body is the value          → 204
 *   GET    /kv/:group/:key                                        → the value, or 404
 *   DELETE /kv/:group/:key                                        → 204
 *   GET    /kv/:group                 the group as JSON           → { key: value, … }
 *   DELETE /kv/:group                                             → 204
 *   GET    /groups[?prefix=p]         group names as JSON         → [ … ]
 *   POST   /render/:group             body is a Go text/template  → the rendered text
 *
 * Path segments are URL-decoded, so any group or key (slashes included) can be addressed. The
 * file imports nothing: errors are told apart by their stable `code`, so one copy serves an
 * app built on any go-store package.
 */

/** What the API needs of a store: a `Store` and a `ScopedStore` both have it. */
export interface KeyValueData {
  get(group: string, key: string): Promise<string>;
  set(group: string, key: string, value: string): Promise<void>;
  setWithTTL(group: string, key: string, value: string, ttlMs: number): Promise<void>;
  delete(group: string, key: string): Promise<void>;
  getAll(group: string): Promise<Record<string, string>>;
  deleteGroup(group: string): Promise<void>;
  groups(prefix?: string): Promise<string[]>;
  render(template: string, group: string): Promise<string>;
}

/** The HTTP status of each go-store error code; anything else is a 500 with code `INTERNAL`. */
const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  NOT_FOUND: 404,
  INVALID_ARGUMENT: 400,
  TEMPLATE: 400,
  QUOTA_EXCEEDED: 409,
  CLOSED: 500,
  DRIVER: 500,
  LOCKED: 500,
  NOT_A_DATABASE: 500,
};

/** The request's path as decoded segments: `/t/acme/kv/a%2Fb/k` → `['t', 'acme', 'kv', 'a/b', 'k']`. */
export function pathSegments(request: Request): string[] {
  return new URL(request.url).pathname.split('/').slice(1).map(decodeURIComponent);
}

/** Answers one request of the API in `segments` (the path after the tenant, decoded). */
export async function serveApi(request: Request, segments: string[], data: KeyValueData): Promise<Response> {
  try {
    return await route(request, segments, data);
  } catch (error) {
    return errorResponse(error);
  }
}

async function route(request: Request, segments: string[], data: KeyValueData): Promise<Response> {
  const [resource, ...rest] = segments;
  const method = request.method;
  if (resource === 'kv' && rest.length === 2) {
    const [group, key] = rest as [string, string];
    if (method === 'GET') return text(await data.get(group, key));
    if (method === 'PUT') {
      const value = await request.text();
      const ttl = new URL(request.url).searchParams.get('ttl');
      if (ttl === null) await data.set(group, key, value);
      else await data.setWithTTL(group, key, value, Number(ttl));
      return new Response(null, { status: 204 });
    }
    if (method === 'DELETE') {
      await data.delete(group, key);
      return new Response(null, { status: 204 });
    }
  } else if (resource === 'kv' && rest.length === 1) {
    const [group] = rest as [string];
    if (method === 'GET') return json(await data.getAll(group));
    if (method === 'DELETE') {
      await data.deleteGroup(group);
      return new Response(null, { status: 204 });
    }
  } else if (resource === 'groups' && rest.length === 0 && method === 'GET') {
    return json(await data.groups(new URL(request.url).searchParams.get('prefix') ?? ''));
  } else if (resource === 'render' && rest.length === 1 && method === 'POST') {
    return text(await data.render(await request.text(), rest[0] as string));
  } else {
    return text('not found\n', 404);
  }
  return text('method not allowed\n', 405);
}

/** A store error as an HTTP status, with its stable code in `x-error-code`. */
export function errorResponse(error: unknown): Response {
  const given = (error as { code?: unknown } | null)?.code;
  const code = typeof given === 'string' && Object.hasOwn(STATUS_OF_CODE, given) ? given : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  return new Response(`${message}\n`, {
    status: STATUS_OF_CODE[code] ?? 500,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-error-code': code },
  });
}

/** A plain-text response. */
export function text(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
}
