/**
 * Exercises the copyable examples in `examples/`: each is type-checked, run (or bundled and
 * served) exactly as its header tells a user to, and its output checked.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SQLITE_HEADER } from '../harness/sqlite-file.js';
import { Checks } from './checks.js';
import { type ChildResult, QUIET_ENV, runChild, tail } from './child.js';
import { EXAMPLES_DIR, packageDir, packageVersion, resolveHere, runtimeBinary } from './paths.js';
import { failedRow, type Row } from './row.js';
import { exampleCompatibilityDate, type RunningWorker, serveWorker, workerdVersion } from './workerd.js';

const TIMEOUT_MS = 60_000;

/** How a child ended, with the tails of its output. */
export function describe(child: ChildResult): string {
  const how = child.timedOut
    ? 'timed out'
    : child.spawnError
      ? `did not start (${child.spawnError.message})`
      : `exit ${child.code ?? child.signal}`;
  return `${how}\n${tail(child.stdout, 20)}\n${tail(child.stderr, 20)}`.trimEnd();
}

/** `tsc -p <folder>` with the TypeScript the example itself depends on. */
function typecheck(folder: string): Promise<ChildResult> {
  const tsc = join(packageDir('typescript', folder), 'bin/tsc');
  return runChild(process.execPath, [tsc, '-p', folder], { cwd: folder, timeoutMs: TIMEOUT_MS });
}

/**
 * A Worker example type-checked and bundled by its own wrangler into `out`
 * (`wrangler deploy --dry-run`, what a deploy would upload); whether the bundle is there.
 */
export async function typecheckAndBundle(checks: Checks, folder: string, out: string): Promise<boolean> {
  const checked = await typecheck(folder);
  checks.ok('src/ type-checks', checked.code === 0, describe(checked));
  const wrangler = join(packageDir('wrangler', folder), 'bin/wrangler.js');
  const bundled = await runChild(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', out], {
    cwd: folder,
    env: QUIET_ENV,
    timeoutMs: TIMEOUT_MS,
  });
  return checks.ok(
    `wrangler ${packageVersion('wrangler', folder)} bundles it`,
    bundled.code === 0 && existsSync(join(out, 'index.js')),
    describe(bundled),
  );
}

/**
 * The Deno and Bun examples: a script that opens a database file, counts its runs and prints a
 * rendered summary. Run twice on one file, the second run must see the first one's data.
 */
