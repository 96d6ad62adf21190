/**
 * The go-store conformance suite: the one set of store tests that every driver and runtime
 * runs, as Keyv ships `@keyv/test-suite`. It checks the promises written in docs/api.md
 * through the public `Store` API only, so a third-party driver can prove it conforms.
 *
 * @example
 * ```ts
 * import { runConformance } from '@go-store/test-suite';
 * import { openStore } from '@go-store/adapter-node';
 *
 * runConformance('sql.js :memory:', (options) => openStore(':memory:', options));
 * ```
 *
 * @packageDocumentation
 */
import { batchesSuite } from './batches.js';
import { closedSuite } from './closed.js';
import { concurrencySuite } from './concurrency.js';
import { countsSuite } from './counts.js';
import { crudSuite } from './crud.js';
import { errorsSuite } from './errors.js';
import { eventsSuite } from './events.js';
import { iteratorsSuite } from './iterators.js';
import { scopeSuite } from './scope.js';
import { splitSuite } from './split.js';
import { stringsSuite } from './strings.js';
import type { ConformanceOptions, Harness, OpenStore } from './support.js';
import { transactionsSuite } from './transactions.js';
import { ttlSuite } from './ttl.js';

export type { ConformanceOptions, OpenStore } from './support.js';
/** A small seeded pseudo-random generator (mulberry32) for reproducible fuzzing. */
export { random } from './values.js';

/**
 * Registers the conformance suites (uvu), one per area, and runs them.
 *
 * `open` must resolve to a fresh, empty store each time it is called, passing the given store
 * options (`now`, `purgeIntervalMs`, `onError`) through; every test closes the store it opened.
 */
export function runConformance(name: string, open: OpenStore, options: ConformanceOptions = {}): void {
  const harness: Harness = {
    name,
    open,
    slow: options.slow ?? true,
    asyncContext: options.asyncContext ?? true,
    skip: new Set(Object.keys(options.skip ?? {})),
    skipped: new Set(),
  };
  crudSuite(harness);
  stringsSuite(harness);
  ttlSuite(harness);
  countsSuite(harness);
  iteratorsSuite(harness);
  splitSuite(harness);
  eventsSuite(harness);
  scopeSuite(harness);
  closedSuite(harness);
  errorsSuite(harness);
  concurrencySuite(harness);
  transactionsSuite(harness);
  batchesSuite(harness);
  const unknown = [...harness.skip].filter((test) => !harness.skipped.has(test));
  if (unknown.length > 0)
    throw new Error(`runConformance: no test is named ${unknown.map((t) => JSON.stringify(t)).join(', ')}`);
}
