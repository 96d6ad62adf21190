/**
 * Bundle sizes: what each package adds to an application, minified and gzipped as a bundler
 * would ship it (esbuild, ESM, browser target unless the package is for servers). The engines
 * themselves (sql.js, sqlite-wasm, the runtimes' SQLite) and other third-party packages are left
 * out, since an application pays for them whichever library it uses; our own packages that an
 * entry imports are counted in.
 *
 * `node bench/bundles.mjs` prints the table; `--write` also puts it in RESULTS.md (run by
 * `pnpm bench`); `--check` fails when core, without the template engine, outgrows its budget
 * (run by `pnpm test`).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

const root = new URL('../', import.meta.url);
const require = createRequire(new URL('packages/adapter-browser/package.json', root));
const esbuild = require('esbuild');

/** Core alone must stay small: the budget for `@go-store/core` without the template engine. */
const CORE_BUDGET_GZIP = 12_000;

const SERVER_PACKAGES = new Set(['adapter-node', 'test-suite', 'runtime-tests']);

/** Every public entry of every published package, and core once more without the template. */
function entries() {
  const list = [];
  for (const name of readdirSync(new URL('packages/', root)).sort()) {
    const manifestUrl = new URL(`packages/${name}/package.json`, root);
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(manifestUrl, 'utf8'));
    } catch {
      continue;
    }
    if (manifest.private || name === 'test-suite') continue;
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      const file = typeof target === 'string' ? target : target.default;
      if (!file?.endsWith('.js')) continue;
      const label = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
      list.push({ label, name, file: new URL(`packages/${name}/${file}`, root), bundleOwn: true });
      if (manifest.name === '@go-store/core' && subpath === '.') {
        list.push({
          label: '@go-store/core without the template engine',
          name,
          file: list.at(-1).file,
          bundleOwn: false,
        });
      }
    }
  }
  return list;
}

/** Leaves third-party packages and runtime modules out; keeps ours in (but the template, when asked). */
function externals(bundleOwn) {
  return {
    name: 'externals',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        const own = args.path.startsWith('@go-store/');
        if (own && (bundleOwn || args.path !== '@go-store/template')) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

export async function measure() {
  const results = [];
  for (const entry of entries()) {
    const out = await esbuild.build({
      entryPoints: [entry.file.pathname],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: SERVER_PACKAGES.has(entry.name) ? 'node' : 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
      plugins: [externals(entry.bundleOwn)],
    });
    const code = out.outputFiles[0].contents;
    results.push({ label: entry.label, min: code.length, gzip: gzipSync(code, { level: 9 }).length });
  }
  return results;
}

const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

export function table(results) {
  const lines = ['| package entry | minified | min + gzip |', '|---|---:|---:|'];
  for (const r of results) lines.push(`| ${r.label} | ${kB(r.min)} | ${kB(r.gzip)} |`);
  return lines.join('\n');
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const results = await measure();
  if (process.argv.includes('--check')) {
    const core = results.find((r) => r.label === '@go-store/core without the template engine');
    if (core === undefined || core.gzip > CORE_BUDGET_GZIP) {
      console.error(
        `bundles: core without the template is ${core ? kB(core.gzip) : 'missing'}, over ${kB(CORE_BUDGET_GZIP)}`,
      );
      process.exit(1);
    }
    console.log(
      `bundles: core without the template engine is ${kB(core.gzip)} min+gzip (budget ${kB(CORE_BUDGET_GZIP)})`,
    );
  } else {
    console.log(table(results));
  }
  if (process.argv.includes('--write')) {
    const file = new URL('bench/RESULTS.md', root);
    const section =
      '<!-- bundles:start -->\n## Bundle sizes\n\nWhat each entry adds to an application (esbuild, ESM, minified, gzip level 9): ' +
      'the SQLite engines and other third-party packages excluded, our own packages included (the browser ' +
      "adapter's `worker` and `standalone` entries are built self-contained for pages without a bundler, so " +
      "they include sqlite-wasm's JavaScript). " +
      'Regenerate with `node bench/bundles.mjs --write`.\n\n' +
      `${table(results)}\n<!-- bundles:end -->`;
    const text = readFileSync(file, 'utf8');
    const marked = /<!-- bundles:start -->[\s\S]*<!-- bundles:end -->/;
    writeFileSync(file, marked.test(text) ? text.replace(marked, section) : `${text.trimEnd()}\n\n${section}\n`);
  }
}
