/**
 * render robustness: no input hangs, overflows the stack or throws anything but a
 * TemplateError; deep nesting and large templates finish; the built core contains no run-time
 * code generation (it must run under a strict CSP and on Cloudflare Workers).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTemplate, TemplateError } from '@go-store/template';
// The suite's seeded generator: every run fuzzes the same inputs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const DATA: Readonly<Record<string, string>> = Object.assign(Object.create(null) as Record<string, string>, {
  a: '1',
  b: 'héllo',
  empty: '',
  '😀': 'grin',
});

/** Renders, returning the output or the TemplateError; anything else fails the test. */
function attempt(source: string, data: Readonly<Record<string, string>> = DATA): string | TemplateError {
  try {
    return renderTemplate(source, data);
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw new Error(`non-TemplateError for ${JSON.stringify(source.slice(0, 200))}: ${String(error)}`);
  }
}

function expectError(source: string, phase: 'parse' | 'exec', message: string | RegExp): void {
  const got = attempt(source);
  assert.instance(got, TemplateError, `expected a ${phase} error for ${JSON.stringify(source.slice(0, 80))}`);
  const error = got as TemplateError;
  assert.is(error.phase, phase);
  if (typeof message === 'string') assert.is(error.message, message);
  else assert.match(error.message, message);
}

const TOKENS = [
  '{{',
  '}}',
  '{{- ',
  ' -}}',
  '{{/*',
  '*/}}',
  '(',
  ')',
  '|',
  ' ',
  ' ',
  '\n',
  '\t',
  '.',
  '.a',
  '.b',
  '.nope',
  '.😀',
  '$',
  '$x',
  '$y',
  ':=',
  '=',
  ',',
  '"',
  '"s"',
  '`raw`',
  '`',
  "'",
  "'c'",
  '\\',
  'if ',
  'else ',
  'else if ',
  'end',
  'range ',
  'with ',
  'break',
  'continue',
  'define ',
  'template ',
  'block ',
  'nil',
  'true',
  'false',
  'and ',
  'or ',
  'not ',
  'len ',
  'index ',
  'slice ',
  'call ',
  'print ',
  'printf ',
  'println ',
  'html ',
  'js ',
  'urlquery ',
  'eq ',
  'ne ',
  'lt ',
  'le ',
  'gt ',
  'ge ',
  '"%d"',
  '"%v %s"',
  '"%[2]*.*f"',
  '"%!"',
  '"%x"',
  '1',
  '-3',
  '0x1F',
  '1e9',
  '1.5',
  '1+2i',
  '99999999999999999999',
  '0x1p-2',
  'é',
  '😀',
  '\u00a0',
  '\0',
  'text ',
  '{{.a}}',
  '{{end}}',
];

function tokenSoup(rand: () => number): string {
  const n = 1 + Math.floor(rand() * 40);
  let s = '';
  for (let i = 0; i < n; i++) s += TOKENS[Math.floor(rand() * TOKENS.length)];
  return s;
}

/** A seeded generator of numbers in [0, 1), so every fuzz run tries the same inputs (a 48-bit LCG). */
function prng(seed: number): () => number {
  let state = BigInt(seed);
  return () => {
    state = (state * 0x5deece66dn + 0xbn) & 0xffffffffffffn;
    return Number(state >> 16n) / 2 ** 32;
  };
}

function randomChars(rand: () => number): string {
  const n = Math.floor(rand() * 60);
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rand();
    // Mostly template punctuation, some ASCII, some of anything (lone surrogates included).
    if (r < 0.4) s += '{}()|.$-:=" `\'/*\n'[Math.floor(rand() * 18)];
    else if (r < 0.8) s += String.fromCharCode(32 + Math.floor(rand() * 95));
    else s += String.fromCharCode(Math.floor(rand() * 0x10000));
  }
  return s;
}

/** A fixed budget: the inputs are the same on every run. */
const FUZZ_ITERATIONS = { tokens: 3000, chars: 2000, mutations: 1000 };

test('fuzz: random token soups render or throw TemplateError', () => {
  const rand = prng(0x5eed);
  for (let i = 0; i < FUZZ_ITERATIONS.tokens; i++) attempt(tokenSoup(rand));
});

test('fuzz: random character strings render or throw TemplateError', () => {
  const rand = prng(42);
  for (let i = 0; i < FUZZ_ITERATIONS.chars; i++) attempt(randomChars(rand));
});

