/**
 * The evaluator: a port of Go's `text/template/exec.go` for data of type `map[string]string`.
 * It walks the tree, evaluates pipelines with Go's argument rules, and tracks the node being
 * evaluated exactly as Go does so that errors name the same context (`at <.a.b>`).
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
  type VariableNode,
} from './nodes.js';
import type { ParsedTemplate } from './parse.js';
import { sprint } from './printf.js';
import { quote } from './quote.js';
import { fromByteString } from './utf8.js';
import { GoComplex, GoMap, isTrue, typeName, type Value } from './values.js';

/**
 * Limits Go does not have, so that no template can run away. Only `range` over the data
 * iterates, so a template without nested ranges does at most about (keys × template size)
 * steps: the step budget allows 64 times that (and at least ten million), so such templates
 * always run exactly as in Go, while nested ranges over a large group (keys^depth steps) stop
 * with an error instead of running for hours. Output is capped likewise.
 */
export const MIN_STEP_BUDGET = 10_000_000;
/** Steps allowed per (data key + 1) per template token, above {@link MIN_STEP_BUDGET}. */
export const STEPS_PER_KEY_AND_TOKEN = 64;
/** The most output a render may produce, in bytes of UTF-8 (64 MiB). */
export const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Marks "no value was piped in" (Go's `missingVal`), distinct from a nil value. */
const MISSING: unique symbol = Symbol('missing');
type Final = Value | typeof MISSING;

/** What a walked node asks of the enclosing `range`. */
enum Signal {
  None,
  Break,
  Continue,
}

interface Variable {
  readonly name: string;
  value: Value;
}

class State {
  private readonly text: string;
  private node: Node | null = null;
  private readonly vars: Variable[];
  private readonly budget: number;
  private steps = 0;
  private outBytes = 0;
  readonly out: string[] = [];

  constructor(text: string, data: GoMap, size: number) {
    this.text = text;
    this.vars = [{ name: '$', value: data }];
    this.budget = Math.max(MIN_STEP_BUDGET, STEPS_PER_KEY_AND_TOKEN * (data.entries.size + 1) * (size + 1));
  }

  private step(): void {
    if (++this.steps > this.budget) this.errorf(`exceeded maximum execution steps (${this.budget})`);
  }

  private write(s: string): void {
    this.outBytes += s.length;
    if (this.outBytes > MAX_OUTPUT_BYTES) this.errorf(`exceeded maximum output size (${MAX_OUTPUT_BYTES} bytes)`);
    this.out.push(s);
  }

  private at(node: Node): void {
    this.node = node;
  }

  /** Throws an exec error located, as Go does, at the node being evaluated. */
  private errorf(message: string): never {
    let prefix = 'exec: ';
    if (this.node !== null) {
      const pos = this.node.pos;
      const before = this.text.slice(0, pos);
      const lastNewline = before.lastIndexOf('\n');
      const col = lastNewline < 0 ? pos : pos - (lastNewline + 1);
      let line = 1;
      for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) line++;
      prefix += `line ${line}, col ${col}: at <${fromByteString(nodeString(this.node))}>: `;
    }
    throw new TemplateError('exec', prefix + fromByteString(message));
  }

  private push(name: string, value: Value): void {
    this.vars.push({ name, value });
  }

  private setVar(name: string, value: Value): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private varValue(name: string): Value {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) return this.vars[i].value;
    }
    return this.errorf(`undefined variable: ${name}`);
  }

  walk(dot: Value, node: ListNode | ListItem): Signal {
    this.at(node);
    this.step();
    switch (node.type) {
      case 'action': {
        // Variables declared by an action persist until the enclosing {{end}}; a declaration
        // prints nothing.
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return Signal.None;
      }
      case 'break':
        return Signal.Break;
      case 'continue':
        return Signal.Continue;
      case 'list':
        for (const n of node.nodes) {
          const signal = this.walk(dot, n);
          if (signal !== Signal.None) return signal;
        }
        return Signal.None;
      case 'text':
        this.write(node.text);
        return Signal.None;
      case 'range':
        return this.walkRange(dot, node);
      case 'template':
        // No template can be defined in a render, so every invocation names a missing one.
        return this.errorf(`template ${quote(node.name)} not defined`);
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const val = this.evalPipeline(dot, node.pipe);
        let signal = Signal.None;
        if (isTrue(val)) signal = this.walk(node.type === 'with' ? val : dot, node.list);
        else if (node.elseList !== null) signal = this.walk(dot, node.elseList);
        this.vars.length = mark;
        return signal;
      }
    }
  }

  private walkRange(dot: Value, r: RangeNode): Signal {
    this.at(r);
    const outerMark = this.vars.length;
    const val = this.evalPipeline(dot, r.pipe);
    // Mark the top of the stack before any variables in the body are pushed.
    const mark = this.vars.length;
    const declared = r.pipe.decl.length;
    if (val instanceof GoMap && val.entries.size > 0) {
      for (const key of val.sortedKeys()) {
        const elem = val.entries.get(key);
        if (declared > 0) this.vars[this.vars.length - 1].value = elem;
        if (declared > 1) this.vars[this.vars.length - 2].value = key;
        const signal = this.walk(elem, r.list);
        this.vars.length = mark;
        if (signal === Signal.Break) break;
      }
      this.vars.length = outerMark;
      return Signal.None;
    }
    if (!(val instanceof GoMap) && val !== undefined) {
      this.errorf(`range can't iterate over ${sprint([val])}`);
    }
    // An empty map, or no value at all (like a nil map in Go), runs the else branch.
    let signal = Signal.None;
    if (r.elseList !== null) signal = this.walk(dot, r.elseList);
    this.vars.length = outerMark;
    // Go's range swallows a {{break}} raised in its own else branch; {{continue}} goes on up.
    return signal === Signal.Break ? Signal.None : signal;
  }

  private evalPipeline(dot: Value, pipe: PipeNode): Value {
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    const result = value === MISSING ? undefined : value;
    for (const variable of pipe.decl) {
      if (pipe.isAssign) this.setVar(variable.ident[0], result);
      else this.push(variable.ident[0], result);
    }
    return result;
  }

  private rejectArguments(args: readonly Arg[] | null, final: Final): void {
    if ((args !== null && args.length > 1) || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${args !== null ? nodeString(args[0]) : ''}`);
    }
  }

  private evalCommand(dot: Value, cmd: CommandNode, final: Final): Value {
    this.step();
    const first = cmd.args[0];
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalBuiltin(dot, first, cmd, cmd.args, final);
      case 'pipe':
        // A parenthesised pipeline takes no arguments.
        this.rejectArguments(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(first, cmd.args, final);
    }
    this.at(first);
    this.rejectArguments(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.errorf('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
  }

  /**
   * A number in a context without a type: as in Go, its syntax decides. Floats need a `.`,
   * an exponent or `p`; everything else that fits is an `int`.
   */
  private idealConstant(constant: NumberNode): Value {
    this.at(constant);
    const n = constant.info;
    const text = constant.text;
    if (n.isComplex) return new GoComplex(n.complexRe, n.complexIm);
    const isHexInt = text.length > 2 && text[0] === '0' && (text[1] === 'x' || text[1] === 'X') && !/[pP]/.test(text);
    const isRuneInt = text[0] === "'";
    if (n.isFloat && !isHexInt && !isRuneInt && /[.eEpP]/.test(text)) return n.float64;
    if (n.isInt) return n.int64;
    if (n.isUint) this.errorf(`${text} overflows int`);
    return undefined;
  }

  private evalFieldNode(dot: Value, field: FieldNode, args: readonly Arg[] | null, final: Final): Value {
    this.at(field);
    return this.evalFieldChain(dot, field.ident, args, final);
  }

  private evalChainNode(dot: Value, chain: ChainNode, args: readonly Arg[] | null, final: Final): Value {
    this.at(chain);
    // (pipe).Field1.Field2: evaluate the pipeline, then the fields.
    const pipe = this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(pipe, chain.field, args, final);
  }

  private evalVariableNode(variable: VariableNode, args: readonly Arg[] | null, final: Final): Value {
    this.at(variable);
    const value = this.varValue(variable.ident[0]);
    if (variable.ident.length === 1) {
      this.rejectArguments(args, final);
      return value;
    }
    return this.evalFieldChain(value, variable.ident.slice(1), args, final);
  }

  /** `.X.Y.Z`: walks the chain from `receiver`; only the last field may receive arguments. */
  private evalFieldChain(receiver: Value, ident: readonly string[], args: readonly Arg[] | null, final: Final): Value {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(ident[i], null, MISSING, receiver);
    return this.evalField(ident[n - 1], args, final, receiver);
  }

  private evalField(fieldName: string, args: readonly Arg[] | null, final: Final, receiver: Value): Value {
    // A field of nothing is nothing (Go's default "missingkey" option).
    if (receiver === undefined) return undefined;
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (receiver instanceof GoMap) {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      return receiver.entries.get(fieldName);
    }
    return this.errorf(`can't evaluate field ${fieldName} in type ${typeName(receiver)}`);
  }

  private evalBuiltin(dot: Value, node: IdentifierNode, cmd: Node, args: readonly Arg[] | null, final: Final): Value {
    this.at(node);
    const name = node.ident;
    const fn = BUILTINS.get(name);
    if (fn === undefined) return this.errorf(`"${name}" is not a defined function`);
    return this.evalCall(dot, fn, cmd, name, args, final);
  }

  private evalCall(
    dot: Value,
    fn: Builtin,
    node: Node,
    name: string,
    allArgs: readonly Arg[] | null,
    final: Final,
  ): Value {
    // The zeroth arg is the function's own name.
    const args = allArgs === null ? [] : allArgs.slice(1);
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    const numParams = fn.params.length + (fn.variadic !== null ? 1 : 0);
    let numFixed = args.length;
    if (fn.variadic !== null) {
      numFixed = fn.params.length;
      if (numIn < numFixed) {
        this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${args.length}`);
      }
    } else if (numIn !== numParams) {
      this.errorf(`wrong number of args for ${name}: want ${numParams} got ${numIn}`);
    }

    // and/or evaluate their arguments lazily and return the deciding operand itself.
    if (name === 'and' || name === 'or') {
      let v: Value;
      for (const arg of args) {
        v = this.evalArg(dot, 'value', arg);
        if (isTrue(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = this.validateType(final, 'value');
      return v;
    }

    const argv: Value[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv.push(this.evalArg(dot, fn.params[i], args[i]));
    if (fn.variadic !== null) {
      for (; i < args.length; i++) argv.push(this.evalArg(dot, fn.variadic, args[i]));
    }
    if (final !== MISSING) {
      let t: ParamType;
      if (fn.variadic === null) t = fn.params[fn.params.length - 1];
      else t = numIn - 1 < numFixed ? fn.params[numIn - 1] : fn.variadic;
      argv.push(this.validateType(final, t));
    }
    try {
      return fn.call(argv);
    } catch (err) {
      if (!(err instanceof FuncError)) throw err;
      this.at(node);
      return this.errorf(`error calling ${name}: ${err.message}`);
    }
  }

  /** Go's `validateType`: nil becomes the zero value where allowed; strings must be strings. */
  private validateType(value: Value, typ: ParamType | null): Value {
    if (value === undefined) {
      if (typ === null || typ !== 'string') return undefined;
      return this.errorf(`invalid value; expected ${paramTypeName(typ)}`);
    }
    if (typ === 'string' && typeof value !== 'string') {
      this.errorf(`wrong type for value; expected string; got ${typeName(value)}`);
    }
    return value;
  }

  private evalArg(dot: Value, typ: ParamType | null, n: Arg): Value {
    this.at(n);
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, typ);
      case 'nil':
        if (typ === null || typ !== 'string') return undefined;
        return this.errorf(`cannot assign nil to ${paramTypeName(typ)}`);
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case 'variable':
        return this.validateType(this.evalVariableNode(n, null, MISSING), typ);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), typ);
      case 'identifier':
        return this.validateType(this.evalBuiltin(dot, n, n, null, MISSING), typ);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, null, MISSING), typ);
    }
    if (typ === 'string') {
      this.at(n);
      if (n.type === 'string') return n.text;
      return this.errorf(`expected string; found ${nodeString(n)}`);
    }
    // An interface{} or reflect.Value parameter takes the literal as it is.
    this.at(n);
    switch (n.type) {
      case 'bool':
        return n.value;
      case 'number':
        return this.idealConstant(n);
      case 'string':
        return n.text;
    }
  }

  private printValue(n: ActionNode, v: Value): void {
    this.at(n);
    this.write(v === undefined ? '<no value>' : sprint([v]));
  }
}

/**
 * Executes a parsed template against the data and returns the output as a byte string, or
 * throws a `TemplateError` with phase `exec`.
 */
export function execute(template: ParsedTemplate, text: string, data: GoMap): string {
  const state = new State(text, data, template.size);
  state.walk(data, template.root);
  return state.out.join('');
}
