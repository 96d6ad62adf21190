/**
 * The browser adapter in a real headless Chromium (Debian's, driven by playwright-core): the
 * conformance suite in a worker on both OPFS VFSes and through the main-thread proxy,
 * persistence across browser launches, clear errors, and the example page (many tabs: tabs.test.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bundlePages } from './bundle.js';
import { CHROMIUM, hasChromium, launch, newProfile, removeProfile } from './chromium.js';
import { repoRoot } from './package-root.js';
import { type StaticServer, serveStatic } from './server.js';
import { within } from './within.js';

interface SuiteResult {
  label: string;
  total: number;
  passed: number;
  skipped: number;
  failures: string;
  conformance: boolean;
  ms: number;
}

interface ErrorReport {
  name: string;
  code: string | undefined;
  message: string;
  locked: boolean;
  cause?: string;
}

interface LabResult {
  ok?: true;
  values?: Record<string, string>;
  written?: number;
  error?: ErrorReport;
  fallback?: ErrorReport;
}

const test = suite('adapter-browser in Chromium');
const state: { server?: StaticServer; context?: BrowserContext; profile?: string } = {};
const run = String(Date.now());

function url(page: string, isolated = false): string {
  return `${state.server!.origin}/${isolated ? 'coi/' : ''}${page}`;
}

async function labPage(context: BrowserContext, isolated = false): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url('lab.html', isolated));
  await page.waitForFunction('globalThis.lab !== undefined');
  return page;
}

function lab(page: Page, expression: string, ms = 20_000): Promise<LabResult> {
  return within(page.evaluate(expression) as Promise<LabResult>, ms, expression);
}

function stripColours(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

async function conformance(
  mode: 'worker' | 'main' | 'follower' | 'tab-follower',
  vfs: 'opfs-sahpool' | 'opfs',
): Promise<void> {
  const page = await state.context!.newPage();
  try {
    await page.goto(
      url(`runner.html?mode=${mode}&vfs=${vfs}&run=${run}${mode}${vfs === 'opfs' ? 'o' : 's'}`, vfs === 'opfs'),
    );
    const result = (await within(
      page.evaluate('globalThis.goStoreResult'),
      // On a loaded machine a run takes minutes: every test opens databases of its own.
      900_000,
      `${mode} ${vfs} suite`,
    )) as SuiteResult;
    console.log(
      `  ${result.label}: ${result.passed}/${result.total} passed, ${result.skipped} skipped, ${result.ms} ms`,
    );
    assert.is(stripColours(result.failures), '', `${result.label} failures`);
    assert.ok(result.total > 0, 'ran no test');
    assert.is(result.passed, result.total - result.skipped);
    assert.ok(result.conformance, 'the conformance suite ran');
    if (mode === 'tab-follower') {
      const { directBatches } = result as SuiteResult & { directBatches?: number };
      console.log(`  ${directBatches} batches of reads went straight to the leading page`);
      assert.ok((directBatches ?? 0) > 0, 'no read went straight to the leading page');
    }
  } finally {
    await page.close();
  }
}

test.before(async () => {
  assert.ok(hasChromium(), `no Chromium at ${CHROMIUM}: install Debian's (apt-get install chromium)`);
  state.server = await serveStatic(await bundlePages());
  state.profile = await newProfile();
  state.context = await launch(state.profile);
});

test.after(async () => {
  await state.context?.close();
  await state.server?.close();
  if (state.profile) await removeProfile(state.profile);
});

test('conformance: in a worker on opfs-sahpool', async () => {
  await conformance('worker', 'opfs-sahpool');
});

test('conformance: in a worker on opfs (cross-origin isolated page)', async () => {
  await conformance('worker', 'opfs');
});

test('conformance: main thread, through the worker proxy (opfs-sahpool)', async () => {
  await conformance('main', 'opfs-sahpool');
});

// Every test's database is led by another context (a worker that opens it first), so every
// call crosses from this page to its worker, then to that worker and back.
test('conformance: from a context that does not lead the database (opfs-sahpool)', async () => {
  await conformance('follower', 'opfs-sahpool');
});

// Every test's database is led by another page's database worker (an iframe's), so this page's
// plain reads go straight to that worker, and everything else through this page's worker.
test('conformance: from a page whose reads go straight to the leading page (opfs-sahpool)', async () => {
  await conformance('tab-follower', 'opfs-sahpool');
});

test('a tab that goes away without closing its store releases the database', async () => {
  const context = state.context!;
  const first = await labPage(context);
  const second = await labPage(context);
  try {
    assert.equal(await lab(first, "lab.hold('abandoned')"), { ok: true });
    await first.close();
    // The browser frees the closed tab's Web Lock (and its access handles) by itself; wait for
    // the lock, then open.
    await lab(second, "lab.waitForRelease('abandoned')", 10_000);
    const result = await lab(second, "lab.hold('abandoned')", 10_000);
    assert.equal(result, { ok: true });
    await lab(second, "lab.release('abandoned')");
  } finally {
    await second.close();
  }
});

test('without a bundler: a page with only an import map opens a store on OPFS, and so does its own worker', async () => {
  const page = await state.context!.newPage();
  try {
    await page.goto(url(`importmap.html?run=${run}`));
    const result = await within(page.evaluate('globalThis.importMapResult'), 60_000, 'import map page');
    assert.equal(result, {
      fromWorker: { seen: 'from the page' },
      values: { page: 'from the page', worker: 'from the worker' },
    });
  } finally {
    await page.close();
  }
});

test('the opfs VFS on a page without COOP/COEP fails with a clear error', async () => {
  const page = await labPage(state.context!);
  try {
    const result = await lab(page, "lab.hold('no-isolation', { vfs: 'opfs' })");
    assert.is(result.error?.code, 'DRIVER');
    assert.match(result.error!.message, /Cross-Origin-Opener-Policy: same-origin/);
  } finally {
    await page.close();
  }
});

test('without OPFS: a clear error, or an in-memory store when asked for', async () => {
  const page = await labPage(state.context!);
  try {
    await page.evaluate('lab.removeOpfs()');
    const refused = await lab(page, "lab.hold('nowhere')");
    assert.is(refused.error?.code, 'DRIVER');
    assert.match(refused.error!.message, /no Origin Private File System/);
    const memory = await lab(page, "lab.writeOrFallBack('nowhere', 'g', { k: 'v' })");
    assert.equal(memory.values, { k: 'v' });
    assert.match(memory.fallback?.cause ?? '', /^NoOpfsError: navigator\.storage\.getDirectory is missing/);
    const inWorker = await lab(page, "lab.inWorker({ op: 'no-opfs', name: 'nowhere' })");
    assert.match(inWorker.error?.message ?? '', /no Origin Private File System/);
    const fallback = await lab(
      page,
      "lab.inWorker({ op: 'no-opfs', name: 'nowhere', options: { fallbackToMemory: true } })",
    );
    assert.equal(fallback.values, { k: 'in memory' });
    assert.match(fallback.fallback?.cause ?? '', /^NoOpfsError: .*createSyncAccessHandle is missing/);
  } finally {
    await page.close();
  }
});

test('OPFS on the page but no synchronous access in its worker: a clear error, or an in-memory store when asked for', async () => {
  // no-sync-worker.js is the package's worker with createSyncAccessHandle deleted, as in
  // browsers whose page has OPFS but whose workers cannot open a database in it.
  const options = "{ workerUrl: './no-sync-worker.js' }";
  const page = await labPage(state.context!);
  try {
    const refused = await lab(page, `lab.hold('half-opfs', ${options})`);
    assert.is(refused.error?.code, 'DRIVER');
    assert.match(refused.error!.message, /no Origin Private File System/);
    assert.match(refused.error!.cause ?? '', /^NoOpfsError: .*createSyncAccessHandle is missing/);
    const memory = await lab(page, `lab.writeOrFallBack('half-opfs', 'g', { k: 'v' }, ${options})`);
    assert.is(memory.error, undefined);
    assert.equal(memory.values, { k: 'v' });
    assert.is(memory.fallback?.code, 'DRIVER');
    assert.match(memory.fallback!.message, /no Origin Private File System/);
    // Nothing reached OPFS, and the failed opens left the database free for this page.
    assert.equal((await lab(page, "lab.read('half-opfs', 'g')")).values, {});
    // With OPFS everywhere, fallbackToMemory changes nothing and onFallback is not called.
    const persisted = await lab(page, "lab.writeOrFallBack('half-opfs', 'g', { k: 'kept' })");
    assert.equal(persisted.values, { k: 'kept' });
    assert.is(persisted.fallback, undefined);
    assert.equal((await lab(page, "lab.read('half-opfs', 'g')")).values, { k: 'kept' });
  } finally {
    await page.close();
  }
});

test('a file that is not a database fails with NotADatabaseError and is left as it was', async () => {
  const page = await labPage(state.context!, true);
  try {
    const junk = 'this is not an SQLite database, just some text that is long enough to have a header';
    await page.evaluate(`lab.writeOpfsFile('go-store/junk', ${JSON.stringify(junk)})`);
    const result = await lab(page, "lab.inWorker({ op: 'read', name: 'junk', group: 'g', options: { vfs: 'opfs' } })");
    assert.is(result.error?.code, 'NOT_A_DATABASE');
    assert.match(result.error!.message, /not an SQLite database/);
    assert.is(await page.evaluate("lab.readOpfsFile('go-store/junk')"), junk);
  } finally {
    await page.close();
  }
});

test('a bad database name is an InvalidArgumentError', async () => {
  const page = await labPage(state.context!);
  try {
    const result = await lab(page, "lab.hold('../escape')");
    assert.is(result.error?.code, 'INVALID_ARGUMENT');
  } finally {
    await page.close();
  }
});

test('a full storage quota is a DriverError that says so', async () => {
  const page = await labPage(state.context!);
  const cdp = await state.context!.newCDPSession(page);
  try {
    // Earlier tests used some of the origin's storage: allow 24 MiB more than that.
    const { usage } = (await page.evaluate('navigator.storage.estimate()')) as { usage: number };
    await cdp.send('Storage.overrideQuotaForOrigin', {
      origin: state.server!.origin,
      quotaSize: usage + 24 * 1024 * 1024,
    });
    const result = await lab(
      page,
      "lab.inWorker({ op: 'fill', name: 'quota', valueBytes: 1048576, maxValues: 64 })",
      60_000,
    );
    assert.ok((result.written ?? 0) > 0 && (result.written ?? 0) < 64, `wrote ${result.written} values`);
    assert.is(result.error?.code, 'DRIVER');
    assert.match(result.error!.message, /storage quota/);
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: state.server!.origin });
    await cdp.detach();
    await page.close();
  }
});

test('data survives a browser restart with the same profile, on both VFSes', async () => {
  const profile = await newProfile();
  const entries = { a: '1', nul: 'a\u0000b', emoji: '😀' };
  try {
    const first = await launch(profile, 'launch 1');
    try {
      const plain = await labPage(first);
      assert.equal((await lab(plain, `lab.write('persist', 'notes', ${JSON.stringify(entries)})`)).values, entries);
      const isolated = await labPage(first, true);
      const opfs = `lab.inWorker({ op: 'write', name: 'persist', group: 'notes', entries: ${JSON.stringify(entries)}, options: { vfs: 'opfs' } })`;
      assert.equal((await lab(isolated, opfs)).values, entries);
    } finally {
      await first.close();
    }
    const second = await launch(profile, 'launch 2');
    try {
      const plain = await labPage(second);
      assert.equal((await lab(plain, "lab.read('persist', 'notes')")).values, entries);
      const isolated = await labPage(second, true);
      const opfs = "lab.inWorker({ op: 'read', name: 'persist', group: 'notes', options: { vfs: 'opfs' } })";
      assert.equal((await lab(isolated, opfs)).values, entries);
    } finally {
      await second.close();
    }
  } finally {
    await removeProfile(profile);
  }
});

test('the example notes page works, persists across a reload, and is screenshotted', async () => {
  const page = await state.context!.newPage();
  try {
    await page.goto(url('notes.html'));
    await page.waitForSelector('body[data-ready="true"]');
    const add = async (text: string): Promise<void> => {
      await page.fill('#note-text', text);
      await page.click('#add-note');
    };
    await add('Buy oat milk');
    await add('Call Alex about the tent');
    await page.waitForFunction("document.querySelectorAll('#notes li').length === 2");
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForFunction("document.querySelectorAll('#notes li').length === 2");
    // After the reload: the notes came back from OPFS; the change log follows new writes.
    await add('Return the library books');
    await page.click('#notes li:first-child button.delete');
    await page.waitForFunction("document.querySelectorAll('#log li').length === 2");
    assert.is(await page.locator('#notes li').count(), 2);
    const dir = join(repoRoot(), 'build', 'adapter-browser');
    await mkdir(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'notes-example.png') });
  } finally {
    await page.close();
  }
});

test.run();
