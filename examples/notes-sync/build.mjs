/**
 * Lays out the page in dist/: the app bundled by esbuild (go-store and sync inside), the
 * browser adapter's database worker with sqlite-wasm's files beside it, and the HTML and CSS.
 * `node server.mjs` runs it before serving; `wrangler dev` serves dist/ as the Worker's assets.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/** Builds the page into `out` (default dist/) and resolves to that folder. */
export async function buildPage(out = join(here, 'dist')) {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: [join(here, 'src', 'notes.ts')],
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // The store starts `./worker.js` beside the page's script; sqlite-wasm finds its files beside it.
  const adapter = join(dirname(createRequire(import.meta.url).resolve('@go-store/adapter-browser')));
  for (const file of ['worker.js', 'sqlite3.wasm', 'sqlite3-opfs-async-proxy.js']) {
    await copyFile(join(adapter, file), join(out, file));
  }
  for (const file of ['index.html', 'sync.css']) await copyFile(join(here, 'public', file), join(out, file));
  // The notes page's style is the browser adapter's notes example's.
  await copyFile(
    join(here, '..', '..', 'packages', 'adapter-browser', 'examples', 'notes.css'),
    join(out, 'notes.css'),
  );
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`built ${await buildPage()}`);
