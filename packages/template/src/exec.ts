/**
 * The evaluator: a port of Go's `text/template/exec.go` for data of type `map[string]string`.
 * It walks the tree, evaluates pipelines with Go's argument rules, and tracks the node being
 * evaluated exactly as Go does so that errors name the same context (`at <.a.b>`).
 *
 * Go walks the tree recursively and lets `{{template}}` recurse 100 000 deep on a stack that
 * grows; a JavaScript stack is small and fixed. So the walk here keeps its own stack of frames
 * in an array (a list being walked, a template's body, a `range` between iterations), and only
 * expressions recurse, as deep as the parser allows. The file stays whole (over 500 lines)
 * because the walk and the evaluator share one state: the variables, the current node and the
 * budgets.
 */
import { TemplateError } from './error.js';
import { BUILTINS, type Builtin, FuncError, type ParamType, paramTypeName } from './funcs.js';
import {
  type ActionNode,
  type Arg,
  type ChainNode,
  type CommandNode,
  type FieldNode,
  type IdentifierNode,
  type ListItem,
  type ListNode,
  type Node,
  type NumberNode,
  nodeString,
  type PipeNode,
  type RangeNode,
  type TemplateNode,
  type VariableNode,
} from './nodes.js';
import { type ParsedTemplate, TOP_TEMPLATE } from './parse.js';
import { sprint } from './printf.js';
import { quote } from './quote.js';
import { fromByteString } from './utf8.js';
import { GoComplex, GoMap, isTrue, typeName, type Value } from './values.js';

/**
 * Limits Go does not have, so that no template can run away. Only `range` over the data and
 * `{{template}}` repeat anything, so a template without nested ranges or templates that call
 * each other does at most about (keys × template size) steps: the step budget allows 64 times
 * that (and at least ten million), so such templates always run exactly as in Go, while nested
 * ranges over a large group (keys^depth steps) stop with an error instead of running for hours.
 * Output is capped likewise.
 */
const MIN_STEP_BUDGET = 10_000_000;
/** Steps allowed per (data key + 1) per template token, above {@link MIN_STEP_BUDGET}. */
const STEPS_PER_KEY_AND_TOKEN = 64;
/** The most output a render may produce, in bytes of UTF-8 (64 MiB). */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
/**
 * How deeply `{{template}}` calls may nest: Go's own `maxExecDepth` (outside WebAssembly), so a
 * template that calls itself without end fails with Go's message. The walk keeps its frames in
 * an array, so this depth costs memory (about 200 bytes a call), not stack.
 */
const MAX_TEMPLATE_DEPTH = 100_000;
/**
 * How many frames the walk may hold at once: template calls and the `if`/`with`/`range` bodies
 * under way inside them. Go has no such limit, but its stack overflows (a fatal error that ends
 * the process) when an endless recursion passes through about ten nested bodies per call. This
 * bounds the memory of the walk (measured on Node 20: 60 to 80 MB at the cap, collector's slack
 * included), while an endless recursion through up to three nested bodies per call still
 * reaches {@link MAX_TEMPLATE_DEPTH} first and fails with Go's own message.
 */
const MAX_EXEC_DEPTH = 500_000;

/** Marks "no value was piped in" (Go's `missingVal`), distinct from a nil value. */
const MISSING: unique symbol = Symbol('missing');
type Final = Value | typeof MISSING;

interface Variable {
  readonly name: string;
  value: Value;
}

/**
 * A list being walked, one node after another, with its dot, and what its end undoes: nothing
 * (`body`: the text, or one iteration of a range, whose frame below does the rest), or the
 * variables declared in an `if` or `with` (`scope`) or in a range that had nothing to iterate
 * (`range-else`, which also stops a `{{break}}`). One object per level keeps deep recursion
 * cheap.
 */
interface ListFrame {
  readonly kind: 'body' | 'scope' | 'range-else';
  readonly dot: Value;
  readonly nodes: readonly ListItem[];
  next: number;
  /** How many variables to keep when the list ends (`scope` and `range-else`). */
  readonly mark: number;
}

/** The body of a called template, and what to give back to the caller when it ends. */
interface CallFrame {
  readonly kind: 'call';
  readonly dot: Value;
  readonly nodes: readonly ListItem[];
  next: number;
  readonly vars: Variable[];
  readonly name: string;
  readonly node: Node | null;
}

