// After tsc: makes the files a page can load without a bundler. Browsers do not resolve bare
// imports in workers (Chromium ignores the page's import map there), so:
// - dist/worker.js, the page's database worker, is made from tsc's dist/database-worker.js as one
//   self-contained module (the package, @go-store/core, @go-store/template and sqlite-wasm inside);
// - dist/standalone.js is the whole package as one module too, for an app's own workers;
// - sqlite-wasm's sqlite3.wasm (and sqlite3-opfs-async-proxy.js, for the opfs VFS) are copied
//   beside them, where sqlite-wasm looks for them (`new URL('sqlite3.wasm', import.meta.url)`).
import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(pkg, 'package.json'));
const { build } = require('esbuild');

const dist = join(pkg, 'dist');
await build({
  entryPoints: [
    // A file of its own, never tsc's output rewritten in place: an incremental build that finds
    // database-worker.js up to date would otherwise bundle the previous bundle again.
    { in: join(dist, 'database-worker.js'), out: 'worker' },
    { in: join(dist, 'index.js'), out: 'standalone' },
  ],
  outdir: dist,
  allowOverwrite: true,
  bundle: true,
  // Separate files per entry: the standalone module starts dist/worker.js as its worker.
  splitting: false,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: 'linked',
  logLevel: 'warning',
});
const sqlite = dirname(require.resolve('@sqlite.org/sqlite-wasm/sqlite3.wasm'));
for (const file of ['sqlite3.wasm', 'sqlite3-opfs-async-proxy.js']) copyFileSync(join(sqlite, file), join(dist, file));
