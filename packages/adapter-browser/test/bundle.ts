/**
 * Lays out the pages the browser tests (and the example) load: esbuild bundles each page and
 * worker script, with the built package (dist/) inside, next to sqlite-wasm's own files, which
 * sqlite-wasm finds beside the script that loads it (`new URL('sqlite3.wasm', import.meta.url)`).
 */
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot, requireFromPackage } from './package-root.js';

const { build } = requireFromPackage<typeof import('esbuild')>('esbuild');

/** Where the pages are laid out: build/adapter-browser/www in the repository. */
export function wwwRoot(): string {
  return join(packageRoot(), '..', '..', 'build', 'adapter-browser', 'www');
}

const ENTRIES = [
  'test-pages/runner.ts',
  'test-pages/suite-worker.ts',
  'test-pages/holder-worker.ts',
  'test-pages/holder-page.ts',
  'test-pages/lab.ts',
  'test-pages/lab-worker.ts',
  'test-pages/no-sync-worker.ts',
  'test-pages/tabs.ts',
  'test-pages/tabs-worker.ts',
  'bench/bench.ts',
  'bench/bench-worker.ts',
  'bench/echo-worker.ts',
  'examples/notes.ts',
];

/** Bundles the test pages, the example and the package's worker into {@link wwwRoot}. */
export async function bundlePages(): Promise<string> {
  const pkg = packageRoot();
  const out = wwwRoot();
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const sqliteDist = dirname(createRequire(join(pkg, 'package.json')).resolve('@sqlite.org/sqlite-wasm/sqlite3.wasm'));
  await build({
    entryPoints: [
      ...ENTRIES.map((entry) => join(pkg, entry)).filter((file) => existsSync(file)),
      // The worker the main-thread store starts: `new URL('./worker.js', import.meta.url)`.
      { in: join(pkg, 'dist', 'worker.js'), out: 'worker' },
    ],
    outdir: out,
    entryNames: '[name]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'linked',
    logLevel: 'warning',
    // The package says it has no side effects, which is true of src/ but not of the test pages.
    ignoreAnnotations: true,
    alias: { '@go-store/adapter-browser': join(pkg, 'dist', 'index.js') },
    // mitata (bench pages) imports Bun's and Node's modules only when it runs there.
    external: ['bun:jsc', 'node:*'],
  });
  for (const file of ['sqlite3.wasm', 'sqlite3-opfs-async-proxy.js'])
    await copyFile(join(sqliteDist, file), join(out, file));
  // sql.js, for the bench's side-by-side figures.
  const sqlJsDist = dirname(createRequire(join(pkg, 'package.json')).resolve('sql.js/dist/sql-wasm-browser.wasm'));
  await copyFile(join(sqlJsDist, 'sql-wasm-browser.wasm'), join(out, 'sql-wasm-browser.wasm'));
  for (const dir of ['test-pages', 'examples', 'bench']) {
    for (const file of await readdir(join(pkg, dir))) {
      if (file.endsWith('.html') || file.endsWith('.css') || file.endsWith('.mjs')) {
        await copyFile(join(pkg, dir, file), join(out, file));
      }
    }
  }
  // The built packages as they are, for the page that loads them with an import map alone.
  for (const name of ['adapter-browser', 'core', 'template']) {
    await cp(join(pkg, '..', name, 'dist'), join(out, 'pkg', name, 'dist'), { recursive: true });
  }
  return out;
}
