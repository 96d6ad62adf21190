/**
 * render messages for named templates: Go names the template being executed in every exec
 * error ("template: t:1:18: executing \"x\" at <…>"). The text itself is anonymous in a render,
 * so its errors say only where they happened; a template the text defines keeps its name.
 * Lines and columns always count from the start of the whole text.
 */
import { renderTemplate, TemplateError } from '@go-store/template';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const DATA: Readonly<Record<string, string>> = { host: 'example.org', port: '443' };

/** The message of the error the source fails with (the expectations are Go's, mapped). */
function messageOf(source: string): string {
  let rendered: string;
  try {
    rendered = renderTemplate(source, DATA);
  } catch (error) {
    assert.instance(error, TemplateError);
    return (error as TemplateError).message;
  }
  throw new Error(`${source} rendered ${JSON.stringify(rendered)}`);
}

test('messages: an error in the text names no template', () => {
  assert.is(
    messageOf('{{define "x"}}{{end}}{{.host.name}}'),
    "exec: line 1, col 28: at <.host.name>: can't evaluate field name in type string",
  );
});

test('messages: an error in a defined template keeps its name', () => {
  assert.is(
    messageOf('{{define "x"}}{{.host.name}}{{end}}{{template "x" .}}'),
    'exec: line 1, col 21: executing "x" at <.host.name>: can\'t evaluate field name in type string',
  );
});

test('messages: an error in a block keeps its name, lines count from the top of the text', () => {
  assert.is(
    messageOf('a\n{{block "footer" .}}\n  {{len 3}}{{end}}'),
    'exec: line 3, col 4: executing "footer" at <len 3>: error calling len: len of type int',
  );
});

test('messages: the innermost template is named, and the call that failed', () => {
  assert.is(
    messageOf('{{define "a"}}{{template "b" .}}{{end}}{{define "b"}}{{template "nope"}}{{end}}{{template "a"}}'),
    'exec: line 1, col 64: executing "b" at <{{template "nope"}}>: template "nope" not defined',
  );
});

test('messages: the text run again as "t" is still the anonymous text', () => {
  assert.is(
    messageOf('{{if eq (printf "%T" .) "int"}}{{.x}}{{else}}{{template "t" 1}}{{end}}'),
    "exec: line 1, col 33: at <.x>: can't evaluate field x in type int",
  );
});

test('messages: names are quoted as Go quotes them', () => {
  assert.is(
    messageOf('{{define "a\\"b"}}{{len 1}}{{end}}{{template "a\\"b"}}'),
    'exec: line 1, col 19: executing "a\\"b" at <len 1>: error calling len: len of type int',
  );
  assert.is(
    messageOf('{{template "é\\t"}}'),
    'exec: line 1, col 11: at <{{template "é\\t"}}>: template "é\\t" not defined',
  );
});

test('messages: parse errors in definitions give the line in the whole text', () => {
  assert.is(
    messageOf('{{define "a"}}a{{end}}\n{{define "a"}}\nb{{end}}'),
    'parse: line 3: template: multiple definition of template "a"',
  );
  assert.is(messageOf('x\n{{define "a"}}\n{{nope}}{{end}}'), 'parse: line 3: function "nope" not defined');
});

test.run();
