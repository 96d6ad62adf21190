/**
 * docs/api.md, "Scopes and quotas": `ScopedStore` — namespaces stored as `namespace:group`, counts within the namespace,
 * and the `maxKeys`/`maxGroups` quotas, whose check and write are one atomic step.
 *
 * One area of the suite in one file: it is long because the area has many promises to check.
 */
import { InvalidArgumentError, NotFoundError, QuotaExceededError, StoreError } from '@go-store/core';
import * as assert from 'uvu/assert';
import { collect, deleteEvent, deleteGroupEvent, drain, record, setEvent, shapes } from './event-shapes.js';
import { DATA_METHODS } from './methods.js';
import { defineSuite, type Harness, rejects, throwsSync, withStore } from './support.js';
import { entriesOf } from './values.js';

export function scopeSuite(h: Harness): void {
  const test = defineSuite(h, 'scope and quota');

  test('scope: accepts namespaces of ASCII letters, digits and hyphens', () =>
    withStore(h, async (store) => {
      for (const ns of ['tenant-42', 'a', 'A', '0', '-', 'a-B-9', 'x'.repeat(200)]) {
        const scoped = store.scope(ns);
        assert.is(scoped.namespace, ns);
      }
    }));

  test('scope: an invalid namespace throws InvalidArgumentError synchronously', () =>
    withStore(h, async (store) => {
      const bad: unknown[] = [
        '',
        'a:b',
        'a b',
        'ü',
        'a_b',
        'a.b',
        'a/b',
        'abc\n',
        '\nabc',
        'a\u0000',
        '😀',
        '*',
        'ａ',
        1,
        null,
        undefined,
        {},
        ['a'],
      ];
      for (const ns of bad) {
        throwsSync(
          () => store.scope(ns as string),
          InvalidArgumentError,
          'INVALID_ARGUMENT',
          `scope(${JSON.stringify(ns) ?? String(ns)})`,
        );
      }
    }));

  test('scope: a non-string namespace of any type throws InvalidArgumentError, never another error', () =>
    withStore(h, async (store) => {
      for (const value of [10n, Symbol('ns'), null, undefined, 42, {}, ['a']]) {
        throwsSync(
          () => store.scope(value as unknown as string),
          InvalidArgumentError,
          'INVALID_ARGUMENT',
          `namespace ${String(typeof value)}`,
        );
      }
    }));

  test('scope: an invalid quota throws InvalidArgumentError synchronously', () =>
    withStore(h, async (store) => {
      const bad: unknown[] = [-1, 1.5, Number.NaN, '3', Number.POSITIVE_INFINITY, true, -0.5, {}, null, 3n];
      for (const value of bad) {
        const label = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
        throwsSync(
          () => store.scope('ns', { maxKeys: value as number }),
          InvalidArgumentError,
          'INVALID_ARGUMENT',
          `maxKeys ${label}`,
        );
        throwsSync(
          () => store.scope('ns', { maxGroups: value as number }),
          InvalidArgumentError,
          'INVALID_ARGUMENT',
          `maxGroups ${label}`,
        );
      }
    }));

  test('scope: a quota of 0 or absent means unlimited', () =>
    withStore(h, async (store) => {
      for (const scoped of [store.scope('a'), store.scope('b', {}), store.scope('c', { maxKeys: 0, maxGroups: 0 })]) {
        for (let i = 0; i < 30; i++) await scoped.set(`g${i}`, `k${i}`, 'v');
        assert.is(await scoped.countAll(), 30);
      }
    }));

  test('scope: groups are stored as namespace:group, visible as such through the unscoped store', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('tenant-42');
      await scoped.set('prefs', 'locale', 'en-GB');
      assert.is(await store.get('tenant-42:prefs', 'locale'), 'en-GB');
      assert.equal(await store.groups(), ['tenant-42:prefs']);
      await rejects(() => store.get('prefs', 'locale'), NotFoundError, 'NOT_FOUND');
      await store.set('tenant-42:prefs', 'currency', 'GBP');
      assert.is(await scoped.get('prefs', 'currency'), 'GBP');
    }));

  test('scope: namespace is readable', () =>
    withStore(h, async (store) => {
      assert.is(store.scope('tenant-42').namespace, 'tenant-42');
      assert.is(store.scope('A', { maxKeys: 3 }).namespace, 'A');
    }));

  test('scope: a ScopedStore has every data method and transaction', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('ns') as unknown as Record<string, unknown>;
      for (const name of [...DATA_METHODS, 'transaction']) assert.type(scoped[name], 'function', `scoped.${name}`);
    }));

  test('scope: get, has, set, setWithTTL, delete, deleteGroup, getAll, all, count, getSplit, getFields work within the namespace', () =>
    withStore(h, async (store, clock) => {
      const scoped = store.scope('ns');
      await store.set('g', 'k', 'unscoped');
      await scoped.set('g', 'k', 'scoped');
      await scoped.set('g', 'list', 'a,b  c');
      await scoped.setWithTTL('g', 'temp', 't', 100);
      assert.is(await scoped.get('g', 'k'), 'scoped');
      assert.is(await store.get('g', 'k'), 'unscoped');
      assert.is(await scoped.has('g', 'temp'), true);
      assert.is(await scoped.count('g'), 3);
      assert.equal(entriesOf(await scoped.getAll('g')), [
        ['k', 'scoped'],
        ['list', 'a,b  c'],
        ['temp', 't'],
      ]);
      assert.is(Object.getPrototypeOf(await scoped.getAll('g')), null);
      assert.equal((await collect(scoped.all('g'))).map((p) => p.key).sort(), ['k', 'list', 'temp']);
      assert.equal([...(await scoped.getSplit('g', 'list', ','))], ['a', 'b  c']);
      assert.equal([...(await scoped.getFields('g', 'list'))], ['a,b', 'c']);
      clock.advance(100);
      assert.is(await scoped.has('g', 'temp'), false);
      await scoped.delete('g', 'k');
      assert.is(await scoped.has('g', 'k'), false);
      assert.is(await store.get('g', 'k'), 'unscoped');
      await scoped.deleteGroup('g');
      assert.is(await scoped.count('g'), 0);
      assert.is(await store.count('g'), 1);
      assert.equal(await store.groups(), ['g']);
    }));

  test('scope: render reads the namespaced group', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('ns');
      await scoped.set('mail', 'host', 'smtp.example.com');
      await store.set('mail', 'host', 'wrong');
      assert.is(await scoped.render('{{ .host }}', 'mail'), 'smtp.example.com');
    }));

  test('scope: NotFoundError names the full stored group', () =>
    withStore(h, async (store) => {
      const error = await rejects(() => store.scope('tenant-42').get('config', 'theme'), NotFoundError, 'NOT_FOUND');
      assert.ok(error.message.includes('tenant-42:config/theme'), error.message);
      assert.ok(error.message.includes('not found'), error.message);
    }));

  test('scope: events carry the full stored group name', () =>
    withStore(h, async (store) => {
      const events = record(store);
      const watcher = store.watch('ns:g', '*');
      const scoped = store.scope('ns');
      await scoped.set('g', 'k', 'v');
      await scoped.setWithTTL('g', 'k2', 'v2', 1_000);
      await scoped.delete('g', 'k');
      await scoped.deleteGroup('g');
      const want = [
        setEvent('ns:g', 'k', 'v'),
        setEvent('ns:g', 'k2', 'v2'),
        deleteEvent('ns:g', 'k'),
        deleteGroupEvent('ns:g'),
      ];
      assert.equal(shapes(events), want);
      assert.equal(shapes(await drain(watcher)), want);
    }));

  test('scope: countAll and groups count within the namespace, prefix and names without the namespace', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('ns');
      await scoped.set('a', 'k1', 'v');
      await scoped.set('a', 'k2', 'v');
      await scoped.set('ab', 'k', 'v');
      await scoped.set('b', 'k', 'v');
      await scoped.set('', 'k', 'v');
      await scoped.set('user_1', 'k', 'v');
      await scoped.set('userX', 'k', 'v');
      await store.set('ns', 'k', 'not in the namespace');
      await store.set('ns-x:a', 'k', 'another namespace');
      await store.set('nsa', 'k', 'no colon');
      await store.set('other:a', 'k', 'v');
      await store.set('a', 'k', 'v');
      assert.is(await scoped.countAll(), 7);
      assert.is(await scoped.countAll(''), 7);
      assert.is(await scoped.countAll('a'), 3);
      assert.is(await scoped.countAll('user_'), 1);
      assert.equal(await scoped.groups(), ['', 'a', 'ab', 'b', 'userX', 'user_1']);
      assert.equal(await scoped.groups('a'), ['a', 'ab']);
      assert.equal(await scoped.groups('user_'), ['user_1']);
      assert.equal(await scoped.groups('zzz'), []);
      assert.equal(await collect(scoped.groupsSeq('a')), ['a', 'ab']);
    }));

  test('quota: maxKeys bounds the live keys across the namespace', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxKeys: 3 });
      await scoped.set('g1', 'a', '1');
      await scoped.set('g1', 'b', '2');
      await scoped.set('g2', 'a', '3');
      const error = await rejects(() => scoped.set('g3', 'k', 'v'), QuotaExceededError, 'QUOTA_EXCEEDED');
      assert.instance(error, StoreError);
      await rejects(() => scoped.set('g1', 'c', 'v'), QuotaExceededError, 'QUOTA_EXCEEDED');
      await rejects(() => scoped.setWithTTL('g1', 'c', 'v', 1_000), QuotaExceededError, 'QUOTA_EXCEEDED');
      assert.is(await scoped.countAll(), 3);
      assert.is(await scoped.has('g1', 'c'), false);
      assert.is(await scoped.has('g3', 'k'), false);
    }));

  test("quota: QuotaExceededError names the operation's full stored group", () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxKeys: 1 });
      await scoped.set('g', 'a', '1');
      const error = await rejects(() => scoped.set('g', 'b', '2'), QuotaExceededError, 'QUOTA_EXCEEDED');
      assert.ok(error.message.includes('q:g'), error.message);
    }));

  test('quota: QuotaExceededError says which limit refused the write, its value and the namespace', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('tenant-7', { maxKeys: 2, maxGroups: 1 });
      await scoped.set('g', 'a', '1');
      const groups = await rejects(() => scoped.set('h', 'a', '1'), QuotaExceededError, 'QUOTA_EXCEEDED');
      assert.is(groups.limit, 'maxGroups');
      assert.is(groups.max, 1);
      assert.is(groups.namespace, 'tenant-7');
      assert.ok(groups.message.includes('maxGroups') && groups.message.includes('tenant-7'), groups.message);
      await scoped.set('g', 'b', '2');
      const keys = await rejects(() => scoped.set('g', 'c', '3'), QuotaExceededError, 'QUOTA_EXCEEDED');
      assert.is(keys.limit, 'maxKeys');
      assert.is(keys.max, 2);
      assert.ok(keys.message.includes('maxKeys'), keys.message);
      const many = await rejects(() => scoped.setMany('g', { c: '3', d: '4' }), QuotaExceededError, 'QUOTA_EXCEEDED');
      assert.is(many.limit, 'maxKeys');
      const manyGroups = await rejects(() => scoped.setMany('h', { a: '1' }), QuotaExceededError, 'QUOTA_EXCEEDED');
      assert.is(manyGroups.limit, 'maxKeys', 'the namespace is full: maxKeys is hit first');
    }));

  test('quota: a rejected write writes nothing and emits nothing', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxKeys: 1, maxGroups: 1 });
      await scoped.set('g', 'a', '1');
      const events = record(store);
      const watcher = store.watch('*', '*');
      await rejects(() => scoped.set('g', 'b', '2'), QuotaExceededError, 'QUOTA_EXCEEDED');
      await rejects(() => scoped.set('h', 'a', '2'), QuotaExceededError, 'QUOTA_EXCEEDED');
      await rejects(() => scoped.setWithTTL('g', 'b', '2', 1_000), QuotaExceededError, 'QUOTA_EXCEEDED');
      assert.equal(events, []);
      assert.equal(await drain(watcher), []);
      assert.equal(await store.groups(), ['q:g']);
      assert.is(await store.countAll(), 1);
    }));

  test('quota: overwriting a live key never counts against maxKeys', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxKeys: 2 });
      await scoped.set('g', 'a', '1');
      await scoped.set('g', 'b', '2');
      await scoped.set('g', 'a', '3');
      await scoped.setWithTTL('g', 'b', '4', 1_000);
      await scoped.set('g', 'b', '5');
      assert.equal(entriesOf(await scoped.getAll('g')), [
        ['a', '3'],
        ['b', '5'],
      ]);
    }));

  test('quota: overwriting a live key never counts against maxGroups', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxGroups: 1 });
      await scoped.set('g', 'a', '1');
      await scoped.set('g', 'a', '2');
      await scoped.set('g', 'b', '3');
      await rejects(() => scoped.set('h', 'a', '1'), QuotaExceededError, 'QUOTA_EXCEEDED');
      assert.is(await scoped.get('g', 'a'), '2');
    }));

  test('quota: expired keys never count', () =>
    withStore(h, async (store, clock) => {
      const scoped = store.scope('q', { maxKeys: 2, maxGroups: 1 });
      await scoped.setWithTTL('old', 'a', 'v', 100);
      await scoped.setWithTTL('old', 'b', 'v', 100);
      clock.advance(100);
      await scoped.set('new', 'a', 'v');
      await scoped.set('new', 'b', 'v');
      assert.is(await scoped.countAll(), 2);
      assert.equal(await scoped.groups(), ['new']);
    }));

  test('quota: rewriting an expired key is a new key and counts', () =>
    withStore(h, async (store, clock) => {
      const scoped = store.scope('q', { maxKeys: 1 });
      await scoped.setWithTTL('g', 'old', 'v', 100);
      clock.advance(100);
      await scoped.set('g', 'live', 'v');
      await rejects(() => scoped.set('g', 'old', 'again'), QuotaExceededError, 'QUOTA_EXCEEDED');
      assert.is(await scoped.has('g', 'old'), false);
    }));

  test('quota: deleting keys frees room', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxKeys: 2, maxGroups: 1 });
      await scoped.set('g', 'a', '1');
      await scoped.set('g', 'b', '2');
      await rejects(() => scoped.set('g', 'c', '3'), QuotaExceededError, 'QUOTA_EXCEEDED');
      await scoped.delete('g', 'a');
      await scoped.set('g', 'c', '3');
      await scoped.deleteGroup('g');
      await scoped.set('h', 'a', '1');
      await scoped.set('h', 'b', '2');
      assert.is(await scoped.countAll(), 2);
    }));

  test('quota: maxGroups bounds the groups with live keys', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxGroups: 2 });
      await scoped.set('g1', 'a', '1');
      await scoped.set('g2', 'a', '1');
      await rejects(() => scoped.set('g3', 'a', '1'), QuotaExceededError, 'QUOTA_EXCEEDED');
      for (let i = 0; i < 20; i++) await scoped.set('g1', `k${i}`, 'v');
      assert.equal(await scoped.groups(), ['g1', 'g2']);
      await scoped.deleteGroup('g2');
      await scoped.set('g3', 'a', '1');
      assert.equal(await scoped.groups(), ['g1', 'g3']);
    }));

  test('quota: maxKeys and maxGroups together, whichever is reached first', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxKeys: 3, maxGroups: 2 });
      await scoped.set('g1', 'a', '1');
      await scoped.set('g2', 'a', '1');
      await rejects(() => scoped.set('g3', 'a', '1'), QuotaExceededError, 'QUOTA_EXCEEDED');
      await scoped.set('g1', 'b', '1');
      await rejects(() => scoped.set('g1', 'c', '1'), QuotaExceededError, 'QUOTA_EXCEEDED');
      assert.is(await scoped.countAll(), 3);
    }));

  test('quota: keys outside the namespace never count; keys written unscoped inside it do', () =>
    withStore(h, async (store) => {
      for (let i = 0; i < 10; i++) {
        await store.set('other', `k${i}`, 'v');
        await store.set(`q-x:g${i}`, 'k', 'v');
        await store.set(`q${i}`, 'k', 'v');
      }
      const scoped = store.scope('q', { maxKeys: 3 });
      await scoped.set('g', 'a', '1');
      await scoped.set('g', 'b', '1');
      await store.set('q:direct', 'k', 'v');
      await rejects(() => scoped.set('g', 'c', '1'), QuotaExceededError, 'QUOTA_EXCEEDED');
      assert.is(await scoped.countAll(), 3);
    }));

  test('quota: two ScopedStores of one namespace share its data, each enforcing its own quota', () =>
    withStore(h, async (store) => {
      const limited = store.scope('q', { maxKeys: 2 });
      const unlimited = store.scope('q');
      await unlimited.set('g', 'a', '1');
      await unlimited.set('g', 'b', '1');
      await unlimited.set('g', 'c', '1');
      await rejects(() => limited.set('g', 'd', '1'), QuotaExceededError, 'QUOTA_EXCEEDED');
      await limited.set('g', 'a', 'overwrite is fine');
      assert.is(await limited.countAll(), 3);
    }));

  test('quota: 200 concurrent sets of distinct keys against maxKeys 50 leave exactly 50 keys and 150 QuotaExceededErrors', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('race', { maxKeys: 50 });
      const events = record(store);
      const results = await Promise.allSettled(
        Array.from({ length: 200 }, (_, i) => scoped.set(`g${i % 7}`, `k${i}`, `${i}`)),
      );
      const fulfilled = results.filter((r) => r.status === 'fulfilled');
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.is(fulfilled.length, 50);
      assert.is(rejected.length, 150);
      for (const r of rejected) {
        assert.instance(r.reason, QuotaExceededError);
        assert.is((r.reason as QuotaExceededError).code, 'QUOTA_EXCEEDED');
      }
      assert.is(await scoped.countAll(), 50);
      assert.is(await store.countAll('race:'), 50);
      assert.is(events.length, 50);
      // The calls are applied in call order, so the first 50 are the ones that won.
      assert.equal(
        results.map((r) => r.status === 'fulfilled'),
        Array.from({ length: 200 }, (_, i) => i < 50),
      );
    }));

  test('quota: 40 concurrent sets into distinct groups against maxGroups 5 leave exactly 5 groups', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('race', { maxGroups: 5 });
      const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => scoped.set(`g${i}`, 'k', 'v')));
      assert.is(results.filter((r) => r.status === 'fulfilled').length, 5);
      for (const r of results) if (r.status === 'rejected') assert.instance(r.reason, QuotaExceededError);
      assert.is((await scoped.groups()).length, 5);
    }));

  test('quota: concurrent setWithTTL and set of distinct keys hold the limit too', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('race', { maxKeys: 10 });
      const results = await Promise.allSettled(
        Array.from({ length: 60 }, (_, i) =>
          i % 2 === 0 ? scoped.set('g', `k${i}`, 'v') : scoped.setWithTTL('g', `k${i}`, 'v', 60_000),
        ),
      );
      assert.is(results.filter((r) => r.status === 'fulfilled').length, 10);
      assert.is(await scoped.countAll(), 10);
    }));

  test("namespaces 'a' and 'A' are isolated in data", () =>
    withStore(h, async (store) => {
      const lower = store.scope('a');
      const upper = store.scope('A');
      await lower.set('g', 'k', 'lower');
      await rejects(() => upper.get('g', 'k'), NotFoundError, 'NOT_FOUND');
      await upper.set('g', 'k', 'upper');
      assert.is(await lower.get('g', 'k'), 'lower');
      assert.is(await upper.get('g', 'k'), 'upper');
      await upper.deleteGroup('g');
      assert.is(await lower.get('g', 'k'), 'lower');
    }));

  test("namespaces 'a' and 'A' are isolated in counts", () =>
    withStore(h, async (store) => {
      const lower = store.scope('a');
      const upper = store.scope('A');
      await lower.set('g1', 'k', 'v');
      await lower.set('g2', 'k', 'v');
      await upper.set('h', 'k', 'v');
      assert.is(await lower.countAll(), 2);
      assert.is(await upper.countAll(), 1);
      assert.equal(await lower.groups(), ['g1', 'g2']);
      assert.equal(await upper.groups(), ['h']);
      assert.is(await lower.count('h'), 0);
    }));

  test("namespaces 'a' and 'A' are isolated in quotas", () =>
    withStore(h, async (store) => {
      const lower = store.scope('a', { maxKeys: 1, maxGroups: 1 });
      const upper = store.scope('A', { maxKeys: 1, maxGroups: 1 });
      await lower.set('g', 'k', 'v');
      await upper.set('h', 'k', 'v');
      await rejects(() => lower.set('g', 'k2', 'v'), QuotaExceededError, 'QUOTA_EXCEEDED');
      await rejects(() => upper.set('x', 'k', 'v'), QuotaExceededError, 'QUOTA_EXCEEDED');
    }));

  test('scope: namespaces that are prefixes of each other are isolated (ns and ns-2)', () =>
    withStore(h, async (store) => {
      const short = store.scope('ns', { maxKeys: 1 });
      const long = store.scope('ns-2', { maxKeys: 1 });
      await long.set('g', 'k', 'v');
      await short.set('g', 'k', 'v');
      assert.is(await short.countAll(), 1);
      assert.equal(await short.groups(), ['g']);
      assert.equal(await store.groups(), ['ns-2:g', 'ns:g']);
    }));

  test('scope: a non-string group or key rejects with InvalidArgumentError (not thrown) and writes nothing', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('ns') as unknown as {
        set(g: unknown, k: unknown, v: unknown): Promise<void>;
        get(g: unknown, k: unknown): Promise<string>;
        countAll(p: unknown): Promise<number>;
      };
      await rejects(() => scoped.set(123, 'k', 'v'), InvalidArgumentError, 'INVALID_ARGUMENT');
      await rejects(() => scoped.set('g', 123, 'v'), InvalidArgumentError, 'INVALID_ARGUMENT');
      await rejects(() => scoped.set('g', 'k', 123), InvalidArgumentError, 'INVALID_ARGUMENT');
      await rejects(() => scoped.set('\uD800', 'k', 'v'), InvalidArgumentError, 'INVALID_ARGUMENT');
      await rejects(() => scoped.get(null, 'k'), InvalidArgumentError, 'INVALID_ARGUMENT');
      await rejects(() => scoped.countAll(5), InvalidArgumentError, 'INVALID_ARGUMENT');
      assert.is(await store.countAll(), 0);
    }));

  test('scope: setWithTTL in a scope expires like the unscoped one', () =>
    withStore(h, async (store, clock) => {
      const scoped = store.scope('ns');
      await scoped.setWithTTL('g', 'k', 'v', 50);
      clock.advance(49);
      assert.is(await scoped.get('g', 'k'), 'v');
      clock.advance(1);
      await rejects(() => scoped.get('g', 'k'), NotFoundError, 'NOT_FOUND');
      await rejects(() => scoped.setWithTTL('g', 'k', 'v', Number.NaN), InvalidArgumentError, 'INVALID_ARGUMENT');
    }));

  test.run();
}
