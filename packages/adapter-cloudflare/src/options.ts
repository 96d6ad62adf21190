/**
 * The store options both Cloudflare stores take, with the background purge off unless asked
 * for: an interval timer would keep a Durable Object (or a Worker's isolate) busy for nothing.
 */
import { InvalidArgumentError, type StoreOptions } from '@go-store/core';

/** `options` with `purgeIntervalMs` defaulting to 0; everything else is checked by the store. */
export function storeOptions(op: string, options: StoreOptions | undefined): StoreOptions {
  if (options === undefined) return { purgeIntervalMs: 0 };
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(`${op}: options must be an object`);
  }
  return { ...options, purgeIntervalMs: options.purgeIntervalMs ?? 0 };
}
