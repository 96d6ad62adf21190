/**
 * The synced notes example (examples/notes-sync): its Node server starts, a Chromium page adds
 * a note that a Node client then pulls, a note pushed by that client reaches the page over the
 * live channel, and a note written while the browser is offline is kept, shown as offline, and
 * synced once it is back online.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from '@go-store/core';
import { type Sync, startSync } from '@go-store/sync';
import type { BrowserContext, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CHROMIUM, hasChromium, launch, newProfile, removeProfile } from '../../adapter-browser/test/chromium.js';
import { within } from '../../adapter-browser/test/within.js';
import { openMemory } from './support.js';

const test = suite('sync: the notes example');
const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'examples', 'notes-sync');

const state: { scratch?: string; server?: ChildProcess; url?: string; profile?: string; context?: BrowserContext } = {};

/** Starts `node server.mjs` and resolves to the address it prints. */
function startServer(db: string): Promise<string> {
  const child = spawn(process.execPath, ['server.mjs'], {
    cwd: EXAMPLE,
    env: { ...process.env, PORT: '0', DB: db },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  state.server = child;
  return within(
    new Promise((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const address = /notes-sync: (http:\S+)/.exec(output)?.[1];
        if (address !== undefined) resolve(address);
      });
      child.once('exit', (code) => reject(new Error(`the example's server exited (${code}): ${output}`)));
    }),
    60_000,
    "the example's server",
  );
}

test.before(async () => {
  assert.ok(hasChromium(), `no Chromium at ${CHROMIUM}: install Debian's (apt-get install chromium)`);
  state.scratch = mkdtempSync(join(tmpdir(), 'gostore-notes-sync-'));
  state.url = await startServer(join(state.scratch, 'server.db'));
  state.profile = await newProfile();
  state.context = await launch(state.profile, 'notes-sync');
});

test.after(async () => {
  await state.context?.close();
  const server = state.server;
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  if (state.profile) await removeProfile(state.profile);
  if (state.scratch) rmSync(state.scratch, { recursive: true, force: true });
});

async function notesOf(store: Store): Promise<string[]> {
  return Object.values(await store.getAll('notes:list')).sort();
}

test('the page and a Node client sync notes through the server, live and after being offline', async () => {
  const context = state.context as BrowserContext;
  const page: Page = await context.newPage();
  const client = await openMemory(Date.now);
  const sync: Sync = startSync(client, { url: `${state.url}sync`, namespaces: ['notes'], intervalMs: 0 });
  try {
    await page.goto(state.url as string);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#sync[data-state="idle"]');

    await page.fill('#note-text', 'written in the browser');
    await page.click('#add-note');
    await page.waitForSelector('#notes li:has-text("written in the browser")');
    await within(page.evaluate('notesSync.syncNow()'), 30_000, 'the page syncs');
    await sync.syncNow();
    assert.equal(await notesOf(client), ['written in the browser']);

    // Pushed by the Node client: the page pulls it on the live channel's signal, unasked.
    await client.set('notes:list', `${new Date().toISOString()}node`, 'written in Node');
    await sync.syncNow();
    await page.waitForSelector('#notes li:has-text("written in Node")');

    await context.setOffline(true);
    await page.fill('#note-text', 'written offline');
    await page.click('#add-note');
    await page.waitForSelector('#notes li:has-text("written offline")');
    await page.waitForSelector('#sync[data-state="offline"]');
    await sync.syncNow();
    assert.equal(await notesOf(client), ['written in Node', 'written in the browser']);

    // Back online: the page syncs on the browser's `online` event.
    await context.setOffline(false);
    await page.waitForSelector('#sync[data-state="idle"]');
    await sync.syncNow();
    assert.equal(await notesOf(client), ['written in Node', 'written in the browser', 'written offline']);
  } finally {
    await page.close();
    await sync.stop();
    await client.close();
  }
});

test.run();
