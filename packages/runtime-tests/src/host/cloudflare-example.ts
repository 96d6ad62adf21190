/**
 * The Cloudflare tenants example (`examples/cloudflare-tenants`): type-checked, bundled by its
 * own wrangler as a deploy would, served by workerd with Miniflare's persistence directories,
 * walked through its routes for two tenants on Durable Objects and on D1, then served again
 * from the same directories — every write must still be there, and each tenant's data its own.
 * The Durable Objects' database files (copied, with their WAL) are opened with the Node
 * adapter: go-store's `kv` table, one database per tenant.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openStore } from '@go-store/adapter-node';
import { Checks } from './checks.js';
import { typecheckAndBundle } from './examples.js';
import { EXAMPLES_DIR } from './paths.js';
import type { Row } from './row.js';
import {
  compatibilityDateOf,
  type RunningWorker,
  serveWorker,
  type WorkerBindings,
  workerdVersion,
} from './workerd.js';

const FOLDER = join(EXAMPLES_DIR, 'cloudflare-tenants');
const TIMEOUT_MS = 60_000;

/** Every `*.sqlite` file under `folder`. */
function sqliteFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.sqlite'))
    .map((name) => join(folder, name));
}

/**
 * `profile/name` as read from each Durable Object's database file, opened by the Node adapter
 * from a copy (workerd leaves its writes in the file's WAL, which the Node adapter applies).
 */
async function namesInObjectFiles(folder: string, copies: string): Promise<string[]> {
  mkdirSync(copies, { recursive: true });
  const names: string[] = [];
  for (const file of sqliteFiles(folder).filter((path) => basename(path) !== 'metadata.sqlite')) {
    const copy = join(copies, basename(file));
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    const store = await openStore(copy, { purgeIntervalMs: 0 });
    try {
      names.push(await store.get('profile', 'name'));
    } finally {
      await store.close();
    }
  }
  return names;
}

export async function runCloudflareExample(): Promise<Row> {
  const what = 'examples/cloudflare-tenants';
  const version = workerdVersion();
  const started = performance.now();
  const scratch = mkdtempSync(join(tmpdir(), 'go-store-example-tenants-'));
  const out = join(scratch, 'dist');
  const bindings: WorkerBindings = {
    durableObjects: { TENANTS: { className: 'Tenant', useSQLite: true } },
    d1Databases: ['DB'],
    durableObjectsPersist: join(scratch, 'durable-objects'),
    d1Persist: join(scratch, 'd1'),
  };
  const checks = new Checks();
  let worker: RunningWorker | undefined;
  const output: string[] = [];
  try {
    if (!(await typecheckAndBundle(checks, FOLDER, out))) {
      return checks.row('workerd', version, what, started, output.join(''));
    }
    const source = readFileSync(join(out, 'index.js'), 'utf8');
    const nodeImports = source.match(/(?:\bfrom\s*|\bimport\s*\(\s*)["']node:[\w/]+["']/g) ?? [];
    checks.ok('the bundle imports no Node built-in', nodeImports.length === 0, nodeImports.join(', '));

    worker = await serveWorker(out, 'index.js', compatibilityDateOf('cloudflare-tenants'), bindings);
    await walkRoutes(checks, worker.url);
    output.push(worker.output());
    await worker.dispose();
    worker = undefined;

    const names = await namesInObjectFiles(bindings.durableObjectsPersist as string, join(scratch, 'copies'));
    checks.ok(
      "each tenant's Durable Object is its own SQLite file holding go-store's kv table",
      names.sort().join(',') === 'Acme,Globex',
      `profile/name in each object's file: ${JSON.stringify(names)}`,
    );

    worker = await serveWorker(out, 'index.js', compatibilityDateOf('cloudflare-tenants'), bindings);
    await afterRestart(checks, worker.url);
  } catch (error) {
    checks.ok('the example runs', false, String((error as Error).stack ?? error));
  } finally {
    if (worker !== undefined) {
      output.push(worker.output());
      await worker.dispose();
    }
    rmSync(scratch, { recursive: true, force: true });
  }
  return checks.row('workerd', version, what, started, output.join(''));
}

/** The API on both back ends, for two tenants writing the same keys. */
async function walkRoutes(checks: Checks, base: URL): Promise<void> {
  const expect = checks.http(base, TIMEOUT_MS);
  for (const root of ['/t', '/d1']) {
    await expect('PUT', `${root}/acme/kv/profile/name`, 'Acme', 204);
    await expect('PUT', `${root}/globex/kv/profile/name`, 'Globex', 204);
    await expect('PUT', `${root}/acme/kv/profile/colour%2Fscheme`, 'blue ☀️', 204);
    await expect('GET', `${root}/acme/kv/profile/name`, undefined, 200, 'Acme');
    await expect('GET', `${root}/globex/kv/profile/name`, undefined, 200, 'Globex');
    await expect('GET', `${root}/globex/kv/profile/colour%2Fscheme`, undefined, 404, undefined, 'NOT_FOUND');
    await expect(
      'GET',
      `${root}/acme/kv/profile`,
      undefined,
      200,
      JSON.stringify({ 'colour/scheme': 'blue ☀️', name: 'Acme' }),
    );
    await expect('GET', `${root}/acme/groups`, undefined, 200, JSON.stringify(['profile']));
    await expect('POST', `${root}/acme/render/profile`, 'Hello {{.name}} ({{len .}})', 200, 'Hello Acme (2)');
    await expect('PUT', `${root}/acme/kv/session/abc?ttl=0`, 'x', 204);
    await expect('GET', `${root}/acme/kv/session/abc`, undefined, 404, undefined, 'NOT_FOUND');
    await expect('PUT', `${root}/acme/kv/session/abc?ttl=soon`, 'x', 400, undefined, 'INVALID_ARGUMENT');
    await expect('POST', `${root}/acme/render/profile`, '{{.name', 400, undefined, 'TEMPLATE');
    await expect('PUT', `${root}/acme/kv/scratch/k`, 'v', 204);
    await expect('DELETE', `${root}/acme/kv/scratch/k`, undefined, 204);
    await expect('GET', `${root}/acme/kv/scratch/k`, undefined, 404, undefined, 'NOT_FOUND');
    await expect('PUT', `${root}/globex/kv/scratch/k`, 'v', 204);
    await expect('DELETE', `${root}/globex/kv/scratch`, undefined, 204);
    await expect('GET', `${root}/globex/kv/scratch`, undefined, 200, '{}');
    await expect('GET', `${root}/not_a_tenant/kv/profile/name`, undefined, 404);
  }
  await expect(
    'GET',
    '/t/acme/export',
    undefined,
    200,
    '{"goStoreDump":1}\n' +
      '{"group":"profile","key":"colour/scheme","value":"blue ☀️","expiresAt":null}\n' +
      '{"group":"profile","key":"name","value":"Acme","expiresAt":null}\n',
  );
}

/** After a restart on the same persistence directories, every tenant's data is still there. */
async function afterRestart(checks: Checks, base: URL): Promise<void> {
  const expect = checks.http(base, TIMEOUT_MS);
  for (const root of ['/t', '/d1']) {
    await expect('GET', `${root}/acme/kv/profile/name`, undefined, 200, 'Acme');
    await expect('GET', `${root}/globex/kv/profile/name`, undefined, 200, 'Globex');
    await expect('GET', `${root}/acme/groups`, undefined, 200, JSON.stringify(['profile']));
  }
}
