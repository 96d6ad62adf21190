/**
 * Sync in a real headless Chromium, with OPFS stores opened through the browser adapter:
 * - convergence: the browser store (its clock ten minutes fast), a Node file store, a Node
 *   `:memory:` store and the server apply seeded random writes while the browser's requests and
 *   the Node clients' go through one flaky transport (dropped, delayed, duplicated, reordered);
 *   once it heals and everyone has synced, every replica's synced namespaces dump identically.
 *   Each failure names its seed (`SYNC_BROWSER_SEEDS=n` runs more seeds, `SYNC_SEED=s` one);
 * - offline: `context.setOffline(true)`, edits, back online, and another browser sees them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@go-store/adapter-node';
import type { Store } from '@go-store/core';
import { type Sync, startSync } from '@go-store/sync';
import { random } from '@go-store/test-suite';
import type { BrowserContext, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CHROMIUM, hasChromium, launch, newProfile, removeProfile } from '../../adapter-browser/test/chromium.js';
import { within } from '../../adapter-browser/test/within.js';
import { bundlePage, type PageServer, servePage } from './browser.js';
import { applyOp, randomOp } from './random-ops.js';
import { Clock, FlakyTransport, openMemory, serve, snapshot } from './support.js';

const test = suite('sync: Chromium');
const SYNCED = ['a', 'b'];
const STEPS = 40;
const run = String(Date.now());

const state: {
  server?: PageServer;
  route?: (request: Request) => Promise<Response>;
  contexts: BrowserContext[];
  profiles: string[];
} = { contexts: [], profiles: [] };

function seeds(): number[] {
  if (process.env.SYNC_SEED) return [Number(process.env.SYNC_SEED)];
  const count = Number(process.env.SYNC_BROWSER_SEEDS ?? 3);
  return Array.from({ length: count }, (_, i) => 5000 + i * 7919);
}

/** Calls `syncPage[name](...args)` in the page. */
function call<T = unknown>(page: Page, name: string, ...args: unknown[]): Promise<T> {
  const expression = `syncPage.${name}(...${JSON.stringify(args)})`;
  return within(page.evaluate(expression) as Promise<T>, 30_000, expression);
}

function setTime(page: Page, time: number): Promise<unknown> {
  return page.evaluate(`syncPage.time = ${time}`);
}

/** A page of `context` with the OPFS store `name` open, its clock at `clock` plus `skewMs`. */
async function openPage(context: BrowserContext, name: string, clock: Clock, skewMs: number): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${state.server?.origin}/sync.html`);
  await page.waitForFunction('globalThis.syncPage !== undefined');
  await setTime(page, clock.time);
  await call(page, 'open', name, skewMs);
  return page;
}

async function closePage(page: Page): Promise<void> {
  await call(page, 'close');
  await page.close();
}

test.before(async () => {
  assert.ok(hasChromium(), `no Chromium at ${CHROMIUM}: install Debian's (apt-get install chromium)`);
  state.server = await servePage(await bundlePage(), (request) => {
    if (state.route === undefined) throw new Error('no sync server in this test');
    return state.route(request);
  });
  state.profiles.push(await newProfile());
  state.contexts.push(await launch(state.profiles[0] as string, 'sync'));
});

test.after(async () => {
  for (const context of state.contexts) await context.close();
  await state.server?.close();
  for (const profile of state.profiles) await removeProfile(profile);
});

