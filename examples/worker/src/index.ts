/**
 * go-store in a Cloudflare Worker: a key-value store over HTTP, serving the REST API of
 * `../shared/rest-api.ts` (routes listed there).
 *
 * The database lives in the isolate's memory: a Worker has no file system, and an isolate is
 * evicted whenever the platform likes, so treat this as a cache that starts empty. The
 * background purge is off because a timer cannot outlive the request that set it; expired keys
 * are still never returned, and `get` deletes them as it meets them.
 */
import { createStore, type Store } from '@go-store/core';
import { createSqlJsDriver } from '@go-store/driver-sqljs';
import { errorResponse, pathSegments, serveApi } from '../../shared/rest-api.js';
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
      return await serveApi(request, pathSegments(request), await openStore());
    } catch (error) {
      return errorResponse(error);
    }
  },
};
