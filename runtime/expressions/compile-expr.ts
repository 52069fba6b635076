import type { TypedExpr } from '../../compiler/expressions/typed-expr.js';
import { renderExpr } from '../../compiler/exporters/render-expr.js';
import { builtinByFn, type CallExpr, type CodeGen } from '../../compiler/functions/builtins.js';
import type { ScalarUdf } from '../../compiler/functions/registry.js';
import { ExpressionError } from './expression-error.js';

export { ExpressionError } from './expression-error.js';

type ChainExpr = Extract<TypedExpr, { op: 'chain' }>;

/**
 * A scalar UDF's implementation: a plain function (NULL arguments give NULL without calling it), or the
 * registered definition, whose `callOnNull` lets the function see NULLs.
 */
export type UdfImplementation = ((...args: any[]) => unknown) | Pick<ScalarUdf, 'fn' | 'callOnNull'>;

export type UdfImplementations = ReadonlyMap<string, UdfImplementation>;

/**
 * Generates the JS source of one function per expression (or projection): each builtin is inlined by its
 * catalogue entry, NULL checks appear only where a value is nullable, and lazily evaluated parts (CASE branches,
 * the right side of AND/OR, COALESCE's fallbacks) live in nested blocks. Constants such as compiled RegExps and
 * helper functions are bound once, outside the per-row function.
 */
class Generator implements CodeGen {
  private lines: string[] = [];
  private locals = 0;
  private readonly constants: unknown[] = [];
  /** What the calls being generated show in failures, innermost last; rendered only when one fails. */
  private readonly calls: (() => TypedExpr)[] = [];
  /** Values already generated for a chain's fold so far, which its next link takes as its left argument. */
  private readonly folded = new Map<TypedExpr, string>();

  constructor(private readonly udfs: UdfImplementations) {}

  value(expr: TypedExpr): string {
    const folded = this.folded.get(expr);
    if (folded !== undefined) return folded;
    switch (expr.op) {
      case 'literal':
        return literalCode(expr.value);
      case 'column':
        return `row[${expr.index}]`;
      case 'udf':
        return this.udf(expr);
      case 'call':
        return this.call(expr);
      case 'chain':
        return this.chain(expr);
    }
  }

  branch(expr: TypedExpr): { code: string; value: string } {
    const outer = this.lines;
    this.lines = [];
    const value = this.value(expr);
    const code = this.lines.join(' ');
    this.lines = outer;
    return { code, value };
  }

  statement(code: string): void {
    this.lines.push(code);
  }

  local(): string {
    return `v${this.locals++}`;
  }

  constant(value: unknown): string {
    const existing = this.constants.indexOf(value);
    if (existing >= 0) return `k${existing}`;
    this.constants.push(value);
    return `k${this.constants.length - 1}`;
  }

  failure(message: string): (detail?: unknown) => never {
    const shownExpr = this.calls.at(-1)!;
    let expression: string | undefined;
    return (detail) => {
      expression ??= renderExpr(shownExpr());
      const shown = detail === undefined ? '' : `: ${JSON.stringify(detail)}`;
      throw new ExpressionError(`${message} in ${expression}${shown}`, expression);
    };
  }

  private call(expr: CallExpr, shown: () => TypedExpr = () => expr): string {
    const entry = builtinByFn(expr.fn);
    if (entry === undefined) throw new Error(`cannot compile '${expr.fn}': it is not a builtin function (aggregates are computed by their operator)`);
    this.calls.push(shown);
    const out = this.local();
    if (entry.runtime.nulls === 'propagate') {
      const args = expr.args.map((a) => this.value(a));
      const body = entry.runtime.emit(args, expr, this);
      this.statement(`const ${out} = ${nullGuard(expr.args, args)}${body};`);
    } else {
      this.statement(`const ${out} = ${entry.runtime.emit(expr, this)};`);
    }
    this.calls.pop();
    return out;
  }

