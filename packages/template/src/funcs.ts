/**
 * The builtin functions, with Go's signatures and Go's error texts (Go 1.19
 * `text/template/funcs.go`). There is no way to add functions: a render has only these.
 *
 * Each builtin declares its parameter types the way Go's reflection sees them, because the
 * evaluator converts and checks arguments by those types: `value` is Go's `reflect.Value`
 * (anything, nil allowed), `any` is `interface{}` (nil allowed, printed as `<nil>`), `string`
 * must be a string.
 */
import { htmlEscape, jsEscape, urlQueryEscape } from './escape.js';
import { sprint, sprintf, sprintln } from './printf.js';
import { GoComplex, GoMap, GoUint8, isTrue, typeName, type Value } from './values.js';

/** A parameter type as Go's reflection sees it. */
export type ParamType = 'value' | 'any' | 'string';

/** A builtin: its fixed parameters, the type of its variadic tail (if any), and its body. */
export interface Builtin {
  readonly params: readonly ParamType[];
  readonly variadic: ParamType | null;
  readonly call: (args: readonly Value[]) => Value;
}

/** An error a builtin returns; the evaluator reports it as `error calling NAME: MESSAGE`. */
export class FuncError extends Error {}

/** Go's type name for a parameter type, as in "cannot assign nil to string". */
export function paramTypeName(t: ParamType): string {
  return t === 'value' ? 'reflect.Value' : t === 'any' ? 'interface {}' : 'string';
}

/** Go's `indexArg`: an int (or byte) index in `[0, cap]`. */
function indexArg(index: Value, cap: number): number {
  let x: bigint;
  if (typeof index === 'bigint') x = index;
  else if (index instanceof GoUint8) x = BigInt(index.v);
  else if (index === undefined) throw new FuncError('cannot index slice/array with nil');
  else throw new FuncError(`cannot index slice/array with type ${typeName(index)}`);
  if (x < 0n || x > BigInt(cap)) throw new FuncError(`index out of range: ${x}`);
  return Number(x);
}

function index(args: readonly Value[]): Value {
  let item = args[0];
  if (item === undefined) throw new FuncError('index of untyped nil');
  for (const ix of args.slice(1)) {
    if (typeof item === 'string') {
      const x = indexArg(ix, item.length);
      // indexArg allows x == len (it is shared with slice); reflect then panics.
      if (x === item.length) throw new FuncError('reflect: string index out of range');
      item = new GoUint8(item.charCodeAt(x));
    } else if (item instanceof GoMap) {
      if (ix === undefined) throw new FuncError('value is nil; should be of type string');
      if (typeof ix !== 'string') throw new FuncError(`value has type ${typeName(ix)}; should be string`);
      // A missing key gives the zero value of the element type.
      item = item.entries.get(ix) ?? '';
    } else throw new FuncError(`can't index item of type ${typeName(item)}`);
  }
  return item;
}

function slice(args: readonly Value[]): Value {
  const item = args[0];
  const indexes = args.slice(1);
  if (item === undefined) throw new FuncError('slice of untyped nil');
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  if (typeof item !== 'string') throw new FuncError(`can't slice item of type ${typeName(item)}`);
  if (indexes.length === 3) throw new FuncError('cannot 3-index slice a string');
  const idx = [0, item.length];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(ix, item.length);
  });
  if (idx[0] > idx[1]) throw new FuncError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  return item.slice(idx[0], idx[1]);
}

function length(args: readonly Value[]): Value {
  const item = args[0];
  if (typeof item === 'string') return BigInt(item.length);
  if (item instanceof GoMap) return BigInt(item.entries.size);
  // Go asks the type of a missing value, which panics with this message.
  if (item === undefined) throw new FuncError('reflect: call of reflect.Value.Type on zero Value');
  throw new FuncError(`len of type ${typeName(item)}`);
}

function call(args: readonly Value[]): Value {
  const fn = args[0];
  // No value a template can reach here is a function.
  if (fn === undefined) throw new FuncError('call of nil');
  throw new FuncError(`non-function of type ${typeName(fn)}`);
}

/** Go's `evalArgs` for the escapers: one string as is, anything else through `fmt.Sprint`. */
function evalArgs(args: readonly Value[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined ? '<no value>' : a)));
}

enum Kind {
  Invalid,
  Bool,
  Complex,
  Int,
  Float,
  String,
  Uint,
}

function basicKind(v: Value): Kind {
  switch (typeof v) {
    case 'boolean':
      return Kind.Bool;
    case 'bigint':
      return Kind.Int;
    case 'number':
      return Kind.Float;
    case 'string':
      return Kind.String;
  }
  if (v instanceof GoUint8) return Kind.Uint;
  if (v instanceof GoComplex) return Kind.Complex;
  return Kind.Invalid;
}

