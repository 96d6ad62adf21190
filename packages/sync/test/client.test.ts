/**
 * The client's life cycle: `stop()` ends the round in progress, and a round queued behind it
 * never starts, so nothing reaches the server or the store after `stop()` resolves.
 */
import { startSync } from '@go-store/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openMemory } from './support.js';

test('stop(): the round in progress ends and a queued round never starts', async () => {
  const store = await openMemory(Date.now);
  await store.set('a:g', 'k', 'v');
  let requests = 0;
  let started: () => void = () => undefined;
  const firstRequest = new Promise<void>((resolve) => {
    started = resolve;
  });
  // Answers nothing until aborted, and never looks at a signal aborted before the call.
  const fetch = (_url: string, init: RequestInit): Promise<Response> => {
    requests += 1;
    started();
    return new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
  };
  const sync = startSync(store, { url: 'http://s/', namespaces: ['a'], fetch, intervalMs: 0 });
  const first = sync.syncNow();
  const queued = sync.syncNow();
  await firstRequest;
  await sync.stop();
  await first.then(
    () => assert.unreachable('the stopped round cannot succeed'),
    () => undefined,
  );
  await queued.then(
    () => assert.unreachable('the queued round must not run'),
    (error: Error) => assert.match(error.message, /stopped/),
  );
  assert.is(requests, 1);
  await store.close();
});

test.run();
