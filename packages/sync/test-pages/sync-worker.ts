/**
 * The Worker the workerd sync test serves: `/sync/<tenant>` is routed by the Worker to that
 * tenant's SQLite-backed Durable Object, whose `fetch` is the sync handler over a store on the
 * object's own storage. Credentials: `authorization: Bearer <tenant>-token` syncs `notes`.
 */
import { type DurableObjectStorageLike, openDurableObjectStore } from '@go-store/adapter-cloudflare';
import { createSyncHandler, SyncError, type SyncHandler } from '@go-store/sync';

interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

interface Env {
  SYNC: DurableObjectNamespaceLike;
}

/** One tenant's sync server. */
export class SyncObject {
  readonly #handler: Promise<SyncHandler>;

  constructor(ctx: { storage: DurableObjectStorageLike }) {
    this.#handler = openDurableObjectStore(ctx.storage).then((store) =>
      createSyncHandler(store, {
        authorize: (request) => {
          const tenant = request.headers.get('x-tenant');
          if (request.headers.get('authorization') !== `Bearer ${tenant}-token`) {
            throw new SyncError('UNAUTHORIZED', 'sync: unknown token');
          }
          return ['notes'];
        },
      }),
    );
  }

  async fetch(request: Request): Promise<Response> {
    return (await this.#handler)(request);
  }
}

export default {
  fetch(request: Request, env: Env): Promise<Response> | Response {
    const match = /^\/sync\/([a-z0-9-]+)$/.exec(new URL(request.url).pathname);
    if (match === null) return new Response('not found', { status: 404 });
    const tenant = match[1] as string;
    const forwarded = new Request(request);
    forwarded.headers.set('x-tenant', tenant);
    return env.SYNC.get(env.SYNC.idFromName(tenant)).fetch(forwarded);
  },
};
