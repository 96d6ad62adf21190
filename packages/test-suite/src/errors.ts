/**
 * docs/api.md, "Errors": errors are core's classes, all extending StoreError, each with a stable `code` and
 * the operation and full group/key in its message; nothing is thrown synchronously from a
 * method that returns a Promise.
 */
import * as core from '@go-store/core';
import * as assert from 'uvu/assert';
import { defineSuite, type Harness, rejects, withStore } from './support.js';

/** Every Promise-returning method of a store, called with a non-string group (or worse). */
function badCalls(store: core.Store): Array<[string, () => Promise<unknown>]> {
  const s = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const call =
    (name: string, ...args: unknown[]) =>
    (): Promise<unknown> =>
      (s[name] as (...a: unknown[]) => Promise<unknown>).apply(store, args);
  return [
    ['get', call('get', 1, 'k')],
    ['has', call('has', 1, 'k')],
    ['set', call('set', 1, 'k', 'v')],
    ['setWithTTL', call('setWithTTL', 1, 'k', 'v', 1_000)],
    ['setWithTTL(ttl)', call('setWithTTL', 'g', 'k', 'v', 'soon')],
    ['delete', call('delete', 1, 'k')],
    ['deleteGroup', call('deleteGroup', 1)],
    ['getAll', call('getAll', 1)],
    ['count', call('count', 1)],
    ['countAll', call('countAll', 1)],
    ['groups', call('groups', 1)],
    ['getSplit', call('getSplit', 1, 'k', ',')],
    ['getFields', call('getFields', 1, 'k')],
    ['render(template)', call('render', 1, 'g')],
    ['render(group)', call('render', 'text', 1)],
    ['setMany', call('setMany', 1, { k: 'v' })],
    ['setMany(entries)', call('setMany', 'g', 42)],
    ['setMany(ttlMs)', call('setMany', 'g', { k: 'v' }, { ttlMs: Number.NaN })],
    ['getMany', call('getMany', 1, ['k'])],
    ['getMany(keys)', call('getMany', 'g', [1])],
    ['deletePrefix', call('deletePrefix', 1)],
    ['getPage', call('getPage', 1, { limit: 10 })],
    ['getPage(options)', call('getPage', 'g', null)],
    ['transaction', call('transaction', 'not a function')],
  ];
}

export function errorsSuite(h: Harness): void {
  const test = defineSuite(h, 'errors');

  test('error classes: every one extends StoreError (and Error) with its stable code', () => {
    const cases: Array<[core.StoreError, string]> = [
      [new core.NotFoundError('m'), 'NOT_FOUND'],
      [new core.QuotaExceededError('m', { namespace: 'ns', limit: 'maxKeys', max: 1 }), 'QUOTA_EXCEEDED'],
      [new core.ClosedError('m'), 'CLOSED'],
      [new core.TemplateError('parse', 'm'), 'TEMPLATE'],
      [new core.InvalidArgumentError('m'), 'INVALID_ARGUMENT'],
      [new core.DriverError('m', new Error('cause')), 'DRIVER'],
      [new core.LockedError('m'), 'LOCKED'],
      [new core.NotADatabaseError('m'), 'NOT_A_DATABASE'],
    ];
    for (const [error, code] of cases) {
      assert.instance(error, core.StoreError);
      assert.instance(error, Error);
      assert.is(error.code, code);
    }
    const cause = new Error('engine failure');
    assert.is(new core.DriverError('m', cause).cause, cause, 'DriverError keeps its cause');
    assert.is(new core.TemplateError('exec', 'm').phase, 'exec');
  });

  test("errors from the store are instances of core's classes (one copy of each)", () =>
    withStore(h, async (store) => {
      const notFound = await rejects(() => store.get('config', 'theme'), core.NotFoundError, 'NOT_FOUND');
      assert.instance(notFound, core.StoreError);
      assert.is(notFound.message, 'store.get: config/theme: not found');
      const invalid = await rejects(() => store.set('g', 'k', '\uDC00'), core.InvalidArgumentError, 'INVALID_ARGUMENT');
      assert.instance(invalid, core.StoreError);
      const quota = await (async () => {
        const scoped = store.scope('ns', { maxKeys: 1 });
        await scoped.set('g', 'a', '1');
        return rejects(() => scoped.set('g', 'b', '2'), core.QuotaExceededError, 'QUOTA_EXCEEDED');
      })();
      assert.instance(quota, core.StoreError);
    }));

  test('nothing is thrown synchronously from a Promise method: bad arguments reject', () =>
    withStore(h, async (store) => {
      for (const [name, call] of badCalls(store)) {
        await rejects(call, core.InvalidArgumentError, 'INVALID_ARGUMENT', `store.${name} with a bad argument`);
      }
      assert.is(await store.countAll(), 0);
    }));

  test('nothing is thrown synchronously: store.get(1 as any, "k") returns a Promise that rejects', () =>
    withStore(h, async (store) => {
      let p: Promise<string> | undefined;
      try {
        p = store.get(1 as unknown as string, 'k');
      } catch (error) {
        assert.unreachable(`store.get threw synchronously: ${String(error)}`);
      }
      assert.instance(p, Promise);
      let caught: unknown;
      await (p as Promise<string>).catch((error: unknown) => {
        caught = error;
      });
      assert.instance(caught, core.InvalidArgumentError);
      assert.is((caught as core.InvalidArgumentError).code, 'INVALID_ARGUMENT');
    }));

  test('InvalidArgumentError names the operation', () =>
    withStore(h, async (store) => {
      const error = await rejects(() => store.set('g', 'k', '\uD800'), core.InvalidArgumentError, 'INVALID_ARGUMENT');
      assert.ok(error.message.startsWith('store.set: '), error.message);
    }));

  test('render: a syntax error rejects with TemplateError, phase parse', () =>
    withStore(h, async (store) => {
      await store.set('g', 'k', 'v');
      const error = await rejects(() => store.render('{{ .k ', 'g'), core.TemplateError, 'TEMPLATE');
      assert.is(error.phase, 'parse');
      assert.ok(error.message.startsWith('store.render: parse: '), error.message);
    }));

  test('render: a run-time error rejects with TemplateError, phase exec', () =>
    withStore(h, async (store) => {
      await store.set('g', 'k', 'v');
      const error = await rejects(() => store.render('{{ call .k }}', 'g'), core.TemplateError, 'TEMPLATE');
      assert.is(error.phase, 'exec');
    }));

  test('render: an exec error inside a template the text defines names that template', () =>
    withStore(h, async (store) => {
      await store.set('g', 'k', 'v');
      const source = '{{define "x"}}{{.k.f}}{{end}}{{template "x" .}}';
      const error = await rejects(() => store.render(source, 'g'), core.TemplateError, 'TEMPLATE');
      assert.is(error.phase, 'exec');
      assert.is(
        error.message,
        'store.render: exec: line 1, col 18: executing "x" at <.k.f>: can\'t evaluate field f in type string',
      );
    }));

  test('codes are stable strings usable without instanceof', () =>
    withStore(h, async (store) => {
      const codes: string[] = [];
      await store.get('g', 'k').catch((e: core.StoreError) => codes.push(e.code));
      await store.set('g', 'k', '\uD800').catch((e: core.StoreError) => codes.push(e.code));
      await store.setWithTTL('g', 'k', 'v', Number.POSITIVE_INFINITY).catch((e: core.StoreError) => codes.push(e.code));
      await store.close();
      await store.get('g', 'k').catch((e: core.StoreError) => codes.push(e.code));
      assert.equal(codes, ['NOT_FOUND', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'CLOSED']);
    }));

  test.run();
}
