import type { DiagnosticArgs, DiagnosticDefinition } from '../../diagnostics/diagnostic.js';
import type { TypedExpr } from '../../expressions/typed-expr.js';
import { isNumeric, type SqlType } from '../../types/sql-type.js';

/**
 * A built-in function or operator: its type rule and its runtime semantics side by side. The compiler calls
 * `check` while typing an expression; the runtime's code generator (runtime/expressions/compile-expr.ts) calls
 * `runtime.emit` once per compiled expression to inline the function as JS source.
 */
export interface Builtin {
  /** The name stored as `fn` in a TypedExpr call: upper-case for functions, the symbol for operators. */
  readonly name: string;
  /** How the function is called, for messages: `SUBSTRING(s STRING, start INT[, length INT]) → STRING`. */
  readonly signature: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** The result type for typed arguments, or undefined after reporting through `ctx`. Absent for CAST, whose type is the target written. */
  readonly check?: (args: readonly TypedExpr[], ctx: TypeCheckContext) => TypeResult | undefined;
  readonly runtime: Runtime;
}

export type CallExpr = Extract<TypedExpr, { op: 'call' }>;

export interface TypeResult {
  readonly type: SqlType;
  readonly nullable: boolean;
}

/** How a type rule reports; the compiler decides where each report points (the argument, the operator token). */
export interface TypeCheckContext {
  /** Argument `index` has a type the function does not accept; `expected` says what it accepts ("STRING", "a number"). */
  badArgument(index: number, expected: string): undefined;
  /** Reports a catalogue entry at argument `index`. */
  report(definition: DiagnosticDefinition, index: number, args?: DiagnosticArgs): undefined;
}

/**
 * What a function's `emit` may use to produce JS source. Values are JS expressions that are cheap and free of
 * side effects to repeat (a local, a literal, `row[3]`).
 */
export interface CodeGen {
  /** Generates `expr` into the current block and returns its value. */
  value(expr: TypedExpr): string;
  /** Generates `expr` into a block of its own, for arguments evaluated on some paths only (CASE branches, AND's right side). */
  branch(expr: TypedExpr): { readonly code: string; readonly value: string };
  /** Appends a statement to the current block. */
  statement(code: string): void;
  /** A fresh local variable name. */
  local(): string;
  /** Binds a value shared by every evaluation (a RegExp, a Set, a helper function) and returns its name. */
  constant(value: unknown): string;
  /** A function throwing the runtime error "`message` in <the expression>", followed by the detail value when given. */
  failure(message: string): (detail?: unknown) => never;
}

/**
 * `propagate`: any NULL argument gives NULL, checked inline by the code generator, and `emit` returns a JS
 * expression over non-null argument values. `custom`: `emit` handles NULLs and evaluation order itself (AND,
 * CASE, COALESCE, IS NULL…) and returns the result's value.
 */
export type Runtime =
  | { readonly nulls: 'propagate'; readonly emit: (args: readonly string[], call: CallExpr, g: CodeGen) => string }
  | { readonly nulls: 'custom'; readonly emit: (call: CallExpr, g: CodeGen) => string };

/** The argument kinds of fixed signatures. An untyped NULL is accepted everywhere. */
export type ParamKind = 'STRING' | 'BOOLEAN' | 'NUMERIC' | 'INTEGER' | 'TIMESTAMP' | 'ANY';

const PARAM_DESCRIPTIONS: Readonly<Record<ParamKind, string>> = {
  STRING: 'STRING',
  BOOLEAN: 'BOOLEAN',
  NUMERIC: 'a number (INT, BIGINT, DECIMAL or DOUBLE)',
  INTEGER: 'INT or BIGINT',
  TIMESTAMP: 'TIMESTAMP(3)',
  ANY: 'a value',
};

export function accepts(kind: ParamKind, type: SqlType): boolean {
  if (type.name === 'NULL' || kind === 'ANY') return true;
  switch (kind) {
    case 'NUMERIC':
      return isNumeric(type);
    case 'INTEGER':
      return type.name === 'INT' || type.name === 'BIGINT';
    case 'TIMESTAMP':
      return type.name === 'TIMESTAMP';
    default:
      return type.name === kind;
  }
}

export function describeParam(kind: ParamKind): string {
  return PARAM_DESCRIPTIONS[kind];
}

/** Checks each argument against its kind (the last kind repeats for variadic functions); false after reporting. */
export function checkParams(args: readonly TypedExpr[], params: readonly ParamKind[], ctx: TypeCheckContext): boolean {
  let ok = true;
  args.forEach((arg, i) => {
    const kind = params[Math.min(i, params.length - 1)]!;
    if (!accepts(kind, arg.type)) {
      ctx.badArgument(i, describeParam(kind));
      ok = false;
    }
  });
  return ok;
}

export function anyNullable(args: readonly TypedExpr[]): boolean {
  return args.some((a) => a.nullable);
}

export interface SimpleFunction {
  readonly name: string;
  readonly signature: string;
  /** One kind per parameter; parameters from `required` on are optional. */
  readonly params: readonly ParamKind[];
  readonly required?: number;
  /** The last parameter repeats. */
  readonly variadic?: boolean;
  readonly returns: SqlType | ((args: readonly TypedExpr[]) => SqlType);
  /** The result can be NULL for non-NULL arguments (SPLIT_INDEX past the end, TO_TIMESTAMP of bad text). */
  readonly mayReturnNull?: boolean | ((args: readonly TypedExpr[]) => boolean);
  /** A further check after the kinds, e.g. that a literal regex compiles. */
  readonly validate?: (args: readonly TypedExpr[], ctx: TypeCheckContext) => boolean;
  readonly emit: (args: readonly string[], call: CallExpr, g: CodeGen) => string;
}

/** A function with a fixed signature whose NULL arguments give NULL: most string, math and time functions. */
export function simpleFunction(spec: SimpleFunction): Builtin {
  const required = spec.required ?? spec.params.length;
  return {
    name: spec.name,
    signature: spec.signature,
    minArgs: required,
    maxArgs: spec.variadic === true ? Infinity : spec.params.length,
    check: (args, ctx) => {
      if (!checkParams(args, spec.params, ctx)) return undefined;
      if (spec.validate !== undefined && !spec.validate(args, ctx)) return undefined;
      const type = typeof spec.returns === 'function' ? spec.returns(args) : spec.returns;
      const mayReturnNull = typeof spec.mayReturnNull === 'function' ? spec.mayReturnNull(args) : spec.mayReturnNull === true;
      return { type, nullable: mayReturnNull || anyNullable(args) };
    },
    runtime: { nulls: 'propagate', emit: spec.emit },
  };
}

/** The literal value of an argument, or undefined when the argument is not a literal. */
export function literalValue(arg: TypedExpr | undefined): null | boolean | number | string | undefined {
  return arg?.op === 'literal' ? arg.value : undefined;
}

/** A JS call of helper `fn` bound as a constant: `k3(a, b)`. */
export function callHelper(g: CodeGen, fn: (...args: never[]) => unknown, args: readonly string[]): string {
  return `${g.constant(fn)}(${args.join(', ')})`;
}
