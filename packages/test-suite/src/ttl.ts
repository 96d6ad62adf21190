/**
 * docs/api.md, "Methods": TTL expiry with an injected clock. A row whose `expires_at <= now` is expired:
 * invisible to every read, deleted lazily by `get`, removed by `purgeExpired` and by the
 * background purge — and none of that emits an event.
 */
import { InvalidArgumentError, NotFoundError, type Store } from '@go-store/core';
import * as assert from 'uvu/assert';
import { collect, drain, record, setEvent, shapes } from './event-shapes.js';
import { Clock, defineSuite, type Harness, rejects, withStore } from './support.js';
import { eventually } from './timing.js';
import { entriesOf } from './values.js';

export function ttlSuite(h: Harness): void {
  const test = defineSuite(h, 'ttl');

  test('setWithTTL: the key is live until its expiry time', () =>
    withStore(h, async (store, clock) => {
      await store.setWithTTL('session', 'token', 'abc123', 1_000);
      assert.is(await store.get('session', 'token'), 'abc123');
      clock.advance(999);
      assert.is(await store.get('session', 'token'), 'abc123');
      assert.is(await store.has('session', 'token'), true);
      assert.is(await store.count('session'), 1);
    }));

  test('setWithTTL: the key is expired exactly at its expiry time (expires_at <= now)', () =>
    withStore(h, async (store, clock) => {
      await store.setWithTTL('session', 'token', 'abc123', 1_000);
      clock.advance(1_000);
      assert.is(await store.has('session', 'token'), false);
      assert.is(await store.count('session'), 0);
      const error = await rejects(() => store.get('session', 'token'), NotFoundError, 'NOT_FOUND');
      assert.is(error.message, 'store.get: session/token: not found');
    }));

  test('setWithTTL: the key stays expired after its expiry time', () =>
    withStore(h, async (store, clock) => {
      await store.setWithTTL('session', 'token', 'abc123', 1_000);
      clock.advance(86_400_000);
      assert.is(await store.has('session', 'token'), false);
      await rejects(() => store.get('session', 'token'), NotFoundError, 'NOT_FOUND');
    }));

  test('setWithTTL: a ttl of 0 or less stores a key that is already expired', () =>
    withStore(h, async (store) => {
      await store.setWithTTL('g', 'zero', 'v', 0);
      await store.setWithTTL('g', 'negative', 'v', -5_000);
      await store.setWithTTL('g', 'tiny', 'v', -0.5);
      assert.is(await store.has('g', 'zero'), false);
      assert.is(await store.has('g', 'negative'), false);
      assert.is(await store.has('g', 'tiny'), false);
      assert.is(await store.count('g'), 0);
      // The rows were stored (as go-store does): purging finds them.
      assert.is(await store.purgeExpired(), 3);
    }));

  test('setWithTTL: a ttl of 0 over a live key leaves the key expired', () =>
    withStore(h, async (store) => {
      await store.set('g', 'k', 'old');
      await store.setWithTTL('g', 'k', 'new', 0);
      assert.is(await store.has('g', 'k'), false);
      await rejects(() => store.get('g', 'k'), NotFoundError, 'NOT_FOUND');
    }));

  test('setWithTTL: a ttl that is not a finite number rejects with InvalidArgumentError and writes nothing', () =>
    withStore(h, async (store) => {
      await store.set('g', 'k', 'original');
      const events = record(store);
      const bad: unknown[] = [
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        '10',
        null,
        10n,
        {},
        [10],
      ];
      for (const ttl of bad) {
        const what = `setWithTTL(ttl = ${typeof ttl === 'bigint' ? '10n' : (JSON.stringify(ttl) ?? String(ttl))})`;
        await rejects(
          () => store.setWithTTL('g', 'k', 'new', ttl as number),
          InvalidArgumentError,
          'INVALID_ARGUMENT',
          what,
        );
        await rejects(
          () => store.setWithTTL('g', 'fresh', 'new', ttl as number),
          InvalidArgumentError,
          'INVALID_ARGUMENT',
          what,
        );
      }
      assert.is(await store.get('g', 'k'), 'original');
      assert.is(await store.has('g', 'fresh'), false);
      assert.is(await store.purgeExpired(), 0);
      assert.equal(events, []);
    }));

  test('setWithTTL: a missing ttl (undefined) rejects with InvalidArgumentError, never a silent set without expiry', () =>
    withStore(h, async (store) => {
      await store.set('g', 'k', 'original');
      const events = record(store);
      const loose = store as unknown as { setWithTTL(g: string, k: string, v: string, ttl?: unknown): Promise<void> };
      await rejects(
        () => loose.setWithTTL('g', 'k', 'new'),
        InvalidArgumentError,
        'INVALID_ARGUMENT',
        'setWithTTL without ttl',
      );
      await rejects(
        () => loose.setWithTTL('g', 'fresh', 'new', undefined),
        InvalidArgumentError,
        'INVALID_ARGUMENT',
        'setWithTTL(ttl = undefined)',
      );
      assert.is(await store.get('g', 'k'), 'original');
      assert.is(await store.has('g', 'fresh'), false);
      assert.equal(events, []);
    }));

  test('setWithTTL: a fractional ttl is accepted', () =>
    withStore(h, async (store, clock) => {
      await store.setWithTTL('g', 'k', 'v', 1_500.5);
      clock.advance(1_000);
      assert.is(await store.get('g', 'k'), 'v');
      clock.advance(1_000);
      assert.is(await store.has('g', 'k'), false);
    }));

  test('setWithTTL: any finite ttl is accepted, however large or small', () =>
    withStore(h, async (store, clock) => {
      await store.setWithTTL('g', 'huge', 'v', Number.MAX_VALUE);
      await store.setWithTTL('g', 'century', 'v', 100 * 365 * 86_400_000);
      await store.setWithTTL('g', 'minus-huge', 'v', -Number.MAX_VALUE);
      clock.advance(50 * 365 * 86_400_000);
      assert.is(await store.get('g', 'huge'), 'v');
      assert.is(await store.get('g', 'century'), 'v');
      assert.is(await store.has('g', 'minus-huge'), false);
    }));

  test('setWithTTL: writing an expired key makes it live again with the new value', () =>
    withStore(h, async (store, clock) => {
      await store.setWithTTL('g', 'k', 'old', 10);
      clock.advance(10);
      await store.setWithTTL('g', 'k', 'new', 10);
      assert.is(await store.get('g', 'k'), 'new');
      clock.advance(10);
      await store.set('g', 'k', 'newer');
      assert.is(await store.get('g', 'k'), 'newer');
    }));

  test('expired rows are invisible to has, getAll, all, count, countAll, groups, groupsSeq, getMany and getPage', () =>
    withStore(h, async (store, clock) => {
      await store.set('g', 'live', 'L');
      await store.setWithTTL('g', 'a-dead', 'D', 100);
      await store.setWithTTL('g', 'z-dead', 'D', 100);
      await store.setWithTTL('gone', 'k', 'D', 100);
      await store.setWithTTL('g', 'later', 'T', 200);
      clock.advance(100);
      assert.is(await store.has('g', 'a-dead'), false);
      assert.equal(entriesOf(await store.getAll('g')), [
        ['later', 'T'],
        ['live', 'L'],
      ]);
      assert.equal((await collect(store.all('g'))).map((p) => p.key).sort(), ['later', 'live']);
      assert.equal(entriesOf(await store.getAll('gone')), []);
      assert.equal(await collect(store.all('gone')), []);
      assert.is(await store.count('g'), 2);
      assert.is(await store.count('gone'), 0);
      assert.is(await store.countAll(), 2);
      assert.is(await store.countAll('go'), 0);
      assert.equal(await store.groups(), ['g']);
      assert.equal(await store.groups('go'), []);
      assert.equal(await collect(store.groupsSeq()), ['g']);
      assert.equal(entriesOf(await store.getMany('g', ['live', 'a-dead', 'z-dead'])), [['live', 'L']]);
      assert.equal(await store.getPage('g', { limit: 2 }), [
        { key: 'later', value: 'T' },
        { key: 'live', value: 'L' },
      ]);
      assert.equal(await store.getPage('g', { after: 'live', limit: 10 }), []);
    }));

  test('expired rows are invisible to getSplit and getFields', () =>
    withStore(h, async (store, clock) => {
      await store.setWithTTL('g', 'k', 'a b,c', 100);
      clock.advance(100);
      await rejects(() => store.getSplit('g', 'k', ','), NotFoundError, 'NOT_FOUND');
      await rejects(() => store.getFields('g', 'k'), NotFoundError, 'NOT_FOUND');
    }));

  test('expired rows are invisible to render (a missing key renders <no value>)', () =>
    withStore(h, async (store, clock) => {
      await store.set('mail', 'host', 'smtp.example.com');
      await store.setWithTTL('mail', 'port', '587', 100);
      assert.is(await store.render('{{ .host }}:{{ .port }}', 'mail'), 'smtp.example.com:587');
      clock.advance(100);
      assert.is(await store.render('{{ .host }}:{{ .port }}', 'mail'), 'smtp.example.com:<no value>');
    }));

  test('get: an expired key found by get is deleted (purgeExpired then finds nothing)', () =>
    withStore(h, async (store, clock) => {
      await store.setWithTTL('g', 'k', 'v', 100);
      await store.setWithTTL('g', 'other', 'v', 100);
      clock.advance(100);
      await rejects(() => store.get('g', 'k'), NotFoundError, 'NOT_FOUND');
      assert.is(await store.purgeExpired(), 1, 'only the row get did not touch is left to purge');
    }));

  test('get: a lazily deleted expired key emits no event', () =>
    withStore(h, async (store, clock) => {
      await store.setWithTTL('g', 'k', 'v', 100);
      const events = record(store);
      const watcher = store.watch('*', '*');
      clock.advance(100);
      await rejects(() => store.get('g', 'k'), NotFoundError, 'NOT_FOUND');
      assert.equal(events, []);
      assert.equal(await drain(watcher), []);
    }));

  test('purgeExpired: resolves to how many expired rows it removed and keeps the live ones', () =>
    withStore(h, async (store, clock) => {
      await store.set('g', 'forever', 'v');
      // [group, key, TTL]: at 150 ms the first three have expired (the last exactly then).
      const expiring: Array<[string, string, number]> = [
        ['g', 'soon', 100],
        ['h', 'soon', 100],
        ['h', 'at', 150],
        ['g', 'later', 1_000],
      ];
      for (const [group, key, ttl] of expiring) await store.setWithTTL(group, key, 'v', ttl);
      clock.advance(150);
      assert.is(await store.purgeExpired(), 3);
      assert.is(await store.purgeExpired(), 0);
      assert.is(await store.countAll(), 2);
      assert.is(await store.get('g', 'forever'), 'v');
      assert.is(await store.get('g', 'later'), 'v');
      // Rewinding the clock shows the purged rows are gone, not just hidden.
      clock.time -= 150;
      assert.is(await store.countAll(), 2);
      assert.equal(await store.groups(), ['g']);
    }));

  test('purgeExpired: resolves to 0 on an empty store', () =>
    withStore(h, async (store) => {
      assert.is(await store.purgeExpired(), 0);
    }));

  test('purgeExpired: emits no event', () =>
    withStore(h, async (store, clock) => {
      await store.setWithTTL('g', 'a', 'v', 100);
      await store.setWithTTL('g', 'b', 'v', 100);
      const events = record(store);
      const all = store.watch('*', '*');
      const group = store.watch('g', '*');
      clock.advance(100);
      assert.is(await store.purgeExpired(), 2);
      await store.set('marker', 'k', 'v');
      assert.equal(shapes(events), [setEvent('marker', 'k', 'v')]);
      assert.equal(shapes(await drain(all)), [setEvent('marker', 'k', 'v')]);
      assert.equal(await drain(group), []);
    }));

  test('background purge: removes expired rows on its own, every purgeIntervalMs', async () => {
    if (!h.slow) return;
    const clock = new Clock();
    const store = await h.open({ now: clock.now, purgeIntervalMs: 20 });
    try {
      const events = record(store);
      await store.set('g', 'forever', 'v');
      await store.setWithTTL('g', 'a', 'v', 100);
      await store.setWithTTL('h', 'b', 'v', 100);
      const start = clock.time;
      clock.advance(100);
      // Expired rows are hidden from every read, so look from before their expiry: once the
      // purge has run, rewinding the clock no longer brings them back.
      await eventually(() => countAllAt(store, clock, start), 'the background purge removed the expired rows');
      assert.is(await store.purgeExpired(), 0);
      assert.is(await store.get('g', 'forever'), 'v');
      assert.equal(
        events.map((e) => e.type),
        ['set', 'set', 'set'],
        'the purge emits nothing',
      );
    } finally {
      await store.close();
    }
  });

  test('purgeIntervalMs: 0 turns the background purge off: expired rows stay until purgeExpired', async () => {
    if (!h.slow) return;
    // A second store with a 20 ms purge serves as the witness that purge ticks have passed. Each
    // store has its own clock and its row its own expiry, far apart, so the test holds where both
    // stores share one database (a Durable Object, a D1 binding): the witness's purge, as of its
    // clock, cannot reach the other store's row.
    const offClock = new Clock();
    const witnessClock = new Clock();
    const off = await h.open({ now: offClock.now, purgeIntervalMs: 0 });
    const witness = await h.open({ now: witnessClock.now, purgeIntervalMs: 20 });
    try {
      const start = witnessClock.time;
      await off.setWithTTL('off', 'k', 'v', 1_000);
      await witness.setWithTTL('witness', 'k', 'v', 10);
      offClock.advance(2_000);
      witnessClock.advance(20);
      await eventually(async () => {
        const now = witnessClock.time;
        witnessClock.time = start;
        try {
          return (await witness.count('witness')) === 0;
        } finally {
          witnessClock.time = now;
        }
      }, 'the witness store purged its expired row');
      assert.is(await off.has('off', 'k'), false, 'expired rows are invisible either way');
      assert.is(await off.purgeExpired(), 1, 'the store with purgeIntervalMs 0 still held its expired row');
    } finally {
      await off.close();
      await witness.close();
    }
  });

  test.run();
}

/** Whether only the permanent row is left, looking at the store as of `at`. */
async function countAllAt(store: Store, clock: Clock, at: number): Promise<boolean> {
  const present = clock.time;
  clock.time = at;
  let count: number;
  try {
    count = await store.countAll();
  } finally {
    clock.time = present;
  }
  return count === 1;
}
