/**
 * The packages as a user gets them. Each published package is packed (its `prepack` builds it)
 * and checked with `publint --strict` and Are the Types Wrong (`--profile esm-only`); the
 * tarballs are installed with npm into a fresh project outside the repository (third-party
 * dependencies from the registry); the consumer files in `consumer/` are type-checked under
 * `strict` with `skipLibCheck: false` for moduleResolution node16, nodenext and bundler; then
 * the Node consumer and the installed `go-store` executable run.
 *
 * `pnpm --filter @go-store/package-tests test`; part of the root `pnpm test`.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const bin = (name) => join(here, 'node_modules', '.bin', name);

/** Every package users install, in dependency order. */
const PACKAGES = [
  'template',
  'core',
  'driver-sqljs',
  'adapter-node',
  'adapter-browser',
  'adapter-cloudflare',
  'test-suite',
  'keyv',
  'unstorage',
  'sync',
];
/** What a consumer installs beside them, at the versions this repository tests with. */
const rootDevDependencies = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies;
const THIRD_PARTY = ['keyv', 'unstorage', 'uvu', '@types/node'];

const failures = [];
const started = Date.now();

/** Runs a command; records a failure (with its output) instead of throwing. */
function step(what, command, args, options = {}) {
  const begun = Date.now();
  try {
    execFileSync(command, args, { encoding: 'utf8', stdio: 'pipe', ...options });
    console.log(`ok    ${what} (${((Date.now() - begun) / 1000).toFixed(1)} s)`);
    return true;
  } catch (error) {
    console.log(`FAIL  ${what}`);
    failures.push(`${what}\n${error.stdout ?? ''}${error.stderr ?? ''}`.trim());
    return false;
  }
}

const work = mkdtempSync(join(tmpdir(), 'go-store-packages-'));
const tarballs = join(work, 'tarballs');
const app = join(work, 'app');

for (const name of PACKAGES) {
  const dir = join(root, 'packages', name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const tarball = join(tarballs, `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`);
  if (!step(`pack ${manifest.name}`, 'pnpm', ['pack', '--pack-destination', tarballs], { cwd: dir })) continue;
  for (const field of ['description', 'license', 'repository', 'engines', 'sideEffects', 'exports']) {
    if (manifest[field] === undefined) failures.push(`${manifest.name}: package.json has no ${field}`);
  }
  const packed = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' });
  if (!packed.includes('package/README.md')) failures.push(`${manifest.name}: the tarball has no README.md`);
  if (!packed.includes('package/dist/index.d.ts'))
    failures.push(`${manifest.name}: the tarball has no dist/index.d.ts`);
  step(`publint --strict ${manifest.name}`, bin('publint'), ['run', tarball, '--strict']);
  step(`attw --profile esm-only ${manifest.name}`, bin('attw'), [
    tarball,
    '--profile',
    'esm-only',
    '--format',
    'ascii',
  ]);
}

// A fresh npm project: the tarballs, plus third-party packages from the registry.
cpSync(join(here, 'consumer'), app, { recursive: true });
const dependencies = {};
for (const name of PACKAGES) {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
  dependencies[manifest.name] =
    `file:${join(tarballs, `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`)}`;
}
for (const name of THIRD_PARTY) dependencies[name] = rootDevDependencies[name];
writeFileSync(
  join(app, 'package.json'),
  `${JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }, null, 2)}\n`,
);
// --loglevel=error: sqlite-wasm declares Node >= 22, which npm reports as a warning on Node 20.
const installed = step(
  'npm install of the tarballs into a fresh project',
  'npm',
  ['install', '--no-audit', '--no-fund', '--loglevel=error'],
  {
    cwd: app,
  },
);

if (installed) {
  const base = {
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    target: 'es2022',
    lib: ['es2024', 'dom'],
    types: ['node'],
  };
  const resolutions = { node16: 'node16', nodenext: 'nodenext', bundler: 'esnext' };
  for (const [moduleResolution, module] of Object.entries(resolutions)) {
    const config = `tsconfig.${moduleResolution}.json`;
    // The nodenext build is emitted, to be run below.
    const emit = moduleResolution === 'nodenext' ? { noEmit: false, outDir: 'out' } : {};
    writeFileSync(
      join(app, config),
      JSON.stringify({
        compilerOptions: { ...base, ...emit, module, moduleResolution },
        files: ['node.ts', 'browser.ts', 'suite.ts', 'sync.ts', 'cloudflare.ts'],
      }),
    );
    step(`tsc strict, skipLibCheck false, moduleResolution ${moduleResolution}`, bin('tsc'), ['-p', config], {
      cwd: app,
    });
  }
  writeFileSync(
    join(app, 'tsconfig.unstorage.json'),
    JSON.stringify({
      compilerOptions: { ...base, skipLibCheck: true, module: 'nodenext', moduleResolution: 'nodenext' },
      files: ['unstorage.ts'],
    }),
  );
  step('tsc: the unstorage driver fits createStorage', bin('tsc'), ['-p', 'tsconfig.unstorage.json'], { cwd: app });

  // Run what was installed: the Node consumer (built by the nodenext check), and the executable.
  try {
    const output = execFileSync(process.execPath, ['out/node.js', join(app, 'app.db')], { cwd: app, encoding: 'utf8' });
    const summary = JSON.parse(output);
    const expected = { theme: 'dark', greeting: { hello: 'world' }, item: 'unstorage', rendered: 'dark', lines: 5 };
    if (JSON.stringify(summary) === JSON.stringify(expected)) console.log('ok    the Node consumer runs');
    else failures.push(`the Node consumer printed ${output.trim()}, expected ${JSON.stringify(expected)}`);
    const cli = join(app, 'node_modules', '.bin', 'go-store');
    const value = execFileSync(cli, [join(app, 'app.db'), 'get', 'config', 'theme'], { encoding: 'utf8' });
    if (value === 'dark\n') console.log('ok    npx go-store FILE get GROUP KEY');
    else failures.push(`go-store get printed ${JSON.stringify(value)}`);
  } catch (error) {
    failures.push(`running the installed packages failed: ${error.stderr ?? error.message}`);
  }
}

const seconds = ((Date.now() - started) / 1000).toFixed(0);
if (failures.length > 0) {
  console.log(`\npackage tests: ${failures.length} failed (${seconds} s); the work directory is kept: ${work}\n`);
  for (const failure of failures) console.log(`--- ${failure}\n`);
  process.exit(1);
}
rmSync(work, { recursive: true, force: true });
console.log(`package tests: all passed (${seconds} s)`);