export async function runScriptExample(runtime: 'Deno' | 'Bun'): Promise<Row> {
  const folder = join(EXAMPLES_DIR, runtime === 'Deno' ? 'deno' : 'bun');
  const what = `examples/${runtime.toLowerCase()}`;
  const started = performance.now();
  let binary: string;
  try {
    binary = runtimeBinary(runtime === 'Deno' ? 'deno' : 'bun');
  } catch (error) {
    return failedRow(runtime, '?', what, performance.now() - started, [`missing: ${(error as Error).message}`]);
  }
  const version = packageVersion(runtime === 'Deno' ? 'deno' : 'bun');
  const data = mkdtempSync(join(tmpdir(), `go-store-example-${runtime.toLowerCase()}-`));
  const database = join(data, 'example.db');
  const checks = new Checks();
  try {
    const checked =
      runtime === 'Deno'
        ? // Deno treats workspace packages linked into node_modules as local files and will not
          // map their `.d.ts` imports of `./x.js` without sloppy imports; packages installed
          // from the registry need no flag.
          await runChild(binary, ['check', '--no-lock', '--unstable-sloppy-imports', 'main.ts'], {
            cwd: folder,
            env: QUIET_ENV,
            timeoutMs: TIMEOUT_MS,
          })
        : await typecheck(folder);
    checks.ok('main.ts type-checks', checked.code === 0, describe(checked));

    const args =
      runtime === 'Deno'
        ? [
            'run',
            '--no-prompt',
            '--no-lock',
            `--allow-read=${dirname(resolveHere('sql.js/dist/sql-wasm.wasm'))},${data}`,
            `--allow-write=${data}`,
            '--allow-sys=hostname,uid',
            'main.ts',
            database,
          ]
        : ['run', 'main.ts', database];
    for (const run of [1, 2]) {
      const child = await runChild(binary, args, { cwd: folder, env: QUIET_ENV, timeoutMs: TIMEOUT_MS });
      const expected = `run ${run} on ${runtime} ${version}; note: gone in a minute`;
      checks.ok(`run ${run} exits 0`, child.code === 0, describe(child));
      checks.ok(`run ${run} prints "${expected}"`, child.stdout.includes(expected), describe(child));
      checks.ok(
        `run ${run} sees three set events`,
        child.stdout.split('\n').filter((line) => line.startsWith('event: set example/')).length === 3,
        describe(child),
      );
    }
    const header = existsSync(database) ? readFileSync(database).subarray(0, 16).toString('latin1') : '(no file)';
    checks.ok(
      'after close the file is an SQLite database',
      header === SQLITE_HEADER,
      `starts with ${JSON.stringify(header)}`,
    );
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
  return checks.row(runtime, version, what, started);
}

/** Static properties a Worker bundle must have for Cloudflare. */
function scanBundle(checks: Checks, folder: string, main: string): void {
  const source = readFileSync(join(folder, main), 'utf8');
  const nodeImports = source.match(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']node:[\w/]+["']/g) ?? [];
  checks.ok('the bundle imports no Node built-in', nodeImports.length === 0, nodeImports.join(', '));
  const codegen = source.match(/(?<![\w$.])eval\s*\(|\bnew\s+Function\s*\(/g) ?? [];
  checks.ok('the bundle has no eval or new Function', codegen.length === 0, codegen.join(', '));
  const wasm = readdirSync(folder).filter((name) => name.endsWith('.wasm'));
  checks.ok(
    "sql.js's .wasm is a module of its own, imported by the bundle",
    wasm.length === 1 && source.includes(`./${wasm[0]}`),
    `wasm files: ${wasm.join(', ') || 'none'}`,
  );
}

/** What the example answers over HTTP: a faithful walk through its routes. */
async function exerciseRoutes(checks: Checks, base: URL): Promise<void> {
  const expect = checks.http(base, TIMEOUT_MS);

  await expect('PUT', '/kv/config/theme', 'dark', 204);
  await expect('GET', '/kv/config/theme', undefined, 200, 'dark');
  await expect('PUT', '/kv/config/colour%2Fscheme', 'blue ☀️', 204);
  await expect('GET', '/kv/config/colour%2Fscheme', undefined, 200, 'blue ☀️');
  await expect('GET', '/kv/config', undefined, 200, JSON.stringify({ 'colour/scheme': 'blue ☀️', theme: 'dark' }));
  await expect('GET', '/groups?prefix=con', undefined, 200, JSON.stringify(['config']));
  await expect('POST', '/render/config', '{{.theme}} {{len .}} {{index . "colour/scheme"}}', 200, 'dark 2 blue ☀️');
  await expect('PUT', '/kv/session/abc?ttl=0', 'x', 204);
  await expect('GET', '/kv/session/abc', undefined, 404, undefined, 'NOT_FOUND');
  await expect('PUT', '/kv/session/abc?ttl=soon', 'x', 400, undefined, 'INVALID_ARGUMENT');
  await expect('POST', '/render/config', '{{.theme', 400, undefined, 'TEMPLATE');
  await expect('DELETE', '/kv/config/theme', undefined, 204);
  await expect('GET', '/kv/config/theme', undefined, 404, undefined, 'NOT_FOUND');
  await expect('DELETE', '/kv/config', undefined, 204);
  await expect('GET', '/kv/config', undefined, 200, '{}');
  await expect('GET', '/nowhere', undefined, 404);
}

/**
 * The Worker example: bundled by its own wrangler (`wrangler deploy --dry-run`, what a deploy
 * would upload), checked for Node built-ins and code generation, served by workerd on
 * 127.0.0.1 with its wrangler.toml's compatibility date, and walked through its routes.
 */
export async function runWorkerExample(): Promise<Row> {
  const folder = join(EXAMPLES_DIR, 'worker');
  const what = 'examples/worker';
  const version = workerdVersion();
  const started = performance.now();
  const out = mkdtempSync(join(tmpdir(), 'go-store-example-worker-'));
  const checks = new Checks();
  let worker: RunningWorker | undefined;
  try {
    if (!(await typecheckAndBundle(checks, folder, out))) {
      return checks.row('workerd', version, what, started);
    }
    scanBundle(checks, out, 'index.js');

    worker = await serveWorker(out, 'index.js', exampleCompatibilityDate());
    checks.ok('workerd serves it on 127.0.0.1', worker.url.hostname === '127.0.0.1', worker.url.host);
    await exerciseRoutes(checks, worker.url);
  } catch (error) {
    checks.ok('the example runs', false, String((error as Error).stack ?? error));
  } finally {
    await worker?.dispose();
    rmSync(out, { recursive: true, force: true });
  }
  return checks.row('workerd', version, what, started, worker?.output());
}
