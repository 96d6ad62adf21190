/**
 * The notes demo on Cloudflare: the Worker serves the page (dist/, as static assets) and routes
 * `/sync` to one SQLite-backed Durable Object, whose `fetch` is the sync handler over a store on
 * the object's own storage. Every visitor may sync the `notes` namespace: put real
 * authorisation in `authorize` before deploying (and a Durable Object per user or team).
 */
import { DurableObject } from 'cloudflare:workers';
import { openDurableObjectStore } from '@go-store/adapter-cloudflare';
import { createSyncHandler, type SyncHandler } from '@go-store/sync';

interface Env {
  NOTES: DurableObjectNamespace<NotesSync>;
}

export class NotesSync extends DurableObject<Env> {
  readonly #handler: Promise<SyncHandler>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#handler = openDurableObjectStore(ctx.storage).then((store) =>
      createSyncHandler(store, { authorize: () => ['notes'] }),
    );
  }

  override async fetch(request: Request): Promise<Response> {
    return (await this.#handler)(request);
  }
}

export default {
  fetch(request, env) {
    if (new URL(request.url).pathname !== '/sync') return new Response('not found', { status: 404 });
    return env.NOTES.get(env.NOTES.idFromName('notes')).fetch(request);
  },
} satisfies ExportedHandler<Env>;
