/**
 * The parser: a port of Go's `text/template/parse/parse.go` (recursive descent with Go's
 * three-token look-ahead), so that it accepts and rejects exactly what Go does and reports the
 * same messages at the same lines. As Go's `Parse` does, it reads the whole text into a set of
 * named templates: the text itself (named {@link TOP_TEMPLATE}) and every `{{define}}` and
 * `{{block}}` in it, each parsed by a parser of its own that shares the lexer, with Go's rules
 * for redefinitions. Nesting is capped (Go has none; a JavaScript stack is small).
 *
 * It stays whole, over 500 lines, because it is one recursive-descent grammar: its productions
 * call one another and share the look-ahead, so a split would cut the grammar, not a job.
 */
import { TemplateError } from './error.js';
import { BUILTIN_NAMES } from './funcs.js';
import { describeItem, type Item, ItemType, Lexer } from './lex.js';
import {
  type Arg,
  type BranchNode,
  type CommandNode,
  type ElseNode,
  type EndNode,
  type ListItem,
  type ListNode,
  nodeString,
  type PipeNode,
  type TemplateNode,
  type VariableNode,
} from './nodes.js';
import { newNumber } from './numbers.js';
import { quote, unquote } from './quote.js';
import { isSpace } from './unicode.js';
import { decodeRune, fromByteString } from './utf8.js';

/**
 * The name of the template the whole text defines. go-store parses as Go's
 * `template.New("t").Parse(text)` does, so `{{template "t"}}` runs the text itself and
 * `{{define "t"}}` is subject to the redefinition rules against it.
 */
export const TOP_TEMPLATE = 't';

/**
 * The deepest nesting of parenthesised pipelines and `if`/`range`/`with`/`block` bodies (each
 * `else if` counts) the parser accepts, counted together. Go caps only parentheses (at 10000, "max
 * expression depth exceeded", since Go 1.20) and lets goroutine stacks grow for the rest; a
 * JavaScript stack is fixed and small, and each level costs about 1 KB of it across parsing
 * and execution. 250 keeps a 4x margin on a default V8 stack, so a template that renders on
 * one runtime renders on all; real templates nest a few levels.
 */
const MAX_NESTING_DEPTH = 250;

const ZERO_ITEM: Item = { typ: ItemType.Error, pos: 0, val: '', line: 0 };

/** Reports a parse error with Go's wording, from a byte-string message. */
function parseError(line: number, message: string): TemplateError {
  return new TemplateError('parse', `parse: line ${line}: ${fromByteString(message)}`);
}

/**
 * Go's `IsEmptyTree` for a parsed body: nothing but white space (Unicode's, as Go's
 * `bytes.TrimSpace` sees it) and comments, which the tree does not keep. Such a definition never
 * replaces a non-empty one.
 */
function isEmptyTree(list: ListNode): boolean {
  for (const n of list.nodes) {
    if (n.type !== 'text') return false;
    for (let i = 0; i < n.text.length; ) {
      const [r, width] = decodeRune(n.text, i);
      if (!isSpace(r)) return false;
      i += width;
    }
  }
  return true;
}

class Parser {
  readonly #lex: Lexer;
  /** Every template defined so far, shared by the parsers of one text (Go's `treeSet`). */
  readonly #treeSet: Map<string, ListNode>;
  readonly #token: Item[] = [ZERO_ITEM, ZERO_ITEM, ZERO_ITEM];
  #peekCount = 0;
  #vars: string[] = ['$'];
  #actionLine = 0;
  #rangeDepth = 0;
  #depth: number;

  /**
   * A parser for one template of the text, reading from the shared lexer as Go's `startParse`
   * does: its own look-ahead and variables, and the nesting depth already used by the parser
   * that started it (a `{{block}}` body is parsed while its parent's calls are on the stack).
   */
  constructor(lex: Lexer, treeSet: Map<string, ListNode>, depth: number) {
    this.#lex = lex;
    this.#treeSet = treeSet;
    this.#depth = depth;
  }

