/**
 * Core must run unchanged on every runtime: it depends on nothing, imports nothing from
 * `node:*` or any SQLite build, and touches no DOM global. (DOM globals are also refused at
 * compile time: core compiles against the ECMAScript library alone.)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const coreEntry = fileURLToPath(import.meta.resolve('@go-store/core'));
const coreRoot = dirname(dirname(coreEntry));

function filesUnder(dir: string, extension: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => join(entry.parentPath, entry.name));
}

const sources = [...filesUnder(join(coreRoot, 'src'), '.ts'), ...filesUnder(join(coreRoot, 'dist'), '.js')];

test('core has no runtime dependencies', () => {
  const manifest = JSON.parse(readFileSync(join(coreRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(manifest.dependencies ?? {}, {});
  assert.equal(manifest.peerDependencies ?? {}, {});
});

test('core imports only its own modules', () => {
  assert.ok(sources.length > 10, `found ${sources.length} files`);
  const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
  for (const file of sources) {
    for (const match of readFileSync(file, 'utf8').matchAll(specifier)) {
      assert.ok(match[1]?.startsWith('./') || match[1]?.startsWith('../'), `${file} imports ${match[1]}`);
    }
  }
});

test('core uses no DOM or Node globals', () => {
  const forbidden = /\b(?:window|document|navigator|localStorage|sessionStorage|indexedDB|process|Buffer|__dirname|require)\s*[.([]/;
  for (const file of sources) {
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    const hit = forbidden.exec(code);
    assert.not.ok(hit, `${file} uses ${hit?.[0]}`);
  }
});

test.run();
