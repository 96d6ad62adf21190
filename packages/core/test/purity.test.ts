/**
 * Core must run unchanged on every runtime: it depends on nothing, imports nothing from
 * `node:*` or any SQLite build, and touches no DOM global. (DOM globals are also refused at
 * compile time: core compiles against the ECMAScript library alone.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

/** Core and the template engine it renders with: both must run on every runtime. */
const packages = ['@go-store/core', '@go-store/template'].map((name) => ({
  name,
  root: dirname(dirname(fileURLToPath(import.meta.resolve(name)))),
}));

function filesUnder(dir: string, extension: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => join(entry.parentPath, entry.name));
}

const sources = packages.flatMap(({ root }) => [
  ...filesUnder(join(root, 'src'), '.ts'),
  ...filesUnder(join(root, 'dist'), '.js'),
]);

/** Source without its comments (where examples may import anything). */
function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

function manifest(name: string): Record<string, unknown> {
  const root = packages.find((p) => p.name === name)?.root as string;
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
}

test('core depends on the template engine alone, which depends on nothing', () => {
  assert.equal(manifest('@go-store/core').dependencies, { '@go-store/template': 'workspace:*' });
  assert.equal(manifest('@go-store/core').peerDependencies ?? {}, {});
  assert.equal(manifest('@go-store/template').dependencies ?? {}, {});
  assert.equal(manifest('@go-store/template').peerDependencies ?? {}, {});
});

test('core and the template engine import only their own modules (and core the engine)', () => {
  assert.ok(sources.length > 20, `found ${sources.length} files`);
  const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
  for (const file of sources) {
    for (const match of withoutComments(readFileSync(file, 'utf8')).matchAll(specifier)) {
      const target = match[1] ?? '';
      const allowed = target.startsWith('./') || target.startsWith('../') || target === '@go-store/template';
      assert.ok(allowed, `${file} imports ${target}`);
    }
  }
});

test('core uses no DOM or Node globals', () => {
  const forbidden =
    /\b(?:window|document|navigator|localStorage|sessionStorage|indexedDB|process|Buffer|__dirname|require)\s*[.([]/;
  for (const file of sources) {
    const code = withoutComments(readFileSync(file, 'utf8'));
    const hit = forbidden.exec(code);
    assert.not.ok(hit, `${file} uses ${hit?.[0]}`);
  }
});

test.run();
