/**
 * The parse tree, mirroring Go's `text/template/parse` node types that this engine supports.
 * `pos` is a byte offset into the template; `nodeString` reproduces Go's `Node.String`, which
 * execution errors quote as their context (`at <.a.b>`).
 */
import type { NumberInfo } from './numbers.js';
import { quote } from './quote.js';

/** Nodes that may appear in a list: the body of the template or of a control structure. */
export type ListItem = TextNode | ActionNode | IfNode | RangeNode | WithNode | BreakNode | ContinueNode | TemplateNode;

/** An operand inside a command. */
export type Arg =
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | PipeNode;

/** Any node of the tree, plus the `{{else}}`/`{{end}}` markers the parser uses internally. */
export type Node = ListNode | ListItem | Arg | CommandNode | EndNode | ElseNode;

/** A sequence of nodes: the template body or a control structure's body. */
export interface ListNode {
  readonly type: 'list';
  readonly pos: number;
  readonly nodes: ListItem[];
}
/** Plain text, copied to the output (a byte string). */
interface TextNode {
  readonly type: 'text';
  readonly pos: number;
  readonly text: string;
}
/** `{{pipeline}}`: evaluated, and printed unless it declares variables. */
export interface ActionNode {
  readonly type: 'action';
  readonly pos: number;
  readonly pipe: PipeNode;
}
/** A pipeline: optional variable declarations, then commands joined by `|`. */
export interface PipeNode {
  readonly type: 'pipe';
  readonly pos: number;
  isAssign: boolean;
  readonly decl: VariableNode[];
  readonly cmds: CommandNode[];
}
/** One command of a pipeline: a function, field or operand with its arguments. */
export interface CommandNode {
  readonly type: 'command';
  readonly pos: number;
  readonly args: Arg[];
}
/** A function name. */
export interface IdentifierNode {
  readonly type: 'identifier';
  readonly pos: number;
  readonly ident: string;
}
/** `$x` or `$x.field…`. */
export interface VariableNode {
  readonly type: 'variable';
  readonly pos: number;
  /** The variable name (`$x`) followed by any field names. */
  readonly ident: readonly string[];
}
/** `.`, the current value. */
interface DotNode {
  readonly type: 'dot';
  readonly pos: number;
}
/** The untyped `nil`. */
interface NilNode {
  readonly type: 'nil';
  readonly pos: number;
}
/** `.key` or `.key.field…`, looked up from dot. */
export interface FieldNode {
  readonly type: 'field';
  readonly pos: number;
  readonly ident: readonly string[];
}
/** `(pipeline).field…` or `function.field…`. */
export interface ChainNode {
  readonly type: 'chain';
  readonly pos: number;
  readonly node: Arg;
  readonly field: string[];
}
/** `true` or `false`. */
interface BoolNode {
  readonly type: 'bool';
  readonly pos: number;
  readonly value: boolean;
}
/** A number, character or complex literal, with what Go types can hold it. */
export interface NumberNode {
  readonly type: 'number';
  readonly pos: number;
  readonly text: string;
  readonly info: NumberInfo;
}
/** A quoted or raw string literal: the source text and its value (a byte string). */
interface StringNode {
  readonly type: 'string';
  readonly pos: number;
  readonly quoted: string;
  readonly text: string;
}
/** `{{if}}`, `{{range}}` or `{{with}}`, with its body and optional `{{else}}` body. */
export interface BranchNode<T extends 'if' | 'range' | 'with'> {
  readonly type: T;
  readonly pos: number;
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | null;
}
/** `{{if pipeline}}…{{else}}…{{end}}`; `else if` is an `if` alone in the else body. */
type IfNode = BranchNode<'if'>;
/** `{{range pipeline}}…{{else}}…{{end}}`. */
export type RangeNode = BranchNode<'range'>;
/** `{{with pipeline}}…{{else}}…{{end}}`. */
type WithNode = BranchNode<'with'>;
/** `{{break}}` inside a range. */
interface BreakNode {
  readonly type: 'break';
  readonly pos: number;
}
/** `{{continue}}` inside a range. */
interface ContinueNode {
  readonly type: 'continue';
  readonly pos: number;
}
/** `{{template "name" pipeline}}`, or the call a `{{block}}` leaves in place of its body. */
export interface TemplateNode {
  readonly type: 'template';
  readonly pos: number;
  readonly name: string;
  readonly pipe: PipeNode | null;
}
/** `{{end}}`: ends a body while parsing; never part of the tree. */
export interface EndNode {
  readonly type: 'end';
  readonly pos: number;
}
/** `{{else}}`: ends a body while parsing; never part of the tree. */
export interface ElseNode {
  readonly type: 'else';
  readonly pos: number;
}

/** Go's `Node.String()`: the node written back as template source. */
export function nodeString(n: Node): string {
  const out: string[] = [];
  writeNode(n, out);
  return out.join('');
}

function writeNode(n: Node, out: string[]): void {
  switch (n.type) {
    case 'list':
      for (const item of n.nodes) writeNode(item, out);
      return;
    case 'text':
      out.push(n.text);
      return;
    case 'action':
      out.push('{{');
      writeNode(n.pipe, out);
      out.push('}}');
      return;
    case 'pipe':
      if (n.decl.length > 0) {
        n.decl.forEach((v, i) => {
          if (i > 0) out.push(', ');
          writeNode(v, out);
        });
        // Go writes ":=" even for an assignment.
        out.push(' := ');
      }
      n.cmds.forEach((c, i) => {
        if (i > 0) out.push(' | ');
        writeNode(c, out);
      });
      return;
    case 'command':
      n.args.forEach((arg, i) => {
        if (i > 0) out.push(' ');
        if (arg.type === 'pipe') {
          out.push('(');
          writeNode(arg, out);
          out.push(')');
        } else writeNode(arg, out);
      });
      return;
    case 'identifier':
      out.push(n.ident);
      return;
    case 'variable':
      out.push(n.ident.join('.'));
      return;
    case 'dot':
      out.push('.');
      return;
    case 'nil':
      out.push('nil');
      return;
    case 'field':
      for (const id of n.ident) out.push('.', id);
      return;
    case 'chain':
      if (n.node.type === 'pipe') {
        out.push('(');
        writeNode(n.node, out);
        out.push(')');
      } else writeNode(n.node, out);
      for (const f of n.field) out.push('.', f);
      return;
    case 'bool':
      out.push(n.value ? 'true' : 'false');
      return;
    case 'number':
      out.push(n.text);
      return;
    case 'string':
      out.push(n.quoted);
      return;
    case 'if':
    case 'range':
    case 'with':
      out.push('{{', n.type, ' ');
      writeNode(n.pipe, out);
      out.push('}}');
      writeNode(n.list, out);
      if (n.elseList !== null) {
        out.push('{{else}}');
        writeNode(n.elseList, out);
      }
      out.push('{{end}}');
      return;
    case 'template':
      out.push('{{template ', quote(n.name));
      if (n.pipe !== null) {
        out.push(' ');
        writeNode(n.pipe, out);
      }
      out.push('}}');
      return;
    case 'break':
      out.push('{{break}}');
      return;
    case 'continue':
      out.push('{{continue}}');
      return;
    case 'end':
      out.push('{{end}}');
      return;
    case 'else':
      out.push('{{else}}');
      return;
  }
}
