/**
 * The conformance suite against the sql.js driver, in memory; and the adapter's re-exports of
 * core's error classes, which must be the very same classes.
 */

import * as node from '@go-store/adapter-node';
import { openStore } from '@go-store/adapter-node';
import * as core from '@go-store/core';
import { runConformance } from '@go-store/test-suite';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

runConformance('sql.js :memory:', (options) => openStore(':memory:', options));

const reexports = suite('adapter-node: error classes');

const ERROR_CLASSES = [
  'StoreError',
  'NotFoundError',
  'QuotaExceededError',
  'ClosedError',
  'TemplateError',
  'InvalidArgumentError',
  'DriverError',
  'LockedError',
  'NotADatabaseError',
] as const;

reexports("the adapter re-exports core's error classes: one copy of each", () => {
  const fromAdapter: Record<string, unknown> = { ...node };
  const fromCore: Record<string, unknown> = { ...core };
  for (const name of ERROR_CLASSES) {
    assert.type(fromAdapter[name], 'function', `${name} is exported by @go-store/adapter-node`);
    assert.is(fromAdapter[name], fromCore[name], `${name} from the adapter is core's class`);
  }
});

reexports('instanceof works with the classes imported from @go-store/adapter-node', async () => {
  const store = await openStore(':memory:', { purgeIntervalMs: 0 });
  try {
    let caught: unknown;
    await store.get('config', 'theme').catch((error: unknown) => {
      caught = error;
    });
    assert.instance(caught, node.NotFoundError);
    assert.instance(caught, node.StoreError);
    assert.instance(caught, core.NotFoundError);
    assert.is((caught as node.NotFoundError).code, 'NOT_FOUND');
    await store.set('g', 'k', '\uD800').catch((error: unknown) => {
      caught = error;
    });
    assert.instance(caught, node.InvalidArgumentError);
    assert.instance(caught, node.StoreError);
    const scoped = store.scope('ns', { maxKeys: 1 });
    await scoped.set('g', 'a', '1');
    await scoped.set('g', 'b', '2').catch((error: unknown) => {
      caught = error;
    });
    assert.instance(caught, node.QuotaExceededError);
  } finally {
    await store.close();
  }
  let closed: unknown;
  await store.get('g', 'k').catch((error: unknown) => {
    closed = error;
  });
  assert.instance(closed, node.ClosedError);
  assert.instance(closed, node.StoreError);
});

reexports.run();