test('fuzz: mutated conformance templates render or throw TemplateError', () => {
  const fixture = new URL('../test/fixtures/template-cases.json', new URL(import.meta.resolve('@go-store/template')));
  const seeds = (JSON.parse(readFileSync(fixture, 'utf8')) as { cases: { template: string }[] }).cases.map(
    (c) => c.template,
  );
  const rand = prng(7);
  for (let i = 0; i < FUZZ_ITERATIONS.mutations; i++) {
    let s = seeds[Math.floor(rand() * seeds.length)];
    const edits = 1 + Math.floor(rand() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rand() * (s.length + 1));
      const r = rand();
      if (r < 0.33) s = s.slice(0, at) + s.slice(at + 1);
      else if (r < 0.66) s = s.slice(0, at) + TOKENS[Math.floor(rand() * TOKENS.length)] + s.slice(at);
      else s = s.slice(0, at) + s.slice(at, at + 1).repeat(2) + s.slice(at + 1);
    }
    attempt(s);
  }
});

test('nesting: 10k nested parentheses is a parse error, not a stack overflow', () => {
  expectError(
    `{{${'('.repeat(10_000)}1${')'.repeat(10_000)}}}`,
    'parse',
    'parse: line 1: max expression depth exceeded',
  );
});

test('nesting: 10k nested if, range, with and else-if are parse errors', () => {
  const msg = 'parse: line 1: max nesting depth exceeded';
  expectError(`${'{{if 1}}'.repeat(10_000)}x${'{{end}}'.repeat(10_000)}`, 'parse', msg);
  expectError('{{range .}}'.repeat(10_000) + '{{end}}'.repeat(10_000), 'parse', msg);
  expectError('{{with .a}}'.repeat(10_000) + '{{end}}'.repeat(10_000), 'parse', msg);
  expectError(`{{if 0}}${'{{else if 0}}'.repeat(10_000)}{{end}}`, 'parse', msg);
});

test('nesting: 10k unbalanced openers and closers fail fast', () => {
  expectError(`{{${'('.repeat(10_000)}`, 'parse', /^parse: line 1: /);
  expectError('{{if 1}}'.repeat(10_000), 'parse', /^parse: line 1: /);
  expectError('{{end}}'.repeat(10_000), 'parse', 'parse: line 1: unexpected {{end}}');
  expectError(`{{${')'.repeat(10_000)}}}`, 'parse', 'parse: line 1: unexpected ")" in command');
});

test('nesting: 250 levels render, 251 do not', () => {
  assert.is(renderTemplate(`{{${'('.repeat(250)}1${')'.repeat(250)}}}`, DATA), '1');
  assert.is(renderTemplate(`${'{{if 1}}'.repeat(250)}x${'{{end}}'.repeat(250)}`, DATA), 'x');
  expectError(`{{${'('.repeat(251)}1${')'.repeat(251)}}}`, 'parse', /max expression depth exceeded$/);
  expectError('{{with .}}'.repeat(251) + '{{end}}'.repeat(251), 'parse', /max nesting depth exceeded$/);
});

test('nesting: an exec error deep inside the cap reports its context', () => {
  expectError(
    `${'{{with .}}'.repeat(249)}{{len 1}}${'{{end}}'.repeat(249)}`,
    'exec',
    /at <len 1>: error calling len: len of type int$/,
  );
});

test('unterminated: string, raw string, character, comment, action and parenthesis', () => {
  expectError('{{"abc', 'parse', 'parse: line 1: unterminated quoted string');
  expectError('{{`abc', 'parse', 'parse: line 1: unterminated raw quoted string');
  expectError("{{'a", 'parse', 'parse: line 1: unterminated character constant');
  expectError('x {{/* abc', 'parse', 'parse: line 1: unclosed comment');
  expectError('x {{ .a', 'parse', 'parse: line 1: unclosed action');
  expectError('x {{ (.a }}', 'parse', 'parse: line 1: unclosed left paren');
  expectError('{{if .a}}', 'parse', 'parse: line 1: unexpected EOF');
});