/** A `range` over the data, between iterations. */
interface RangeFrame {
  readonly kind: 'range';
  readonly node: RangeNode;
  readonly map: GoMap;
  readonly keys: readonly string[];
  next: number;
  /** The variables before the range's own (restored when it ends). */
  readonly outerMark: number;
  /** The variables up to the range's own (restored after each iteration). */
  readonly mark: number;
}

type Frame = ListFrame | CallFrame | RangeFrame;

class State {
  readonly #text: string;
  readonly #templates: ReadonlyMap<string, ListNode>;
  readonly #frames: Frame[] = [];
  /** The template being executed, as Go names it in messages. */
  #name = TOP_TEMPLATE;
  /** How many `{{template}}` calls are under way (Go's `state.depth`). */
  #depth = 0;
  #node: Node | null = null;
  /** The variables of the template being executed: each call starts afresh, as in Go. */
  #vars: Variable[];
  readonly #budget: number;
  #steps = 0;
  #outBytes = 0;
  readonly out: string[] = [];

  constructor(template: ParsedTemplate, text: string, data: GoMap) {
    this.#text = text;
    this.#templates = template.templates;
    this.#vars = [{ name: '$', value: data }];
    this.#budget = Math.max(MIN_STEP_BUDGET, STEPS_PER_KEY_AND_TOKEN * (data.entries.size + 1) * (template.size + 1));
  }

  #step(): void {
    if (++this.#steps > this.#budget) this.#errorf(`exceeded maximum execution steps (${this.#budget})`);
  }

  #write(s: string): void {
    this.#outBytes += s.length;
    if (this.#outBytes > MAX_OUTPUT_BYTES) this.#errorf(`exceeded maximum output size (${MAX_OUTPUT_BYTES} bytes)`);
    this.out.push(s);
  }

