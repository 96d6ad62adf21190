/**
 * Sync in memory learns of local writes from the store's events: they are not lost when a session
 * rolls back, and no sync on the store takes a received change for a local write.
 */
import type { Store } from '@go-store/core';
import { startSync } from '@go-store/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock, direct, type Fetch, memoryPair, openMemory, serve, snapshot } from './support.js';

// A temporary trigger that makes writing `a:g/poison` fail inside whatever transaction does it,
// as long as the temp table `armed` holds a row: an engine failure in the middle of a session.
const ARM = [
  'CREATE TEMP TABLE armed (x)',
  'INSERT INTO armed VALUES (1)',
  "CREATE TEMP TRIGGER poison BEFORE INSERT ON main.kv WHEN NEW.key = 'poison' AND EXISTS (SELECT 1 FROM armed) " +
    "BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
];

async function sql(store: Store, statements: readonly string[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const statement of statements) await tx.sql.exec(statement);
  });
}

test('in memory: a local write captured by a session that then rolls back is still pushed later', async () => {
  const { clock, server, handler, client, options } = await memoryPair();
  let onPull: (() => Promise<void>) | undefined;
  const fetch: Fetch = async (input, init) => {
    if (String(init.body).includes('"type":"pull"') && onPull !== undefined) {
      const run = onPull;
      onPull = undefined;
      await run();
    }
    return direct(handler)(input, init);
  };
  const sync = startSync(client, { ...options, fetch });
  await sync.syncNow();

  await sql(client, ARM);
  await server.set('a:g', 'poison', 'fails to apply on the client');
  clock.advance(10);
  // Written while the round is between its push and its pull: the pull's session captures it,
  // then fails applying the poison and rolls back.
  onPull = () => client.set('a:g', 'mine', 'written locally');
  await sync.syncNow().then(
    () => assert.unreachable('the pull should fail'),
    (error: unknown) => assert.match(String(error), /injected failure/),
  );
  await sql(client, ['DELETE FROM armed']);
  clock.advance(10);
  await sync.syncNow();
  assert.is(await client.get('a:g', 'mine'), 'written locally');
  assert.is(await server.has('a:g', 'mine'), true, 'the local write never reached the server');
  assert.equal(await snapshot(server, ['a']), await snapshot(client, ['a']));
  await sync.stop();
  await handler.close();
  await client.close();
  await server.close();
});

test('in memory, server side: a server write captured by a push session that rolls back is still served', async () => {
  const { clock, server, handler, client, options } = await memoryPair();
  const sync = startSync(client, options);
  await sync.syncNow();
  await sql(server, ARM);
  await server.set('a:g', 'server-side', 'written on the server');
  await client.set('a:g', 'poison', 'fails to apply on the server');
  clock.advance(10);
  await sync.syncNow().catch(() => undefined);
  await sql(server, ['DELETE FROM armed']);
  clock.advance(10);
  await sync.syncNow();
  assert.is(await client.get('a:g', 'server-side'), 'written on the server');
  assert.equal(await snapshot(server, ['a']), await snapshot(client, ['a']));
  await sync.stop();
  await handler.close();
  await client.close();
  await server.close();
});

test("in memory: two syncs on one store do not echo each other's received changes as local ones", async () => {
  const { clock, server, handler, client, options } = await memoryPair();
  const pushed: string[] = [];
  const fetch: Fetch = (input, init) => {
    const body = JSON.parse(String(init.body)) as { type: string; changes?: { key: string }[] };
    if (body.type === 'push') for (const change of body.changes ?? []) pushed.push(change.key);
    return direct(handler)(input, init);
  };
  const first = startSync(client, { ...options, fetch });
  const second = startSync(client, { ...options, fetch, url: 'http://s/second' });
  await first.syncNow();
  await second.syncNow();
  await server.set('a:g', 'remote', 'written on the server');
  clock.advance(10);
  await first.syncNow();
  assert.is(await client.get('a:g', 'remote'), 'written on the server');
  clock.advance(10);
  await second.syncNow();
  await first.syncNow();
  assert.equal(pushed, [], 'a received change was pushed back as a local one');
  for (const sync of [first, second]) await sync.stop();
  await handler.close();
  await client.close();
  await server.close();
});

test('in memory: a relay (a handler and a client on one store) does not echo received changes upstream', async () => {
  const clock = new Clock();
  const upstream = await openMemory(clock.reader());
  const upstreamHandler = serve(upstream, { authorize: () => ['a'] });
  const relay = await openMemory(clock.reader());
  const relayHandler = serve(relay, { authorize: () => ['a'] });
  const leaf = await openMemory(clock.reader());
  const pushedUp: string[] = [];
  const up: Fetch = (input, init) => {
    const body = JSON.parse(String(init.body)) as { type: string; changes?: { key: string }[] };
    if (body.type === 'push') for (const change of body.changes ?? []) pushedUp.push(change.key);
    return direct(upstreamHandler)(input, init);
  };
  const relaySync = startSync(relay, { url: 'http://up/', namespaces: ['a'], fetch: up, intervalMs: 0 });
  const leafSync = startSync(leaf, {
    url: 'http://relay/',
    namespaces: ['a'],
    fetch: direct(relayHandler),
    intervalMs: 0,
  });
  await relaySync.syncNow();
  await leafSync.syncNow();
  await upstream.set('a:g', 'from-upstream', 'v');
  clock.advance(10);
  await relaySync.syncNow();
  await leafSync.syncNow();
  assert.is(await leaf.get('a:g', 'from-upstream'), 'v');
  clock.advance(10);
  await relaySync.syncNow();
  assert.equal(pushedUp, [], 'the relay pushed a received change back upstream');
  await relaySync.stop();
  await leafSync.stop();
  await relayHandler.close();
  await upstreamHandler.close();
  for (const store of [leaf, relay, upstream]) await store.close();
});

