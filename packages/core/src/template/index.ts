/**
 * Placeholder until the template engine lands: renders nothing but plain text.
 */
import { TemplateError } from '../errors.js';

/** Renders a Go `text/template` source against `data` (a map of strings). */
export function renderTemplate(source: string, data: Readonly<Record<string, string>>): string {
  void data;
  if (source.includes('{{')) throw new TemplateError('parse', 'store.render: parse: template engine not built yet');
  return source;
}