test('size: 100 kB unterminated constructs fail quickly', () => {
  const filler = 'x'.repeat(100_000);
  expectError(`{{/* ${filler}`, 'parse', 'parse: line 1: unclosed comment');
  expectError(`{{\`${filler}`, 'parse', 'parse: line 1: unterminated raw quoted string');
  expectError(`{{"${filler}`, 'parse', 'parse: line 1: unterminated quoted string');
  expectError(`{{ ${'a'.repeat(100_000)}`, 'parse', /^parse: line 1: /);
  expectError(`{{${' '.repeat(100_000)}`, 'parse', 'parse: line 1: unclosed action');
});

test('size: a 100 kB template renders in full', () => {
  const block = '{{range $k, $v := .}}{{$k}}={{$v | printf "%q"}};{{end}}{{if .a}}[{{len .b}}]{{else}}no{{end}}\n';
  const once = 'a="1";b="héllo";empty="";😀="grin";[6]\n';
  const n = Math.ceil(100_000 / block.length);
  assert.is(renderTemplate(block.repeat(n), DATA), once.repeat(n));
  const text = 'lorem ipsum é 😀 '.repeat(6_000);
  assert.is(renderTemplate(text, DATA), text);
  // Many variables declared at the top level stay visible to the end.
  const vars = `${Array.from({ length: 5_000 }, (_, i) => `{{$v${i} := ${i}}}`).join('')}{{$v0}} {{$v4999}}`;
  assert.is(renderTemplate(vars, DATA), '0 4999');
});

test('limits: nested ranges that would run for hours stop with an exec error', () => {
  const keys = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v']));
  const data = Object.assign(Object.create(null) as Record<string, string>, keys);
  // 100^4 iterations: far past the budget of 10 million steps.
  const runaway = '{{range .}}{{range $}}{{range $}}{{range $}}{{end}}{{end}}{{end}}{{end}}';
  const got = attempt(runaway, data);
  assert.instance(got, TemplateError);
  assert.is((got as TemplateError).phase, 'exec');
  assert.match((got as TemplateError).message, /exceeded maximum execution steps \(10000000\)$/);
  // Two nested ranges over the same data are fine.
  assert.is(renderTemplate('{{range .}}{{range $}}x{{end}}{{end}}', data), 'x'.repeat(10_000));
});

test('limits: a single range is never cut short, however much work it does', () => {
  const keys = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, String(i)]));
  const data = Object.assign(Object.create(null) as Record<string, string>, keys);
  // About 600 steps per key, 12 million in all: beyond the 10 million floor, so this relies on
  // the budget growing with the data and the template.
  const body = '{{$k}}'.repeat(300);
  const out = renderTemplate(`{{range $k, $v := .}}${body};{{end}}`, data);
  assert.is(out.split(';').length, 20_001);
});

test('limits: output beyond 64 MiB is an exec error', () => {
  const keys = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v']));
  const data = Object.assign(Object.create(null) as Record<string, string>, keys);
  const got = attempt('{{range .}}{{printf "%999999d" 1}}{{end}}', data);
  assert.instance(got, TemplateError);
  assert.match((got as TemplateError).message, /exceeded maximum output size \(67108864 bytes\)$/);
});

test('nesting: 10k nested blocks are a parse error, 249 in ifs render', () => {
  expectError(
    '{{block "b" .}}'.repeat(10_000) + '{{end}}'.repeat(10_000),
    'parse',
    'parse: line 1: max nesting depth exceeded',
  );
  const nested = `${'{{if 1}}'.repeat(249)}{{block "b" .a}}[{{.}}]{{end}}${'{{end}}'.repeat(249)}`;
  assert.is(renderTemplate(nested, DATA), '[1]');
});

test('templates: 10k definitions, each calling the next, run without using the stack', () => {
  const n = 10_000;
  const defs = Array.from(
    { length: n },
    (_, i) => `{{define "d${i}"}}${i % 1000 === 0 ? i : ''}{{template "d${i + 1}" .}}{{end}}`,
  );
  const source = `${defs.join('\n')}{{define "d${n}"}}end:{{.a}}{{end}}{{template "d0" .}}`;
  assert.is(renderTemplate(source, DATA).replaceAll('\n', ''), '0100020003000400050006000700080009000end:1');
});

