/**
 * `pnpm bench`: runs every suite in `suites/`, each in its own process, and writes the medians
 * and ratios to RESULTS.md (raw figures in results.json) and the ratios to ratios.svg.
 * `pnpm bench browser point` (names passed through to this script) runs only the suites whose
 * file names start with them and replaces only their rows.
 * `--smoke` checks that every suite runs, in seconds; it writes nothing. `--report` renders
 * RESULTS.md and the chart again from results.json without measuring.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatNs } from './lib/harness.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const smoke = process.argv.includes('--smoke');
const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const suites = readdirSync(`${here}suites`)
  .filter((file) => file.endsWith('.mjs'))
  .filter((file) => only.length === 0 || only.some((name) => file.startsWith(name)))
  .sort();

// `--report` renders RESULTS.md and the chart again from the last run's results.json.
const reportOnly = process.argv.includes('--report');
// The native baselines (better-sqlite3, @keyv/sqlite's addon) are built, when they are not yet,
// only for a run of a suite that measures them: `pnpm bench browser` needs no compiler.
const usesNative = (file) => /\bopen(Native|Keyv)\(/.test(readFileSync(`${here}suites/${file}`, 'utf8'));
if (!smoke && !reportOnly && suites.some(usesNative)) {
  execFileSync(process.execPath, [`${here}build-native.mjs`], { stdio: 'inherit' });
}
const saved = reportOnly ? JSON.parse(readFileSync(`${here}results.json`, 'utf8')) : undefined;
const meta = saved?.meta ?? { date: new Date().toISOString().slice(0, 10), commit: currentCommit() };
const results = saved?.results ?? [];
for (const file of reportOnly ? [] : suites) {
  const started = Date.now();
  const child = spawnSync(process.execPath, ['--expose-gc', `${here}suites/${file}`, ...(smoke ? ['--smoke'] : [])], {
    cwd: here,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULTS '));
  if (child.status !== 0 || !line) {
    console.error(`bench: suite ${file} failed (exit ${child.status})\n${child.stdout}`);
    process.exit(1);
  }
  results.push(...JSON.parse(line.slice('RESULTS '.length)));
  console.error(`bench: ${file} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
if (smoke) {
  console.log(`bench smoke: ${suites.length} suites, ${results.length} measurements, all ran`);
  process.exit(0);
}

// A run of some suites (`pnpm bench point`) replaces their rows in the last full run's results.
if (!reportOnly && only.length > 0) {
  try {
    const previous = JSON.parse(readFileSync(`${here}results.json`, 'utf8')).results;
    const rerun = new Set(suites.map((file) => file.replace(/\.mjs$/, '')));
    // A suite may report several (`native` reports `native-bun` and `native-deno` too).
    const isRerun = (suite) => [...rerun].some((name) => suite === name || suite.startsWith(`${name}-`));
    results.unshift(...previous.filter((r) => !isRerun(r.suite)));
  } catch {
    // No earlier results: this run's are all there is.
  }
}
if (!reportOnly) writeFileSync(`${here}results.json`, `${JSON.stringify({ meta, results }, null, 1)}\n`);

const BASELINES = { raw: 'raw sql.js', native: 'better-sqlite3' };
const rows = results.map((r) => {
  const peers = results.filter((p) => p.suite === r.suite && p.op === r.op);
  const of = (engine) => peers.find((p) => p.engine === engine)?.medianNs;
  const baseline = peers.find((p) => p.engine.endsWith('(baseline)'))?.medianNs;
  const isStore = r.engine.startsWith('store');
  if (r.missing) return r;
  return {
    ...r,
    vsRaw: isStore && of(BASELINES.raw) ? r.medianNs / of(BASELINES.raw) : undefined,
    vsNative: isStore && of(BASELINES.native) ? r.medianNs / of(BASELINES.native) : undefined,
    vsBaseline: isStore && baseline ? r.medianNs / baseline : undefined,
    // How many times faster than Keyv on @keyv/sqlite: the store itself, and Keyv on this store.
    vsKeyv:
      (isStore || r.engine === 'keyv + go-store') && of('keyv + sqlite') ? of('keyv + sqlite') / r.medianNs : undefined,
  };
});

writeFileSync(`${here}RESULTS.md`, markdown(rows));
writeFileSync(`${here}ratios.svg`, chart(rows.filter((r) => r.vsRaw !== undefined || r.vsBaseline !== undefined)));
const missing = [...new Set(rows.filter((r) => r.missing).map((r) => r.engine))];
if (missing.length > 0) console.error(`bench: not installed, so not measured: ${missing.join(', ')} (see RESULTS.md)`);
console.log(`bench: wrote bench/RESULTS.md and bench/ratios.svg (${rows.length} measurements)`);

/** A package's version, read from bench's own node_modules (some exports maps hide package.json). */
function version(name) {
  try {
    return JSON.parse(readFileSync(`${here}node_modules/${name}/package.json`, 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

function versions() {
  return {
    'sql.js': version('sql.js'),
    'better-sqlite3': version('better-sqlite3'),
    keyv: version('keyv'),
    '@keyv/sqlite': version('@keyv/sqlite'),
    mitata: version('mitata'),
  };
}

function currentCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function fmtRatio(x) {
  return x === undefined ? '' : `${x.toFixed(2)}×`;
}

function markdown(rows) {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const v = versions();
  const lines = [
    '# Benchmark results',
    '',
    `Measured ${meta.date} at commit \`${meta.commit}\` on ${cpu} (${os.cpus().length} cores, ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB), ${os.type()} ${os.release()}, Node ${process.version}.`,
    `Versions: ${Object.entries(v)
      .map(([k, x]) => `${k} ${x}`)
      .join(', ')}.`,
    '',
    'Medians (p50) per operation, from mitata, each suite in its own process; every engine of an',
    'operation is measured side by side in the same run, in three rounds of rotating order, and',
    'the median of the round medians is shown. Ratios are the store divided by the engine named',
    '(lower is better), except "Keyv ÷ store", which is how many times faster than Keyv on',
    '@keyv/sqlite the store is (and, on "keyv + go-store" rows, Keyv on this store is).',
    'A baseline that was not installed when this ran is listed as "not measured", not left out.',
    'Regenerate with `pnpm bench` (about two minutes).',
    '',
    '![store ÷ baseline](ratios.svg)',
    '',
  ];
  const nativeSuites = [...new Set(rows.filter((r) => r.measured !== undefined).map((r) => r.suite))];
  if (nativeSuites.length > 0) {
    // The native suites run their store rows in Node 24, Bun and Deno (see suites/native.mjs), Keyv's here.
    lines.push(
      'The native suites measure the native engine in the runtime each names (`native`: node:sqlite',
      "on Node 24, `native-bun`: bun:sqlite, `native-deno`: Deno's node:sqlite), beside that",
      "runtime's raw SQLite in the same process, each operation of a point get or set being 100 calls",
      "in turn (the store's each awaited); their Keyv rows are measured once, on the Node above, in",
      'the same run and on the same disk, and repeated in each table as its baseline. Where, and how',
      "busy the machine was (one-minute load average at the start and the end of the runtime's part):",
      '',
      ...nativeSuites.map((suite) => `- \`${suite}\`: ${rows.find((r) => r.suite === suite && r.measured).measured}`),
      '',
    );
  }
  for (const suite of [...new Set(rows.map((r) => r.suite))]) {
    lines.push(
      `## ${suite}`,
      '',
      '| operation | engine | median | store ÷ raw sql.js | store ÷ native | store ÷ baseline | Keyv ÷ store |',
      '|---|---|---:|---:|---:|---:|---:|',
    );
    for (const r of rows.filter((x) => x.suite === suite)) {
      if (r.missing) {
        lines.push(`| ${r.op} | ${r.engine} | not measured: not installed (\`bash .ci/run\` builds it) | | | | |`);
        continue;
      }
      lines.push(
        `| ${r.op} | ${r.engine} | ${r.display ?? formatNs(r.medianNs)} | ${fmtRatio(r.vsRaw)} | ${fmtRatio(r.vsNative)} | ${fmtRatio(r.vsBaseline)} | ${fmtRatio(r.vsKeyv)} |`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

function chart(rows) {
  const barHeight = 18;
  const gap = 6;
  const left = 300;
  const width = 760;
  const scaleMax = Math.max(2, ...rows.map((r) => r.vsRaw ?? r.vsBaseline));
  const x = (ratio) => left + ((width - left - 60) * ratio) / scaleMax;
  const height = 40 + rows.length * (barHeight + gap) + 30;
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">store ÷ raw sql.js (blue) or ÷ its own baseline (grey); lower is better</text>`,
  ];
  rows.forEach((r, i) => {
    const y = 35 + i * (barHeight + gap);
    const ratio = r.vsRaw ?? r.vsBaseline;
    const colour = r.vsRaw !== undefined ? '#3b6fb6' : '#8a8a8a';
    parts.push(`<text x="${left - 8}" y="${y + 13}" text-anchor="end">${esc(`${r.suite}: ${r.op}`)}</text>`);
    parts.push(
      `<rect x="${left}" y="${y}" width="${Math.max(1, x(ratio) - left)}" height="${barHeight}" fill="${colour}"/>`,
    );
    parts.push(`<text x="${x(ratio) + 4}" y="${y + 13}">${ratio.toFixed(2)}×</text>`);
  });
  const one = x(1);
  parts.push(`<line x1="${one}" y1="30" x2="${one}" y2="${height - 25}" stroke="#c33" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${one}" y="${height - 10}" text-anchor="middle" fill="#c33">1×</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