for (const seed of seeds()) {
  test(`convergence with a Chromium OPFS client: seed ${seed}: every replica ends with the same synced data`, async () => {
    const roll = random(seed);
    const clock = new Clock();
    const dir = mkdtempSync(join(tmpdir(), 'gostore-sync-chromium-'));
    const server = await openMemory(clock.reader());
    const handler = serve(server);
    const transport = new FlakyTransport(handler, random(seed + 1));
    state.route = async (request) =>
      transport.fetch(request.url, { method: request.method, headers: request.headers, body: await request.text() });
    const nodeClients: Store[] = [
      await openStore(join(dir, 'client.db'), { now: clock.reader(-4_000), purgeIntervalMs: 0 }),
      await openMemory(clock.reader(3_000)),
    ];
    const options = { retryDelayMs: 5, maxRetryDelayMs: 20, batchSize: 7 };
    // The browser's clock runs ten minutes fast.
    const page = await openPage(state.contexts[0] as BrowserContext, `convergence-${run}-${seed}`, clock, 600_000);
    await call(page, 'set', 'a:g1', 'before', 'written before sync starts');
    await call(page, 'start', SYNCED, options);
    const syncs: Sync[] = nodeClients.map((store) =>
      startSync(store, {
        url: 'http://sync.test/sync',
        namespaces: SYNCED,
        fetch: transport.fetch,
        intervalMs: 0,
        ...options,
      }),
    );
    try {
      for (let step = 0; step < STEPS; step++) {
        clock.advance(Math.floor(roll() * 30));
        await setTime(page, clock.time);
        const op = randomOp(roll, step);
        const target = Math.floor(roll() * 4);
        if (target === 3) await call(page, 'apply', op);
        else await applyOp(target === 2 ? server : (nodeClients[target] as Store), op);
        const syncing = Math.floor(roll() * 10);
        if (syncing === 0) await call(page, 'syncNow');
        else if (syncing < 3) await (syncs[syncing - 1] as Sync).syncNow().catch(() => undefined);
      }
      transport.heal();
      await transport.settle();
      for (let round = 0; round < 2; round++) {
        for (const sync of syncs) await sync.syncNow();
        assert.is(await call(page, 'syncNow'), null, 'the browser syncs once the transport heals');
      }
      clock.advance(3600_000);
      await setTime(page, clock.time);
      const expected = await snapshot(server, SYNCED);
      for (const [i, store] of nodeClients.entries()) {
        assert.equal(await snapshot(store, SYNCED), expected, `seed ${seed}: Node client ${i} differs from the server`);
      }
      assert.equal(await call(page, 'snapshot', SYNCED), expected, `seed ${seed}: the browser differs from the server`);
    } catch (error) {
      console.error(`Chromium convergence failed with seed ${seed} (SYNC_SEED=${seed} to rerun)`, transport.faults);
      throw error;
    } finally {
      state.route = undefined;
      await closePage(page);
      for (const sync of syncs) await sync.stop();
      for (const store of nodeClients) await store.close();
      handler.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('offline: edits made while the context is offline reach another browser once it is back online', async () => {
  const clock = new Clock();
  const server = await openMemory(clock.reader());
  const handler = serve(server);
  state.route = handler;
  state.profiles.push(await newProfile());
  state.contexts.push(await launch(state.profiles[1] as string, 'sync-other'));
  const [context, otherContext] = state.contexts as [BrowserContext, BrowserContext];
  const page = await openPage(context, `offline-${run}`, clock, 0);
  const other = await openPage(otherContext, `offline-other-${run}`, clock, 0);
  try {
    // The first retry waits 125–250 ms: long enough that the status read right after a failed
    // syncNow still finds 'offline', not the retry under way (under load a 10 ms one could start).
    const options = { retryDelayMs: 250, maxRetryDelayMs: 500, batchSize: 100 };
    await call(page, 'start', ['a'], options);
    await call(other, 'start', ['a'], options);
    await call(page, 'set', 'a:notes', 'first', 'written online');
    assert.is(await call(page, 'syncNow'), null);
    assert.is(await call(other, 'syncNow'), null);
    assert.is(await call(other, 'get', 'a:notes', 'first'), 'written online');

    await context.setOffline(true);
    clock.advance(1_000);
    await setTime(page, clock.time);
    await call(page, 'set', 'a:notes', 'second', 'written offline');
    await call(page, 'apply', { kind: 'delete', at: ['a:notes', 'first'] });
    await call(page, 'apply', {
      kind: 'setMany',
      group: 'a:todo',
      entries: [
        ['t1', 'one'],
        ['t2', 'two'],
      ],
      ttlMs: null,
    });
    assert.match(String(await call(page, 'syncNow')), /could not be reached/);
    assert.is((await call<{ state: string }>(page, 'status')).state, 'offline');
    assert.is(await server.has('a:notes', 'second'), false, 'nothing reached the server while offline');

    await context.setOffline(false);
    // No call from the test: the client's own retry (with backoff) syncs once the network is back.
    await page.waitForFunction("syncPage.status().state === 'idle'", undefined, { timeout: 30_000 });
    assert.is(await server.get('a:notes', 'second'), 'written offline');
    assert.is(await call(other, 'syncNow'), null);
    assert.is(await call(other, 'get', 'a:notes', 'second'), 'written offline');
    assert.is(await call(other, 'get', 'a:notes', 'first'), undefined, 'the offline delete reached the other browser');
    assert.is(await call(other, 'get', 'a:todo', 't2'), 'two');
    assert.equal(await call(other, 'snapshot', ['a']), await call(page, 'snapshot', ['a']));
  } finally {
    state.route = undefined;
    await closePage(page);
    await closePage(other);
    handler.close();
    await server.close();
  }
});

test.run();
