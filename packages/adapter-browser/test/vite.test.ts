/**
 * The bundler path: the example notes app built with Vite (a pinned dev dependency) works in
 * Chromium, in two tabs at once. Vite emits the package's worker and sqlite3.wasm as files of
 * their own (from the `new URL('./worker.js' | './sqlite3.wasm', import.meta.url)` in index.js).
 */
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CHROMIUM, hasChromium, launch, newProfile, removeProfile } from './chromium.js';
import { packageRoot, repoRoot } from './package-root.js';
import { serveStatic } from './server.js';

const test = suite('adapter-browser: the example built with Vite');

/** Builds the notes example with Vite into build/adapter-browser/vite/out; returns that folder. */
async function viteBuild(): Promise<string> {
  const pkg = packageRoot();
  const root = join(repoRoot(), 'build', 'adapter-browser', 'vite');
  const out = join(root, 'out');
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  for (const file of ['notes.ts', 'note-list.ts', 'notes.css'])
    await copyFile(join(pkg, 'examples', file), join(root, file));
  // The page as an app would write it for Vite: the script is the TypeScript source.
  const html = await readFile(join(pkg, 'examples', 'notes.html'), 'utf8');
  await writeFile(join(root, 'index.html'), html.replace('src="./notes.js"', 'src="./notes.ts"'));
  const vite = (await import(
    pathToFileURL(createRequire(join(pkg, 'package.json')).resolve('vite')).href
  )) as typeof import('vite');
  await vite.build({
    root,
    configFile: false,
    // Warnings include Vite's own timing notes about its worker transform: errors only.
    logLevel: 'error',
    build: { outDir: out, emptyOutDir: true, target: 'es2022' },
    // The app's import of the package, resolved to this build of it.
    resolve: { alias: { '@go-store/adapter-browser': join(pkg, 'dist', 'index.js') } },
  });
  return out;
}

test('Vite emits the worker and sqlite3.wasm, and the built example shares its notes between two tabs', async () => {
  assert.ok(hasChromium(), `no Chromium at ${CHROMIUM}`);
  const out = await viteBuild();
  const assets = await readdir(join(out, 'assets'));
  assert.ok(
    assets.some((file) => /^worker-.*\.js$/.test(file)),
    `a worker file among ${assets.join(', ')}`,
  );
  assert.ok(
    assets.some((file) => /^sqlite3-.*\.wasm$/.test(file)),
    `sqlite3.wasm among ${assets.join(', ')}`,
  );
  const server = await serveStatic(out);
  const profile = await newProfile();
  const context = await launch(profile, 'vite');
  try {
    const first = await context.newPage();
    await first.goto(`${server.origin}/index.html`);
    await first.waitForSelector('body[data-ready="true"]');
    const second = await context.newPage();
    await second.goto(`${server.origin}/index.html`);
    await second.waitForSelector('body[data-ready="true"]');
    await first.fill('#note-text', 'Written in the first tab');
    await first.click('#add-note');
    // The other tab shows it without a reload: it follows the store's events.
    await second.waitForFunction("document.querySelector('#notes')?.textContent?.includes('Written in the first tab')");
  } finally {
    await context.close();
    await server.close();
    await removeProfile(profile);
  }
});

test.run();
