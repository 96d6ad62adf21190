/**
 * The `engine` option of openStore: an unknown engine, and `'native'` on a runtime without its own
 * SQLite (Node 20, where these unit tests run), reject with InvalidArgumentError saying why; the
 * default picks what the runtime has. The native engine itself is tested on Node 22/24, Deno and
 * Bun by packages/runtime-tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, openStore } from '@go-store/adapter-node';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const test = suite('adapter-node: engine option');

async function hasNativeSqlite(): Promise<boolean> {
  const specifier = 'node:sqlite';
  try {
    await import(specifier);
    return true;
  } catch {
    return false;
  }
}

test('an unknown engine rejects with InvalidArgumentError naming the engines', async () => {
  const error = await openStore(':memory:', { engine: 'wasm' as never }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.instance(error, InvalidArgumentError);
  assert.match((error as Error).message, "'auto', 'native' or 'sqljs'");
});

test("engine 'native' without the runtime's own SQLite rejects with InvalidArgumentError saying what is needed", async () => {
  const native = await hasNativeSqlite();
  const outcome = await openStore(':memory:', { engine: 'native' }).then(
    async (store) => {
      await store.close();
      return 'opened';
    },
    (caught: unknown) => caught,
  );
  if (native) {
    assert.is(outcome, 'opened');
  } else {
    assert.instance(outcome, InvalidArgumentError);
    assert.match((outcome as Error).message, 'Node 22.13 or later');
  }
});

test("engine 'auto' (the default) and 'sqljs' open a working store on any runtime", async () => {
  for (const engine of [undefined, 'auto', 'sqljs'] as const) {
    const store = await openStore(':memory:', { engine, purgeIntervalMs: 0 });
    await store.set('g', 'k', String(engine));
    assert.is(await store.get('g', 'k'), String(engine));
    await store.close();
  }
});

test("store.inMemory: true for ':memory:', false for a file, with every engine this runtime has", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gostore-engine-'));
  try {
    for (const engine of (await hasNativeSqlite()) ? (['native', 'sqljs'] as const) : (['sqljs'] as const)) {
      const memory = await openStore(':memory:', { engine, purgeIntervalMs: 0 });
      const file = await openStore(join(dir, `${engine}.db`), { engine, purgeIntervalMs: 0 });
      assert.is(memory.inMemory, true, engine);
      assert.is(file.inMemory, false, engine);
      await memory.close();
      await file.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
