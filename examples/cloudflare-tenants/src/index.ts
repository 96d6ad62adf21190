/**
 * go-store on Cloudflare, one store per tenant.
 *
 *   /t/:tenant/…    the tenant's own SQLite-backed Durable Object (`idFromName(tenant)`) serves
 *                   the API of `../shared/rest-api.ts` from its own store, plus `GET /t/:tenant/export`
 *   /d1/:tenant/…   the same API from one D1 database, the tenant's data in its own namespace
 *                   (`store.scope(tenant)`)
 *
 * Tenants are named like namespaces: letters, digits and `-`.
 *
 * Each Durable Object is a database of its own, placed and run by Cloudflare independently of
 * every other: tenants spread across machines with no lock in common, and one tenant's load
 * never waits on another's. The D1 variant keeps every tenant in one database (one writer for
 * all), which is simpler to query across tenants and fine while the load is modest.
 */
import { openD1Store, type Store } from '@go-store/adapter-cloudflare';
import { errorResponse, pathSegments, serveApi, text } from '../../shared/rest-api.js';

export { Tenant } from './tenant.js';

interface Env {
  TENANTS: DurableObjectNamespace;
  DB: D1Database;
}

const TENANT_NAME = /^[a-zA-Z0-9-]+$/;

// One D1 store per binding and isolate: opening checks the schema, which costs round trips.
const d1Stores = new WeakMap<D1Database, Promise<Store>>();

function d1Store(db: D1Database): Promise<Store> {
  let opening = d1Stores.get(db);
  if (opening === undefined) {
    opening = openD1Store(db);
    opening.catch(() => d1Stores.delete(db));
    d1Stores.set(db, opening);
  }
  return opening;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    try {
      const [where, tenant = '', ...segments] = pathSegments(request);
      if (!TENANT_NAME.test(tenant)) return text('a tenant is named with letters, digits and -\n', 404);
      if (where === 't') return env.TENANTS.get(env.TENANTS.idFromName(tenant)).fetch(request);
      if (where === 'd1') return serveApi(request, segments, (await d1Store(env.DB)).scope(tenant));
      return text('not found\n', 404);
    } catch (error) {
      return errorResponse(error);
    }
  },
};
