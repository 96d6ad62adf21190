/**
 * The sync handler inside workerd (through Miniflare): a Worker routes each tenant to its own
 * SQLite-backed Durable Object, whose store is the sync server (test-pages/sync-worker.ts).
 * Node clients sync with it over real HTTP on 127.0.0.1; tenants see only their own data; a
 * bad token is refused with 401; the object's data survives a restart of workerd. The notes
 * example's Worker is served the same way, and two clients sync a note through it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from '@go-store/core';
import { type Sync, SyncError, startSync } from '@go-store/sync';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openMemory, snapshot } from './support.js';

const test = suite('sync: workerd');
/** packages/sync: this file is compiled to build/test/sync/test/. */
const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'packages', 'sync');
const requireHere = createRequire(join(PACKAGE, 'package.json'));
const { build } = requireHere('esbuild') as typeof import('esbuild');
const { Miniflare } = requireHere('miniflare') as typeof import('miniflare');

const state: { scratch?: string; mf?: InstanceType<typeof Miniflare>; url?: URL } = {};

async function startWorkerd(): Promise<URL> {
  const scratch = state.scratch as string;
  state.mf = new Miniflare({
    modules: true,
    modulesRoot: join(scratch, 'bundle'),
    scriptPath: join(scratch, 'bundle', 'sync-worker.js'),
    compatibilityDate: '2026-04-01',
    durableObjects: { SYNC: { className: 'SyncObject', useSQLite: true } },
    durableObjectsPersist: join(scratch, 'objects'),
    host: '127.0.0.1',
    port: 0,
  });
  state.url = await state.mf.ready;
  return state.url;
}

test.before(async () => {
  state.scratch = mkdtempSync(join(tmpdir(), 'gostore-sync-workerd-'));
  await build({
    entryPoints: [join(PACKAGE, 'test-pages', 'sync-worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    outdir: join(state.scratch, 'bundle'),
    logLevel: 'warning',
    alias: { '@go-store/sync': join(PACKAGE, 'dist', 'index.js') },
  });
  await startWorkerd();
});

test.after(async () => {
  await state.mf?.dispose();
  if (state.scratch) rmSync(state.scratch, { recursive: true, force: true });
});

function client(store: Store, tenant: string, token = `${tenant}-token`): Sync {
  return startSync(store, {
    url: new URL(`/sync/${tenant}`, state.url),
    namespaces: ['notes'],
    headers: { authorization: `Bearer ${token}` },
    intervalMs: 0,
  });
}

test('two Node clients sync through a Durable Object; tenants are apart; a bad token gets 401', async () => {
  const a = await openMemory(Date.now);
  const b = await openMemory(Date.now);
  const other = await openMemory(Date.now);
  const syncA = client(a, 'acme');
  const syncB = client(b, 'acme');
  const syncOther = client(other, 'globex');
  try {
    await a.set('notes:inbox', 'n1', 'first note');
    await a.setMany('notes:inbox', { n2: 'second', n3: 'third' });
    await a.transaction(async (tx) => {
      await tx.delete('notes:inbox', 'n2');
      await tx.setWithTTL('notes:drafts', 'd1', 'expires in a day', 24 * 3600_000);
    });
    await a.set('private', 'p', 'never synced');
    await syncA.syncNow();
    await syncB.syncNow();
    assert.equal(await snapshot(b, ['notes']), await snapshot(a, ['notes']));
    assert.is(await b.get('notes:inbox', 'n1'), 'first note');
    assert.is(await b.has('notes:inbox', 'n2'), false);
    assert.is(await b.has('private', 'p'), false);

    await b.set('notes:inbox', 'n1', 'edited by b');
    await syncB.syncNow();
    await syncA.syncNow();
    assert.is(await a.get('notes:inbox', 'n1'), 'edited by b');

    await syncOther.syncNow();
    assert.equal(await other.groups(), [], "another tenant's object holds none of acme's notes");

    const intruder = client(await openMemory(Date.now), 'acme', 'globex-token');
    const failure = await intruder.syncNow().then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.instance(failure, SyncError);
    assert.is((failure as SyncError).status, 401);
    await intruder.stop();
  } finally {
    for (const sync of [syncA, syncB, syncOther]) await sync.stop();
    for (const store of [a, b, other]) await store.close();
  }
});

test("after workerd restarts, a new client pulls everything from the object's storage", async () => {
  const writer = await openMemory(Date.now);
  const syncWriter = client(writer, 'restart');
  await writer.setMany('notes:kept', { k1: 'one', k2: 'two' });
  await syncWriter.syncNow();
  await syncWriter.stop();

  await state.mf?.dispose();
  await startWorkerd();
  const reader = await openMemory(Date.now);
  const syncReader = client(reader, 'restart');
  await syncReader.syncNow();
  assert.equal(await snapshot(reader, ['notes']), await snapshot(writer, ['notes']));
  assert.is(await reader.get('notes:kept', 'k2'), 'two');
  await syncReader.stop();
  for (const store of [writer, reader]) await store.close();
});

test("the notes example's Worker (examples/notes-sync/src/worker.ts): a note synced by one client reaches another through its Durable Object", async () => {
  const scratch = state.scratch as string;
  const example = join(PACKAGE, '..', '..', 'examples', 'notes-sync');
  await build({
    entryPoints: [join(example, 'src', 'worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    outdir: join(scratch, 'example'),
    external: ['cloudflare:workers'],
    logLevel: 'warning',
  });
  const mf = new Miniflare({
    modules: true,
    modulesRoot: join(scratch, 'example'),
    scriptPath: join(scratch, 'example', 'worker.js'),
    compatibilityDate: '2026-04-01',
    durableObjects: { NOTES: { className: 'NotesSync', useSQLite: true } },
    host: '127.0.0.1',
    port: 0,
  });
  const a = await openMemory(Date.now);
  const b = await openMemory(Date.now);
  try {
    const url = new URL('/sync', await mf.ready);
    const [syncA, syncB] = [a, b].map((store) => startSync(store, { url, namespaces: ['notes'], intervalMs: 0 }));
    await a.set('notes:list', '2026-11-29T23:00:00.000Z', 'a note through the Durable Object');
    await syncA?.syncNow();
    await syncB?.syncNow();
    assert.equal(await b.getAll('notes:list'), await a.getAll('notes:list'));
    assert.is(await b.get('notes:list', '2026-11-29T23:00:00.000Z'), 'a note through the Durable Object');
    await syncA?.stop();
    await syncB?.stop();
  } finally {
    for (const store of [a, b]) await store.close();
    await mf.dispose();
  }
});

test.run();