test('in memory: a local write is recorded once, whichever of two syncs on the store records it', async () => {
  const { clock, server, handler, client, options } = await memoryPair();
  const first = startSync(client, options);
  const second = startSync(client, { ...options, url: 'http://s/second' });
  await first.syncNow();
  await second.syncNow();
  const stamp = (): Promise<unknown> =>
    client.transaction(async (tx) => {
      const [row] = await tx.sql.all("SELECT hlc FROM gostore_sync_entries WHERE grp = 'a:g' AND key = 'k'");
      return row?.[0];
    });
  await client.set('a:g', 'k', 'written once');
  clock.advance(10);
  await first.syncNow();
  const recorded = await stamp();
  assert.type(recorded, 'string');
  clock.advance(10);
  await second.syncNow();
  assert.is(await stamp(), recorded, 'the write was recorded again, with a new stamp');
  for (const sync of [first, second]) await sync.stop();
  await handler.close();
  await client.close();
  await server.close();
});

test('in memory: a local write queued behind a session that rolls back is not taken for one of its own', async () => {
  const clock = new Clock();
  let during: (() => void) | undefined;
  const server = await openMemory(clock.reader());
  const handler = serve(server, { authorize: () => ['a'] });
  // The client's clock runs the hook once, as a session reads it under the store's lock: the
  // write the hook issues waits for that session.
  const client = await openMemory(() => {
    const hook = during;
    during = undefined;
    hook?.();
    return clock.time;
  });
  const other = await openMemory(clock.reader());
  let local: Promise<void> | undefined;
  let armed = false;
  const fetch: Fetch = async (input, init) => {
    const response = await direct(handler)(input, init);
    if (armed && String(init.body).includes('"type":"pull"')) {
      armed = false;
      during = () => {
        local = client.set('a:g', 'k', 'same');
      };
    }
    return response;
  };
  const sync = startSync(client, { url: 'http://s/', namespaces: ['a'], intervalMs: 0, fetch });
  const otherSync = startSync(other, { url: 'http://s/', namespaces: ['a'], intervalMs: 0, fetch: direct(handler) });
  await sync.syncNow();
  await sql(client, ARM);
  await server.set('a:g', 'k', 'same');
  await server.set('a:g', 'poison', 'fails to apply on the client');
  clock.advance(10);
  // Written elsewhere before the client's write below, but reaching the server after it.
  await other.set('a:g', 'k', 'older than the client write');
  clock.advance(10);
  // The pull applies k = 'same', then fails on the poison and rolls back; the client's own
  // write of k = 'same' (the newest of all) runs right after.
  armed = true;
  await sync.syncNow().catch(() => undefined);
  assert.ok(local, 'the hook ran');
  await local;
  await sql(client, ['DELETE FROM armed']);
  clock.advance(10);
  await otherSync.syncNow();
  clock.advance(10);
  await sync.syncNow();
  await otherSync.syncNow();
  assert.is(await client.get('a:g', 'k'), 'same', 'the client write, the newest, was lost');
  assert.is(await server.get('a:g', 'k'), 'same');
  for (const s of [sync, otherSync]) await s.stop();
  await handler.close();
  for (const store of [client, other, server]) await store.close();
});

test('in memory: a stop() that fails to put the triggers back loses no write; the next sync sends them', async () => {
  const { clock, server, handler, client, options } = await memoryPair();
  let sync = startSync(client, options);
  await sync.syncNow();
  await sql(client, [
    'CREATE TEMP TABLE armed (x)',
    'INSERT INTO armed VALUES (1)',
    'CREATE TEMP TRIGGER refuse_log BEFORE INSERT ON main.gostore_sync_log WHEN EXISTS (SELECT 1 FROM armed) ' +
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
  ]);
  await client.set('a:g', 'seen', 'written while sync ran');
  await sync.stop().then(
    () => assert.unreachable('stop() should fail'),
    (error: unknown) => assert.match(String(error), /injected failure/),
  );
  await sql(client, ['DELETE FROM armed']);
  await client.set('a:g', 'after', 'written after the failed stop');
  clock.advance(10);
  sync = startSync(client, options);
  await sync.syncNow();
  assert.is(await server.get('a:g', 'seen'), 'written while sync ran');
  assert.is(await server.get('a:g', 'after'), 'written after the failed stop');
  await sync.stop();
  await handler.close();
  await client.close();
  await server.close();
});

test.run();