  /**
   * A chain is generated link by link as the nested calls it folds would be, one statement each: every link is a
   * two-argument call whose left argument is the fold so far, already computed. A failing link shows the fold up
   * to it, as the nested form did.
   */
  private chain(expr: ChainExpr): string {
    let left: TypedExpr = expr.operands[0]!;
    let value = this.value(left);
    expr.links.forEach((link, i) => {
      const call: CallExpr = { op: 'call', fn: link.fn, args: [left, expr.operands[i + 1]!], type: link.type, nullable: link.nullable };
      this.folded.set(left, value);
      value = this.call(call, () => chainPrefix(expr, i + 1));
      this.folded.delete(left);
      left = call;
    });
    return value;
  }

  private udf(expr: Extract<TypedExpr, { op: 'udf' }>): string {
    const implementation = this.udfs.get(expr.name);
    if (implementation === undefined) throw new Error(`scalar function '${expr.name}' is used by the job but was not registered`);
    const fn = typeof implementation === 'function' ? implementation : implementation.fn;
    const callOnNull = typeof implementation !== 'function' && implementation.callOnNull === true;
    const args = expr.args.map((a) => this.value(a));
    const out = this.local();
    // A UDF returning undefined means NULL.
    const invoke = `${this.constant(fn)}(${args.join(', ')}) ?? null`;
    this.statement(`const ${out} = ${callOnNull ? '' : nullGuard(expr.args, args)}${invoke};`);
    return out;
  }

  /** The factory that binds the constants and returns the per-row function whose body returns `result`. */
  build(result: string, name: string): (row: readonly unknown[]) => unknown {
    const bindings = this.constants.map((_, i) => `const k${i} = K[${i}];`).join('\n');
    const source = `"use strict";\n${bindings}\nreturn function ${name}(row) {\n${this.lines.join('\n')}\nreturn ${result};\n};`;
    return new Function('K', source)(this.constants) as (row: readonly unknown[]) => unknown;
  }
}

/** The fold of a chain's first `links` links, for messages. */
function chainPrefix(expr: ChainExpr, links: number): TypedExpr {
  const last = expr.links[links - 1]!;
  return { ...expr, operands: expr.operands.slice(0, links + 1), links: expr.links.slice(0, links), type: last.type, nullable: last.nullable };
}

/** `a == null || b == null ? null : ` for the nullable ones among `args`, or nothing. */
function nullGuard(args: readonly TypedExpr[], values: readonly string[]): string {
  const tests = values.filter((_, i) => args[i]!.nullable).map((v) => `${v} == null`);
  return tests.length === 0 ? '' : `${tests.join(' || ')} ? null : `;
}

function literalCode(value: null | boolean | number | string): string {
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return '(-0)';
    return value < 0 ? `(${value})` : String(value);
  }
  return JSON.stringify(value);
}

function asUdfMap(udfs: UdfImplementations | undefined): UdfImplementations {
  return udfs ?? new Map();
}

/**
 * Compiles a typed expression once into a function of the input row. NULL propagation and three-valued logic
 * are inlined; a runtime failure (integer division by zero, a failing CAST) throws an ExpressionError naming
 * the expression.
 */
export function compileExpr(expr: TypedExpr, udfs?: UdfImplementations): (row: readonly unknown[]) => unknown {
  const g = new Generator(asUdfMap(udfs));
  const result = g.value(expr);
  return g.build(result, 'expression');
}

/** A WHERE / ON condition: true keeps the row; false and NULL drop it. */
export function compilePredicate(expr: TypedExpr, udfs?: UdfImplementations): (row: readonly unknown[]) => boolean {
  const g = new Generator(asUdfMap(udfs));
  const result = g.value(expr);
  return g.build(`${result} === true`, 'predicate') as (row: readonly unknown[]) => boolean;
}

/** A SELECT list: one function computing the whole output row. */
export function compileProjection(exprs: readonly TypedExpr[], udfs?: UdfImplementations): (row: readonly unknown[]) => unknown[] {
  const g = new Generator(asUdfMap(udfs));
  const values = exprs.map((e) => g.value(e));
  return g.build(`[${values.join(', ')}]`, 'projection') as (row: readonly unknown[]) => unknown[];
}
