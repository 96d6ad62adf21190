/**
 * `renderTemplate`: Go's `text/template` for a `map[string]string`, byte for byte, without
 * generating code at run time (so it runs under a strict CSP and on Cloudflare Workers).
 *
 * The pipeline is: encode the source and data as UTF-8 byte strings (`utf8.ts`), lex
 * (`lex.ts`) and parse (`parse.ts`) into a tree (`nodes.ts`), execute it (`exec.ts`) with the
 * builtins (`funcs.ts`, `printf.ts`, `escape.ts`), and decode the output.
 */
import { TemplateError } from './error.js';
import { execute } from './exec.js';
import { parse } from './parse.js';
import { fromByteString, toByteString } from './utf8.js';
import { GoMap } from './values.js';

function toGoMap(data: Readonly<Record<string, string>>): GoMap {
  const entries = new Map<string, string>();
  for (const key of Object.keys(data)) {
    const value: unknown = data[key];
    entries.set(toByteString(key), toByteString(typeof value === 'string' ? value : String(value)));
  }
  return new GoMap(entries);
}

/**
 * Renders a Go `text/template` source against `data`, a map of strings (Go: `map[string]string`),
 * producing exactly what Go's `template.New("t").Parse(source)` then `Execute(w, data)` would
 * write. See `docs/render.md` for the supported subset.
 *
 * @example
 * ```ts
 * renderTemplate('{{ .host }}:{{ .port }}', { host: 'example.org', port: '443' });
 * // 'example.org:443'
 * renderTemplate('{{range $k, $v := .}}{{$k}}={{$v}};{{end}}', { b: '2', a: '1' });
 * // 'a=1;b=2;'
 * ```
 *
 * @throws {@link TemplateError} with `phase: 'parse'` for anything Go reports from `Parse`
 * (syntax, undefined functions or variables, …) and `phase: 'exec'` for anything Go reports
 * from `Execute`; never any other error.
 */
export function renderTemplate(source: string, data: Readonly<Record<string, string>>): string {
  let phase: 'parse' | 'exec' = 'parse';
  try {
    const text = toByteString(source);
    const template = parse(text);
    phase = 'exec';
    return fromByteString(execute(template, text, toGoMap(data)));
  } catch (error) {
    if (error instanceof TemplateError) throw error;
    // The nesting cap keeps recursion shallow, but a caller already deep in its own stack, or
    // an output too large for a string, can still exhaust the engine: report it, never leak it.
    const message = error instanceof Error ? error.message : String(error);
    throw new TemplateError(phase, `${phase}: ${message}`);
  }
}

export { TemplateError } from './error.js';
