import { parse } from '../../grammar/parse.js';
import type { Expr } from '../../grammar/ast/index.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { DiagnosticBag } from '../../compiler/diagnostics/diagnostic.js';
import { checkExpr } from '../../compiler/expressions/check-expr.js';
import { Scope } from '../../compiler/expressions/scope.js';
import type { TypedExpr } from '../../compiler/expressions/typed-expr.js';
import type { ScalarUdfSignature } from '../../compiler/functions/registry.js';
import { BIGINT, BOOLEAN, DOUBLE, INT, STRING, TIMESTAMP3, decimal, type Field } from '../../compiler/types/sql-type.js';
import { compileExpr, type UdfImplementations } from '../../runtime/expressions/compile-expr.js';

/**
 * Expressions in tests are written as SQL and parsed through the real parser, as the WHERE condition of a
 * one-step pipeline; `PREFIX.length` is where the expression's own offsets start.
 */
const PREFIX = 'INSERT INTO k FROM s |> WHERE ';

/** The default input row: one column of each type, `n_…` columns nullable. */
export const FIELDS: readonly Field[] = [
  { name: 'i', type: INT, nullable: false },
  { name: 'b', type: BIGINT, nullable: false },
  { name: 'd', type: decimal(10, 2), nullable: false },
  { name: 'x', type: DOUBLE, nullable: false },
  { name: 's', type: STRING, nullable: false },
  { name: 'ts', type: TIMESTAMP3, nullable: false },
  { name: 'flag', type: BOOLEAN, nullable: false },
  { name: 'n_i', type: INT, nullable: true },
  { name: 'n_s', type: STRING, nullable: true },
  { name: 'n_flag', type: BOOLEAN, nullable: true },
];

export function parseExpr(text: string): Expr {
  const { value, diagnostics } = parse(`${PREFIX}${text};`);
  const step = value?.statements[0]?.kind === 'InsertInto' ? value.statements[0].pipeline.steps[0] : undefined;
  if (diagnostics.length > 0 || step?.kind !== 'WhereStep') {
    throw new Error(`test expression does not parse: ${text}\n${diagnostics.map((d) => d.message).join('\n')}`);
  }
  return step.condition;
}

export interface Checked {
  readonly typed: TypedExpr | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

export interface CheckOptions {
  readonly fields?: readonly Field[];
  readonly scope?: Scope;
  readonly udfs?: readonly ScalarUdfSignature[];
}

export function check(text: string, options: CheckOptions = {}): Checked {
  const bag = new DiagnosticBag('test.pipe');
  const scope = options.scope ?? Scope.fromFields(options.fields ?? FIELDS, 's');
  const udfs = new Map((options.udfs ?? []).map((u) => [u.name, u]));
  const typed = checkExpr(parseExpr(text), scope, { bag, udfs });
  return { typed, diagnostics: bag.items };
}

/** Type-checks an expression that must be valid. */
export function typed(text: string, options: CheckOptions = {}): TypedExpr {
  const result = check(text, options);
  if (result.typed === undefined) throw new Error(`'${text}' did not type-check: ${result.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return result.typed;
}

/** The one diagnostic of an invalid expression, with the source text its span covers. */
export function diagnosticOf(text: string, options: CheckOptions = {}): Diagnostic & { readonly blamed: string } {
  const { diagnostics } = check(text, options);
  if (diagnostics.length !== 1) throw new Error(`'${text}': expected one diagnostic, got ${diagnostics.map((d) => `${d.code} ${d.message}`).join('; ') || 'none'}`);
  const d = diagnostics[0]!;
  const start = d.span.offset - PREFIX.length;
  return { ...d, blamed: text.slice(start, start + d.span.length) };
}

/** A row for FIELDS with defaults overridden by name. */
export function row(values: Readonly<Record<string, unknown>> = {}): unknown[] {
  const defaults: Record<string, unknown> = { i: 7, b: 10_000_000_000, d: 12.5, x: 2.5, s: 'hello', ts: Date.UTC(2024, 0, 31, 13, 45, 30, 250), flag: true, n_i: null, n_s: null, n_flag: null };
  return FIELDS.map((f) => (f.name in values ? values[f.name] : defaults[f.name]));
}

/** Type-checks and compiles `text`, then evaluates it on `input` (the default row unless given). */
export function evaluate(text: string, input: readonly unknown[] = row(), options: CheckOptions & { readonly implementations?: UdfImplementations } = {}): unknown {
  return compileExpr(typed(text, options), options.implementations)(input);
}