const errBadComparisonType = 'invalid type for comparison';
const errBadComparison = 'incompatible types for comparison';

function asBig(v: Value): bigint {
  return typeof v === 'bigint' ? v : BigInt((v as GoUint8).v);
}

function eqValues(arg1: Value, rest: readonly Value[]): boolean {
  if (rest.length === 0) throw new FuncError('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of rest) {
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if ((k1 === Kind.Int && k2 === Kind.Uint) || (k1 === Kind.Uint && k2 === Kind.Int)) {
        truth = asBig(arg1) >= 0n && asBig(arg) >= 0n && asBig(arg1) === asBig(arg);
      } else if (arg1 !== undefined && arg !== undefined) throw new FuncError(errBadComparison);
    } else {
      switch (k1) {
        case Kind.Complex: {
          const a = arg1 as GoComplex;
          const b = arg as GoComplex;
          truth = a.re === b.re && a.im === b.im;
          break;
        }
        case Kind.Int:
        case Kind.Uint:
          truth = asBig(arg1) === asBig(arg);
          break;
        case Kind.Bool:
        case Kind.Float:
        case Kind.String:
          truth = arg1 === arg;
          break;
        default:
          // Maps and missing values: nil equals nil, a map is never equal to nil, and maps
          // cannot be compared at all.
          if (arg1 === undefined || arg === undefined) truth = arg1 === arg;
          else throw new FuncError(`non-comparable type ${sprintf('%s', [arg])}: ${typeName(arg)}`);
      }
    }
    if (truth) return true;
  }
  return false;
}

function ltValues(arg1: Value, arg2: Value): boolean {
  const k1 = basicKind(arg1);
  if (k1 === Kind.Invalid) throw new FuncError(errBadComparisonType);
  const k2 = basicKind(arg2);
  if (k2 === Kind.Invalid) throw new FuncError(errBadComparisonType);
  if (k1 !== k2) {
    if (k1 === Kind.Int && k2 === Kind.Uint) return asBig(arg1) < 0n || asBig(arg1) < asBig(arg2);
    if (k1 === Kind.Uint && k2 === Kind.Int) return asBig(arg2) >= 0n && asBig(arg1) < asBig(arg2);
    throw new FuncError(errBadComparison);
  }
  switch (k1) {
    case Kind.Bool:
    case Kind.Complex:
      throw new FuncError(errBadComparisonType);
    case Kind.Int:
    case Kind.Uint:
      return asBig(arg1) < asBig(arg2);
    default:
      // Strings compare by byte, which is Go's order; floats numerically.
      return (arg1 as string | number) < (arg2 as string | number);
  }
}

function leValues(a: Value, b: Value): boolean {
  return ltValues(a, b) || eqValues(a, [b]);
}

const V: ParamType = 'value';
const ANY: ParamType = 'any';

/** The builtins by name. `and` and `or` are evaluated lazily by the evaluator itself. */
export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['and', { params: [V], variadic: V, call: () => undefined }],
  ['or', { params: [V], variadic: V, call: () => undefined }],
  ['call', { params: [V], variadic: V, call }],
  ['html', { params: [], variadic: ANY, call: (a) => htmlEscape(evalArgs(a)) }],
  ['index', { params: [V], variadic: V, call: index }],
  ['slice', { params: [V], variadic: V, call: slice }],
  ['js', { params: [], variadic: ANY, call: (a) => jsEscape(evalArgs(a)) }],
  ['len', { params: [V], variadic: null, call: length }],
  ['not', { params: [V], variadic: null, call: (a) => !isTrue(a[0]) }],
  ['print', { params: [], variadic: ANY, call: (a) => sprint(a) }],
  ['printf', { params: ['string'], variadic: ANY, call: (a) => sprintf(a[0] as string, a.slice(1)) }],
  ['println', { params: [], variadic: ANY, call: (a) => sprintln(a) }],
  ['urlquery', { params: [], variadic: ANY, call: (a) => urlQueryEscape(evalArgs(a)) }],
  ['eq', { params: [V], variadic: V, call: (a) => eqValues(a[0], a.slice(1)) }],
  ['ge', { params: [V, V], variadic: null, call: (a) => !ltValues(a[0], a[1]) }],
  ['gt', { params: [V, V], variadic: null, call: (a) => !leValues(a[0], a[1]) }],
  ['le', { params: [V, V], variadic: null, call: (a) => leValues(a[0], a[1]) }],
  ['lt', { params: [V, V], variadic: null, call: (a) => ltValues(a[0], a[1]) }],
  ['ne', { params: [V, V], variadic: null, call: (a) => !eqValues(a[0], [a[1]]) }],
]);

/** The names the parser accepts as functions. */
export const BUILTIN_NAMES: ReadonlySet<string> = new Set(BUILTINS.keys());