test("recursion: a template that calls itself without end fails with Go's message", () => {
  expectError(
    '{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}',
    'exec',
    'exec: line 1, col 25: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (100000)',
  );
  // The text is the template "t": calling it from itself is the same mistake.
  expectError(
    'x{{template "t" .}}',
    'exec',
    'exec: line 1, col 12: at <{{template "t" .}}>: exceeded maximum template depth (100000)',
  );
});

test('recursion: 99,999 levels render, one more does not', () => {
  const r = '{{define "r"}}{{if .}}{{template "r" (slice . 1)}}{{else}}done{{end}}{{end}}';
  assert.is(renderTemplate(`${r}{{template "r" .s}}`, { s: 'x'.repeat(99_999) }), 'done');
  expectError(`${r}{{template "r" (printf "%100000s" "")}}`, 'exec', /exceeded maximum template depth \(100000\)$/);
});

test('recursion: endless recursion through many nested bodies stops at the execution depth', () => {
  // Ten bodies a call: Go's own stack overflows here, a fatal error; render reports one.
  const bodies = 10;
  const source = `{{define "r"}}${'{{with $}}'.repeat(bodies)}{{template "r" .}}${'{{end}}'.repeat(bodies)}{{end}}{{template "r" .}}`;
  expectError(
    source,
    'exec',
    /executing "r" at <\{\{template "r" \.\}\}>: exceeded maximum execution depth \(500000\)$/,
  );
  // Endless recursion through a range over the data, with a break that never comes.
  expectError(
    '{{define "r"}}{{range $}}{{template "r" $}}{{break}}{{end}}{{end}}{{template "r" .}}',
    'exec',
    /exceeded maximum template depth \(100000\)$/,
  );
});

test('recursion: templates that fan out exponentially stop at the step budget', () => {
  const levels = 40;
  const defs = Array.from(
    { length: levels },
    (_, i) => `{{define "f${i}"}}{{template "f${i + 1}"}}{{template "f${i + 1}"}}{{end}}`,
  );
  const got = attempt(`${defs.join('')}{{define "f${levels}"}}{{end}}{{template "f0"}}`);
  assert.instance(got, TemplateError);
  assert.is((got as TemplateError).phase, 'exec');
  assert.match((got as TemplateError).message, /exceeded maximum execution steps \(10000000\)$/);
});

test('recursion: endless recursion growing the output stops at the output limit', () => {
  const got = attempt('{{define "r"}}{{printf "%100000s" ""}}{{template "r"}}{{end}}{{template "r"}}');
  assert.instance(got, TemplateError);
  assert.match((got as TemplateError).message, /exceeded maximum output size \(67108864 bytes\)$/);
});

test('templates: after a call, variables, break and continue of the caller work on', () => {
  const source =
    '{{define "k"}}<{{.}}>{{end}}{{$n := 0}}{{range $k, $v := .}}{{if eq $k "b"}}{{continue}}{{end}}' +
    '{{template "k" $k}}{{$n = $k}}{{if eq $k "empty"}}{{break}}{{end}}{{end}}{{$n}}';
  assert.is(renderTemplate(source, DATA), '<a><empty>empty');
});

test('input: lone surrogates are read as U+FFFD', () => {
  assert.is(renderTemplate('a\ud800b{{"\udc00"}}', DATA), 'a\ufffdb\ufffd');
  assert.is(renderTemplate('{{len "\ud800"}}', DATA), '3');
});

test('input: data is read as a map of strings whatever its prototype', () => {
  assert.is(renderTemplate('{{.a}} {{len .}}', { a: 'plain object' }), 'plain object 1');
  assert.is(
    renderTemplate('{{.toString}}|{{.__proto__}}', Object.create(null) as Record<string, string>),
    '<no value>|<no value>',
  );
});

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsFiles(path);
    return path.endsWith('.js') ? [path] : [];
  });
}

test('csp: the built template engine never generates code at run time', () => {
  const dist = dirname(fileURLToPath(import.meta.resolve('@go-store/template')));
  const files = jsFiles(dist);
  assert.ok(
    files.some((f) => f.endsWith('exec.js')),
    `template build not found in ${dist}`,
  );
  const forbidden = [/\beval\s*\(/, /\bnew\s+Function\b/, /(?<![\w$])Function\s*\(/];
  for (const file of files) {
    const code = readFileSync(file, 'utf8');
    for (const pattern of forbidden) assert.not.match(code, pattern, `${file} matches ${pattern}`);
  }
});

test.run();
