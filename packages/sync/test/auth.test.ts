/**
 * The server decides, by namespace, what each request may read and write: a client receives
 * nothing outside its namespaces, a pushed change outside them is refused and reported (the
 * allowed ones in the same push still apply), a refused `authorize` answers 401/403 and
 * applies nothing, and quotas refuse changes that would exceed them, the client adopting the
 * server's copy.
 */
import { dump, type Store } from '@go-store/core';
import { PROTOCOL_VERSION, SyncError, startSync } from '@go-store/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock, direct, openMemory, serve, snapshot } from './support.js';

async function lines(store: Store): Promise<string[]> {
  const out: string[] = [];
  for await (const line of dump(store)) out.push(line);
  return out;
}

test('a client receives only the namespaces it is authorised for, whatever it asks for', async () => {
  const clock = new Clock();
  const server = await openMemory(clock.reader());
  await server.set('a:g', 'k', 'for a');
  await server.set('b:g', 'k', 'for b');
  await server.set('ab:g', 'k', 'a prefix is not a namespace');
  const handler = serve(server, { authorize: () => ['a'] });
  const client = await openMemory(clock.reader());
  const sync = startSync(client, {
    url: 'http://s/',
    namespaces: ['a', 'b', 'ab'],
    fetch: direct(handler),
    intervalMs: 0,
  });
  await sync.syncNow();
  assert.equal(await client.groups(), ['a:g']);
  assert.is(await client.get('a:g', 'k'), 'for a');
  await sync.stop();
  handler.close();
  await client.close();
  await server.close();
});

test('a mixed push: allowed changes apply, the others are refused one by one and reported', async () => {
  const clock = new Clock();
  const server = await openMemory(clock.reader());
  const handler = serve(server, { authorize: () => ['a'] });
  const client = await openMemory(clock.reader());
  await client.set('a:g', 'k', 'allowed');
  await client.set('b:g', 'k1', 'refused');
  await client.set('b:g', 'k2', 'refused too');
  const sync = startSync(client, { url: 'http://s/', namespaces: ['a', 'b'], fetch: direct(handler), intervalMs: 0 });
  await sync.syncNow();
  assert.equal(await snapshot(server, ['a', 'b']), [
    JSON.stringify({ group: 'a:g', key: 'k', value: 'allowed', expiresAt: null }),
  ]);
  const refused = sync.status.refused.map(({ group, key, reason }) => [group, key, reason]);
  assert.equal(refused, [
    ['b:g', 'k1', 'namespace'],
    ['b:g', 'k2', 'namespace'],
  ]);
  assert.is(sync.status.state, 'idle');
  // The client keeps its own copy; it is never applied on the server.
  assert.is(await client.get('b:g', 'k1'), 'refused');
  await sync.stop();
  handler.close();
  await client.close();
  await server.close();
});

for (const [status, reject] of [
  [401, () => Promise.reject(new SyncError('UNAUTHORIZED', 'no credentials'))],
  [403, () => Promise.reject(new Error('not yours'))],
] as const) {
  test(`a refused authorize answers ${status} and applies nothing`, async () => {
    const clock = new Clock();
    const server = await openMemory(clock.reader());
    await server.set('a:g', 'existing', 'v');
    const handler = serve(server, { authorize: reject });
    const before = await lines(server);
    const change = { group: 'a:g', key: 'k', hlc: '001800000000000.0000000000.abc', value: 'x', expiresAt: null };
    const response = await handler(
      new Request('http://s/', {
        method: 'POST',
        body: JSON.stringify({ v: PROTOCOL_VERSION, type: 'push', changes: [change] }),
      }),
    );
    assert.is(response.status, status);
    const body = (await response.json()) as { type: string; code: string };
    assert.is(body.type, 'error');
    assert.is(body.code, status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN');
    assert.equal(await lines(server), before);

    // Through the client: the failure is reported in its status, rebuilt as a SyncError.
    const client = await openMemory(clock.reader());
    await client.set('a:g', 'k', 'x');
    const sync = startSync(client, { url: 'http://s/', namespaces: ['a'], fetch: direct(handler), intervalMs: 0 });
    try {
      await sync.syncNow();
      assert.unreachable('the sync should fail');
    } catch (error) {
      assert.instance(error, SyncError);
      assert.is((error as SyncError).status, status);
    }
    assert.is(sync.status.state, 'error');
    assert.instance(sync.status.lastError, SyncError);
    assert.equal(await lines(server), before);
    await sync.stop();
    handler.close();
    await client.close();
    await server.close();
  });
}

test('a malformed message answers 400 and applies nothing', async () => {
  const server = await openMemory(() => 1);
  const handler = serve(server);
  const bad = [
    'not json',
    JSON.stringify({ v: 99, type: 'push', changes: [] }),
    JSON.stringify({
      v: PROTOCOL_VERSION,
      type: 'push',
      changes: [{ group: 'a:g', key: 'k', hlc: 'x', value: 'v', expiresAt: null }],
    }),
    JSON.stringify({
      v: PROTOCOL_VERSION,
      type: 'push',
      changes: [{ group: 'a:g', key: '\ud800', hlc: '001800000000000.0000000000.abc', value: 'v', expiresAt: null }],
    }),
  ];
  for (const body of bad) {
    const response = await handler(new Request('http://s/', { method: 'POST', body }));
    assert.is(response.status, 400, body);
  }
  assert.equal(await server.groups(), []);
  handler.close();
  await server.close();
});

test('quotas: a change that would exceed one is refused and reported, and the client converges to the server', async () => {
  const clock = new Clock();
  const server = await openMemory(clock.reader());
  await server.set('a:g', 'existing', 'server copy');
  const handler = serve(server, { authorize: () => ['a'], quotas: (ns) => (ns === 'a' ? { maxKeys: 2 } : undefined) });
  const client = await openMemory(clock.reader());
  const sync = startSync(client, { url: 'http://s/', namespaces: ['a'], fetch: direct(handler), intervalMs: 0 });
  await sync.syncNow();
  clock.advance(10);
  await client.setMany('a:g', { k1: 'fits', k2: 'over the quota' });
  await client.set('a:g', 'existing', 'overwrite counts nothing');
  await sync.syncNow();
  assert.equal(
    sync.status.refused.map(({ key, reason }) => [key, reason]),
    [['k2', 'quota']],
  );
  assert.equal(await snapshot(client, ['a']), await snapshot(server, ['a']));
  assert.equal(
    await server.getAll('a:g'),
    Object.assign(Object.create(null), { existing: 'overwrite counts nothing', k1: 'fits' }),
  );
  await sync.stop();
  handler.close();
  await client.close();
  await server.close();
});

test.run();