  #at(node: Node): void {
    this.#node = node;
  }

  /**
   * Throws an exec error located, as Go does, at the node being evaluated. Go names the
   * template being executed (`executing "name"`); the text itself is the anonymous template of
   * a render, so its messages leave the name out, and those of named templates keep it.
   */
  #errorf(message: string): never {
    let prefix = 'exec: ';
    if (this.#node !== null) {
      const pos = this.#node.pos;
      const before = this.#text.slice(0, pos);
      const lastNewline = before.lastIndexOf('\n');
      const col = lastNewline < 0 ? pos : pos - (lastNewline + 1);
      let line = 1;
      for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) line++;
      const executing = this.#name === TOP_TEMPLATE ? '' : `executing ${quote(this.#name)} `;
      prefix += `line ${line}, col ${col}: ${executing}at <${nodeString(this.#node)}>: `;
    }
    throw new TemplateError('exec', fromByteString(prefix + message));
  }

  #push(name: string, value: Value): void {
    this.#vars.push({ name, value });
  }

  #setVar(name: string, value: Value): void {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      if (this.#vars[i].name === name) {
        this.#vars[i].value = value;
        return;
      }
    }
    this.#errorf(`undefined variable: ${name}`);
  }

  #varValue(name: string): Value {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      if (this.#vars[i].name === name) return this.#vars[i].value;
    }
    return this.#errorf(`undefined variable: ${name}`);
  }

  /** Runs the text: walks frames until none is left. */
  run(root: ListNode, data: GoMap): void {
    this.#enterList(data, root);
    const frames = this.#frames;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      if (frame.kind === 'range') {
        if (frame.next < frame.keys.length) this.#iterate(frame);
        else {
          frames.pop();
          this.#close(frame);
        }
      } else if (frame.next < frame.nodes.length) {
        this.#walk(frame.dot, frame.nodes[frame.next++]);
      } else {
        frames.pop();
        this.#close(frame);
      }
    }
  }

  /** Starts walking a list (Go's `walk` of a `ListNode`) in the frame given. */
  #enter(list: ListNode, frame: ListFrame | CallFrame): void {
    this.#at(list);
    this.#step();
    this.#frames.push(frame);
  }

  /** Starts walking a list whose end undoes what `kind` says. */
  #enterList(dot: Value, list: ListNode, kind: ListFrame['kind'] = 'body', mark = -1): void {
    this.#enter(list, { kind, dot, nodes: list.nodes, next: 0, mark });
  }

  /** What a frame leaves behind when it ends: variables go, a call gives the caller back. */
  #close(frame: Frame): void {
    switch (frame.kind) {
      case 'body':
        return;
      case 'scope':
      case 'range-else':
        this.#vars.length = frame.mark;
        return;
      case 'range':
        this.#vars.length = frame.outerMark;
        return;
      case 'call':
        this.#vars = frame.vars;
        this.#name = frame.name;
        this.#node = frame.node;
        this.#depth--;
        return;
    }
  }

  /** Starts the next iteration of a range: sets its variables and walks its body. */
  #iterate(frame: RangeFrame): void {
    this.#vars.length = frame.mark;
    const key = frame.keys[frame.next++];
    const elem = frame.map.entries.get(key);
    const declared = frame.node.pipe.decl.length;
    // The last variable is the element, the one before it (if any) the key.
    if (declared > 0) this.#vars[frame.mark - 1].value = elem;
    if (declared > 1) this.#vars[frame.mark - 2].value = key;
    this.#enterList(elem, frame.node.list);
  }

  /** Walks one node of a list: prints it, or pushes the frames that walk its parts. */
  #walk(dot: Value, node: ListItem): void {
    this.#at(node);
    this.#step();
    switch (node.type) {
      case 'action': {
        // Variables declared by an action persist until the enclosing {{end}}; a declaration
        // prints nothing.
        const val = this.#evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.#printValue(node, val);
        return;
      }
      case 'break':
      case 'continue':
        this.#unwind(node.type);
        return;
      case 'text':
        this.#write(node.text);
        return;
      case 'range':
        this.#walkRange(dot, node);
        return;
      case 'template':
        this.#walkTemplate(dot, node);
        return;
      case 'if':
      case 'with': {
        const mark = this.#vars.length;
        const val = this.#evalPipeline(dot, node.pipe);
        if (isTrue(val)) this.#enterList(node.type === 'with' ? val : dot, node.list, 'scope', mark);
        else if (node.elseList !== null) this.#enterList(dot, node.elseList, 'scope', mark);
        else {
          this.#vars.length = mark;
        }
        return;
      }
    }
  }

  /**
   * `{{break}}` or `{{continue}}`: ends the frames up to the innermost range, which stops or
   * goes on to its next key. A range's `else` swallows a `{{break}}` raised in it, as Go's does,
   * and lets a `{{continue}}` through to the range around it. The parser accepts both only
   * inside a range of the same template, so no call frame is ever crossed.
   */
  #unwind(signal: 'break' | 'continue'): void {
    const frames = this.#frames;
    for (;;) {
      const frame = frames[frames.length - 1];
      if (frame.kind === 'range') {
        if (signal === 'break') {
          frames.pop();
          this.#close(frame);
        }
        return;
      }
      frames.pop();
      this.#close(frame);
      if (frame.kind === 'range-else' && signal === 'break') return;
    }
  }

  #walkRange(dot: Value, r: RangeNode): void {
    this.#at(r);
    const outerMark = this.#vars.length;
    const val = this.#evalPipeline(dot, r.pipe);
    // Mark the top of the stack before any variables in the body are pushed.
    const mark = this.#vars.length;
    if (val instanceof GoMap && val.entries.size > 0) {
      this.#frames.push({ kind: 'range', node: r, map: val, keys: val.sortedKeys(), next: 0, outerMark, mark });
      return;
    }
    if (!(val instanceof GoMap) && val !== undefined) {
      this.#errorf(`range can't iterate over ${sprint([val])}`);
    }
    // An empty map, or no value at all (like a nil map in Go), runs the else branch.
    if (r.elseList !== null) this.#enterList(dot, r.elseList, 'range-else', outerMark);
    else this.#vars.length = outerMark;
  }

  /**
   * `{{template "name" pipeline}}` (and `{{block}}`): runs the named template with the
   * pipeline's value as its dot and its `$`, and none of the caller's variables.
   */
  #walkTemplate(dot: Value, t: TemplateNode): void {
    this.#at(t);
    const root = this.#templates.get(t.name);
    if (root === undefined) this.#errorf(`template ${quote(t.name)} not defined`);
    if (this.#depth === MAX_TEMPLATE_DEPTH) this.#errorf(`exceeded maximum template depth (${MAX_TEMPLATE_DEPTH})`);
    // Between two calls, the frames grow by at most the nesting of one template (2 per level).
    if (this.#frames.length >= MAX_EXEC_DEPTH) this.#errorf(`exceeded maximum execution depth (${MAX_EXEC_DEPTH})`);
    // Variables declared by the pipeline persist in the caller.
    const callee = t.pipe === null ? undefined : this.#evalPipeline(dot, t.pipe);
    const frame: CallFrame = {
      kind: 'call',
      dot: callee,
      nodes: root.nodes,
      next: 0,
      vars: this.#vars,
      name: this.#name,
      node: this.#node,
    };
    this.#vars = [{ name: '$', value: callee }];
    this.#name = t.name;
    this.#depth++;
    this.#enter(root, frame);
  }

  #evalPipeline(dot: Value, pipe: PipeNode): Value {
    this.#at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.#evalCommand(dot, cmd, value);
    const result = value === MISSING ? undefined : value;
    for (const variable of pipe.decl) {
      if (pipe.isAssign) this.#setVar(variable.ident[0], result);
      else this.#push(variable.ident[0], result);
    }
    return result;
  }

  #rejectArguments(args: readonly Arg[] | null, final: Final): void {
    if ((args !== null && args.length > 1) || final !== MISSING) {
      this.#errorf(`can't give argument to non-function ${args !== null ? nodeString(args[0]) : ''}`);
    }
  }

  #evalCommand(dot: Value, cmd: CommandNode, final: Final): Value {
    this.#step();
    const first = cmd.args[0];
    switch (first.type) {
      case 'field':
        return this.#evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.#evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.#evalBuiltin(dot, first, cmd, cmd.args, final);
      case 'pipe':
        // A parenthesised pipeline takes no arguments.
        this.#rejectArguments(cmd.args, final);
        return this.#evalPipeline(dot, first);
      case 'variable':
        return this.#evalVariableNode(first, cmd.args, final);
    }
    this.#at(first);
    this.#rejectArguments(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.#errorf('nil is not a command');
      case 'number':
        return this.#idealConstant(first);
      case 'string':
        return first.text;
    }
  }

  /**
   * A number in a context without a type: as in Go, its syntax decides. Floats need a `.`,
   * an exponent or `p`; everything else that fits is an `int`.
   */
  #idealConstant(constant: NumberNode): Value {
    this.#at(constant);
    const n = constant.info;
    const text = constant.text;
    if (n.isComplex) return new GoComplex(n.complexRe, n.complexIm);
    const isHexInt = text.length > 2 && text[0] === '0' && (text[1] === 'x' || text[1] === 'X') && !/[pP]/.test(text);
    const isRuneInt = text[0] === "'";
    if (n.isFloat && !isHexInt && !isRuneInt && /[.eEpP]/.test(text)) return n.float64;
    if (n.isInt) return n.int64;
    if (n.isUint) this.#errorf(`${text} overflows int`);
    return undefined;
  }

  #evalFieldNode(dot: Value, field: FieldNode, args: readonly Arg[] | null, final: Final): Value {
    this.#at(field);
    return this.#evalFieldChain(dot, field.ident, args, final);
  }

  #evalChainNode(dot: Value, chain: ChainNode, args: readonly Arg[] | null, final: Final): Value {
    this.#at(chain);
    // (pipe).Field1.Field2: evaluate the pipeline, then the fields.
    const pipe = this.#evalArg(dot, null, chain.node);
    return this.#evalFieldChain(pipe, chain.field, args, final);
  }

  #evalVariableNode(variable: VariableNode, args: readonly Arg[] | null, final: Final): Value {
    this.#at(variable);
    const value = this.#varValue(variable.ident[0]);
    if (variable.ident.length === 1) {
      this.#rejectArguments(args, final);
      return value;
    }
    return this.#evalFieldChain(value, variable.ident.slice(1), args, final);
  }

  /** `.X.Y.Z`: walks the chain from `receiver`; only the last field may receive arguments. */
  #evalFieldChain(receiver: Value, ident: readonly string[], args: readonly Arg[] | null, final: Final): Value {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.#evalField(ident[i], null, MISSING, receiver);
    return this.#evalField(ident[n - 1], args, final, receiver);
  }

  #evalField(fieldName: string, args: readonly Arg[] | null, final: Final, receiver: Value): Value {
    // A field of nothing is nothing (Go's default "missingkey" option).
    if (receiver === undefined) return undefined;
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (receiver instanceof GoMap) {
      if (hasArgs) this.#errorf(`${fieldName} is not a method but has arguments`);
      return receiver.entries.get(fieldName);
    }
    return this.#errorf(`can't evaluate field ${fieldName} in type ${typeName(receiver)}`);
  }

  #evalBuiltin(dot: Value, node: IdentifierNode, cmd: Node, args: readonly Arg[] | null, final: Final): Value {
    this.#at(node);
    const name = node.ident;
    const fn = BUILTINS.get(name);
    if (fn === undefined) return this.#errorf(`"${name}" is not a defined function`);
    return this.#evalCall(dot, fn, cmd, name, args, final);
  }

  #evalCall(dot: Value, fn: Builtin, node: Node, name: string, allArgs: readonly Arg[] | null, final: Final): Value {
    // The zeroth arg is the function's own name.
    const args = allArgs === null ? [] : allArgs.slice(1);
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    const numParams = fn.params.length + (fn.variadic !== null ? 1 : 0);
    let numFixed = args.length;
    if (fn.variadic !== null) {
      numFixed = fn.params.length;
      if (numIn < numFixed) {
        this.#errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${args.length}`);
      }
    } else if (numIn !== numParams) {
      this.#errorf(`wrong number of args for ${name}: want ${numParams} got ${numIn}`);
    }

    // and/or evaluate their arguments lazily and return the deciding operand itself.
    if (name === 'and' || name === 'or') {
      let v: Value;
      for (const arg of args) {
        v = this.#evalArg(dot, 'value', arg);
        if (isTrue(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = this.#validateType(final, 'value');
      return v;
    }

    const argv: Value[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv.push(this.#evalArg(dot, fn.params[i], args[i]));
    if (fn.variadic !== null) {
      for (; i < args.length; i++) argv.push(this.#evalArg(dot, fn.variadic, args[i]));
    }
    if (final !== MISSING) {
      let t: ParamType;
      if (fn.variadic === null) t = fn.params[fn.params.length - 1];
      else t = numIn - 1 < numFixed ? fn.params[numIn - 1] : fn.variadic;
      argv.push(this.#validateType(final, t));
    }
    try {
      return fn.call(argv);
    } catch (error) {
      if (!(error instanceof FuncError)) throw error;
      this.#at(node);
      return this.#errorf(`error calling ${name}: ${error.message}`);
    }
  }

  /** Go's `validateType`: nil becomes the zero value where allowed; strings must be strings. */
  #validateType(value: Value, typ: ParamType | null): Value {
    if (value === undefined) {
      if (typ === null || typ !== 'string') return undefined;
      return this.#errorf(`invalid value; expected ${paramTypeName(typ)}`);
    }
    if (typ === 'string' && typeof value !== 'string') {
      this.#errorf(`wrong type for value; expected string; got ${typeName(value)}`);
    }
    return value;
  }

  #evalArg(dot: Value, typ: ParamType | null, n: Arg): Value {
    this.#at(n);
    switch (n.type) {
      case 'dot':
        return this.#validateType(dot, typ);
      case 'nil':
        if (typ === null || typ !== 'string') return undefined;
        return this.#errorf(`cannot assign nil to ${paramTypeName(typ)}`);
      case 'field':
        return this.#validateType(this.#evalFieldNode(dot, n, [n], MISSING), typ);
      case 'variable':
        return this.#validateType(this.#evalVariableNode(n, null, MISSING), typ);
      case 'pipe':
        return this.#validateType(this.#evalPipeline(dot, n), typ);
      case 'identifier':
        return this.#validateType(this.#evalBuiltin(dot, n, n, null, MISSING), typ);
      case 'chain':
        return this.#validateType(this.#evalChainNode(dot, n, null, MISSING), typ);
    }
    if (typ === 'string') {
      this.#at(n);
      if (n.type === 'string') return n.text;
      return this.#errorf(`expected string; found ${nodeString(n)}`);
    }
    // An interface{} or reflect.Value parameter takes the literal as it is.
    this.#at(n);
    switch (n.type) {
      case 'bool':
        return n.value;
      case 'number':
        return this.#idealConstant(n);
      case 'string':
        return n.text;
    }
  }

  #printValue(n: ActionNode, v: Value): void {
    this.#at(n);
    this.#write(v === undefined ? '<no value>' : sprint([v]));
  }
}

/**
 * Executes a parsed text (its {@link TOP_TEMPLATE}) against the data and returns the output as
 * a byte string, or throws a `TemplateError` with phase `exec`.
 */
export function execute(template: ParsedTemplate, text: string, data: GoMap): string {
  const state = new State(template, text, data);
  state.run(template.root, data);
  return state.out.join('');
}