  #next(): Item {
    if (this.#peekCount > 0) this.#peekCount--;
    else this.#token[0] = this.#lex.nextItem();
    return this.#token[this.#peekCount];
  }

  #backup(): void {
    this.#peekCount++;
  }

  #backup2(t1: Item): void {
    this.#token[1] = t1;
    this.#peekCount = 2;
  }

  #backup3(t2: Item, t1: Item): void {
    this.#token[1] = t1;
    this.#token[2] = t2;
    this.#peekCount = 3;
  }

  #peek(): Item {
    if (this.#peekCount > 0) return this.#token[this.#peekCount - 1];
    this.#peekCount = 1;
    this.#token[0] = this.#lex.nextItem();
    return this.#token[0];
  }

  #nextNonSpace(): Item {
    let token: Item;
    do token = this.#next();
    while (token.typ === ItemType.Space);
    return token;
  }

  #peekNonSpace(): Item {
    const token = this.#nextNonSpace();
    this.#backup();
    return token;
  }

  #errorf(message: string): never {
    throw parseError(this.#token[0].line, message);
  }

  #expect(expected: ItemType, context: string): Item {
    const token = this.#nextNonSpace();
    if (token.typ !== expected) this.#unexpected(token, context);
    return token;
  }

  #unexpected(token: Item, context: string): never {
    if (token.typ === ItemType.Error) {
      let extra = '';
      if (this.#actionLine !== 0 && this.#actionLine !== token.line) {
        extra = ` in action started at line ${this.#actionLine}`;
        if (token.val.endsWith(' action')) extra = extra.slice(' in action'.length); // avoid "action in action"
      }
      return this.#errorf(token.val + extra);
    }
    return this.#errorf(`unexpected ${describeItem(token)} in ${context}`);
  }

  #enter(what: 'expression' | 'nesting'): void {
    if (this.#depth >= MAX_NESTING_DEPTH) this.#errorf(`max ${what} depth exceeded`);
    this.#depth++;
  }

  /**
   * Go's `add`: installs a parsed template under its name unless a non-empty one is already
   * there. Two non-empty definitions of one name are an error; an empty one (white space and
   * comments only) gives way to anything, and replaces an empty one. Returns the body that
   * the name now has.
   */
  #add(name: string, root: ListNode): ListNode {
    const existing = this.#treeSet.get(name);
    if (existing === undefined || isEmptyTree(existing)) {
      this.#treeSet.set(name, root);
      return root;
    }
    if (!isEmptyTree(root)) this.#errorf(`template: multiple definition of template ${quote(name)}`);
    return existing;
  }

  /**
   * The whole text, up to EOF: like `#itemList`, but `{{define}}` is allowed here (and only
   * here). The text is installed last, as {@link TOP_TEMPLATE}, after every definition in it;
   * returns what runs as that template (the text, or an empty text's `{{define "t"}}`).
   */
  parse(): ListNode {
    const root: ListNode = { type: 'list', pos: this.#peek().pos, nodes: [] };
    while (this.#peek().typ !== ItemType.EOF) {
      if (this.#peek().typ === ItemType.LeftDelim) {
        const delim = this.#next();
        if (this.#nextNonSpace().typ === ItemType.Define) {
          new Parser(this.#lex, this.#treeSet, this.#depth).#parseDefinition();
          continue;
        }
        this.#backup2(delim);
      }
      const n = this.#textOrAction();
      if (n.type === 'end' || n.type === 'else') this.#errorf(`unexpected ${nodeString(n)}`);
      root.nodes.push(n);
    }
    return this.#add(TOP_TEMPLATE, root);
  }

  /** `{{define "name"}}…{{end}}`, the keyword already read: parses and installs the body. */
  #parseDefinition(): void {
    const context = 'define clause';
    const name = this.#templateName(this.#nextNonSpace(), context);
    this.#expect(ItemType.RightDelim, context);
    const [root, end] = this.#itemList();
    if (end.type !== 'end') this.#errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.#add(name, root);
  }

  /** The quoted name of `define`, `block` or `template`. */
  #templateName(token: Item, context: string): string {
    if (token.typ !== ItemType.String && token.typ !== ItemType.RawString) this.#unexpected(token, context);
    const name = unquote(token.val);
    if (name === null) this.#errorf('invalid syntax');
    return name;
  }

  #itemList(): [ListNode, EndNode | ElseNode] {
    const list: ListNode = { type: 'list', pos: this.#peekNonSpace().pos, nodes: [] };
    while (this.#peekNonSpace().typ !== ItemType.EOF) {
      const n = this.#textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    return this.#errorf('unexpected EOF');
  }

  #textOrAction(): ListItem | EndNode | ElseNode {
    const token = this.#nextNonSpace();
    switch (token.typ) {
      case ItemType.Text:
        return { type: 'text', pos: token.pos, text: token.val };
      case ItemType.LeftDelim:
        this.#actionLine = token.line;
        try {
          return this.#action();
        } finally {
          this.#actionLine = 0;
        }
    }
    return this.#unexpected(token, 'input');
  }

  #action(): ListItem | EndNode | ElseNode {
    const token = this.#nextNonSpace();
    switch (token.typ) {
      case ItemType.Block:
        return this.#blockControl();
      case ItemType.Break:
        return this.#breakControl(token.pos, 'break');
      case ItemType.Continue:
        return this.#breakControl(token.pos, 'continue');
      case ItemType.Else:
        return this.#elseControl();
      case ItemType.End:
        return this.#endControl();
      case ItemType.If:
        return this.#ifControl();
      case ItemType.Range:
        return this.#branch('range', false);
      case ItemType.Template:
        return this.#templateControl();
      case ItemType.With:
        return this.#branch('with', false);
    }
    this.#backup();
    const first = this.#peek();
    // Variables are not popped here: they persist until "end".
    return { type: 'action', pos: first.pos, pipe: this.#pipeline('command', ItemType.RightDelim) };
  }

  #breakControl(pos: number, kind: 'break' | 'continue'): ListItem {
    const token = this.#nextNonSpace();
    if (token.typ !== ItemType.RightDelim) this.#unexpected(token, `{{${kind}}}`);
    if (this.#rangeDepth === 0) this.#errorf(`{{${kind}}} outside {{range}}`);
    return { type: kind, pos };
  }

  #pipeline(context: string, end: ItemType): PipeNode {
    const pipe: PipeNode = { type: 'pipe', pos: this.#peekNonSpace().pos, isAssign: false, decl: [], cmds: [] };
    // Are there declarations or assignments?
    for (;;) {
      const v = this.#peekNonSpace();
      if (v.typ === ItemType.Variable) {
        this.#next();
        // Space is a token, so "$x foo" needs three tokens of look-ahead to tell an argument
        // variable from a declaration: remember the token after the variable to push it back.
        const tokenAfterVariable = this.#peek();
        const next = this.#peekNonSpace();
        if (next.typ === ItemType.Assign || next.typ === ItemType.Declare) {
          pipe.isAssign = next.typ === ItemType.Assign;
          this.#nextNonSpace();
          pipe.decl.push(newVariable(v.pos, v.val));
          this.#vars.push(v.val);
        } else if (next.typ === ItemType.Char && next.val === ',') {
          this.#nextNonSpace();
          pipe.decl.push(newVariable(v.pos, v.val));
          this.#vars.push(v.val);
          if (context === 'range' && pipe.decl.length < 2) {
            const t = this.#peekNonSpace().typ;
            if (t === ItemType.Variable || t === ItemType.RightDelim || t === ItemType.RightParen) {
              continue; // the second variable of a range
            }
            this.#errorf('range can only initialize variables');
          }
          return this.#errorf(`too many declarations in ${context}`);
        } else if (tokenAfterVariable.typ === ItemType.Space) {
          this.#backup3(v, tokenAfterVariable);
        } else {
          this.#backup2(v);
        }
      }
      break;
    }
    for (;;) {
      const token = this.#nextNonSpace();
      switch (token.typ) {
        case end:
          this.#checkPipeline(pipe, context);
          return pipe;
        case ItemType.Bool:
        case ItemType.CharConstant:
        case ItemType.Complex:
        case ItemType.Dot:
        case ItemType.Field:
        case ItemType.Identifier:
        case ItemType.Number:
        case ItemType.Nil:
        case ItemType.RawString:
        case ItemType.String:
        case ItemType.Variable:
        case ItemType.LeftParen:
          this.#backup();
          pipe.cmds.push(this.#command());
          break;
        default:
          this.#unexpected(token, context);
      }
    }
  }

  #checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.#errorf(`missing value for ${context}`);
    // Only the first command of a pipeline can start with a non-executable operand.
    for (let i = 1; i < pipe.cmds.length; i++) {
      const t = pipe.cmds[i].args[0].type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') {
        this.#errorf(`non executable command in pipeline stage ${i + 1}`);
      }
    }
  }

  #parseControl(allowElseIf: boolean, context: string): [PipeNode, ListNode, ListNode | null] {
    this.#enter('nesting');
    const varsBefore = this.#vars.length;
    const pipe = this.#pipeline(context, ItemType.RightDelim);
    if (context === 'range') this.#rangeDepth++;
    const [list, next] = this.#itemList();
    if (context === 'range') this.#rangeDepth--;
    let elseList: ListNode | null = null;
    if (next.type === 'else') {
      // "{{else if b}}" is read as "{{else}}{{if b}}…{{end}}" whose {{end}} is shared.
      if (allowElseIf && this.#peek().typ === ItemType.If) {
        this.#next(); // Consume the "if" token.
        elseList = { type: 'list', pos: next.pos, nodes: [this.#ifControl()] };
      } else {
        const [els, end] = this.#itemList();
        if (end.type !== 'end') this.#errorf(`expected end; found ${nodeString(end)}`);
        elseList = els;
      }
    }
    this.#vars.length = varsBefore;
    this.#depth--;
    return [pipe, list, elseList];
  }

  #ifControl(): ListItem {
    return this.#branch('if', true);
  }

  #branch<T extends 'if' | 'range' | 'with'>(type: T, allowElseIf: boolean): BranchNode<T> {
    const [pipe, list, elseList] = this.#parseControl(allowElseIf, type);
    return { type, pos: pipe.pos, pipe, list, elseList };
  }

  /**
   * `{{block "name" pipeline}}…{{end}}`: defines the body as a template of its own (parsed
   * with fresh variables, outside any `range`) and runs it here, as `{{template}}` would.
   */
  #blockControl(): TemplateNode {
    const context = 'block clause';
    const token = this.#nextNonSpace();
    const name = this.#templateName(token, context);
    const pipe = this.#pipeline(context, ItemType.RightDelim);
    this.#enter('nesting');
    const block = new Parser(this.#lex, this.#treeSet, this.#depth);
    const [root, end] = block.#itemList();
    // Go reports a stray {{else}} at this parser's line (that of the block's own action).
    if (end.type !== 'end') this.#errorf(`unexpected ${nodeString(end)} in ${context}`);
    block.#add(name, root);
    this.#depth--;
    return { type: 'template', pos: token.pos, name, pipe };
  }

  /** `{{template "name" pipeline}}`; the pipeline is optional. */
  #templateControl(): TemplateNode {
    const context = 'template clause';
    const token = this.#nextNonSpace();
    const name = this.#templateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.#nextNonSpace().typ !== ItemType.RightDelim) {
      this.#backup();
      // Variables are not popped here: they persist until "end".
      pipe = this.#pipeline(context, ItemType.RightDelim);
    }
    return { type: 'template', pos: token.pos, name, pipe };
  }

  #endControl(): EndNode {
    return { type: 'end', pos: this.#expect(ItemType.RightDelim, 'end').pos };
  }

  #elseControl(): ElseNode {
    const peek = this.#peekNonSpace();
    // "{{else if …": leave the "if" pending for parseControl.
    if (peek.typ === ItemType.If) return { type: 'else', pos: peek.pos };
    const token = this.#expect(ItemType.RightDelim, 'else');
    return { type: 'else', pos: token.pos };
  }

  #command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.#peekNonSpace().pos, args: [] };
    for (;;) {
      this.#peekNonSpace(); // skip leading spaces.
      const operand = this.#operand();
      if (operand !== null) cmd.args.push(operand);
      const token = this.#next();
      if (token.typ === ItemType.Space) continue;
      if (token.typ === ItemType.RightDelim || token.typ === ItemType.RightParen) this.#backup();
      else if (token.typ !== ItemType.Pipe) this.#unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.#errorf('empty command');
    return cmd;
  }

  #operand(): Arg | null {
    const node = this.#term();
    if (node === null) return null;
    if (this.#peek().typ !== ItemType.Field) return node;
    const chain = { type: 'chain' as const, pos: this.#peek().pos, node, field: [] as string[] };
    while (this.#peek().typ === ItemType.Field) chain.field.push(this.#next().val.slice(1));
    // Fields after a field or variable extend it; obvious mistakes on literals fail here.
    switch (node.type) {
      case 'field':
        return { type: 'field', pos: chain.pos, ident: [...node.ident, ...chain.field] };
      case 'variable':
        return { type: 'variable', pos: chain.pos, ident: [...node.ident, ...chain.field] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return this.#errorf(`unexpected . after term ${quote(nodeString(node))}`);
    }
    return chain;
  }

  #term(): Arg | null {
    const token = this.#nextNonSpace();
    switch (token.typ) {
      case ItemType.Identifier:
        if (!BUILTIN_NAMES.has(token.val)) this.#errorf(`function ${quote(token.val)} not defined`);
        return { type: 'identifier', pos: token.pos, ident: token.val };
      case ItemType.Dot:
        return { type: 'dot', pos: token.pos };
      case ItemType.Nil:
        return { type: 'nil', pos: token.pos };
      case ItemType.Variable:
        return this.#useVar(token.pos, token.val);
      case ItemType.Field:
        return { type: 'field', pos: token.pos, ident: token.val.slice(1).split('.') };
      case ItemType.Bool:
        return { type: 'bool', pos: token.pos, value: token.val === 'true' };
      case ItemType.CharConstant:
      case ItemType.Complex:
      case ItemType.Number: {
        const kind =
          token.typ === ItemType.CharConstant ? 'char' : token.typ === ItemType.Complex ? 'complex' : 'number';
        const info = newNumber(token.val, kind);
        if (typeof info === 'string') this.#errorf(info);
        return { type: 'number', pos: token.pos, text: token.val, info };
      }
      case ItemType.LeftParen: {
        this.#enter('expression');
        const pipe = this.#pipeline('parenthesized pipeline', ItemType.RightParen);
        this.#depth--;
        return pipe;
      }
      case ItemType.String:
      case ItemType.RawString: {
        const s = unquote(token.val);
        if (s === null) this.#errorf('invalid syntax');
        return { type: 'string', pos: token.pos, quoted: token.val, text: s };
      }
    }
    this.#backup();
    return null;
  }

  #useVar(pos: number, name: string): VariableNode {
    const v = newVariable(pos, name);
    if (!this.#vars.includes(v.ident[0])) this.#errorf(`undefined variable ${quote(v.ident[0])}`);
    return v;
  }
}

function newVariable(pos: number, ident: string): VariableNode {
  return { type: 'variable', pos, ident: ident.split('.') };
}

/**
 * A parsed text: the body that runs, its templates by name (byte strings, {@link TOP_TEMPLATE}
 * among them) and its size in tokens (which bounds its work per data key).
 */
export interface ParsedTemplate {
  readonly root: ListNode;
  readonly templates: ReadonlyMap<string, ListNode>;
  readonly size: number;
}

/**
 * Parses a text (a UTF-8 byte string) into its templates, or throws a `TemplateError` with
 * phase `parse` carrying Go's message for the first error.
 */
export function parse(text: string): ParsedTemplate {
  const lex = new Lexer(text);
  const templates = new Map<string, ListNode>();
  const root = new Parser(lex, templates, 0).parse();
  return { root, templates, size: lex.itemCount };
}
