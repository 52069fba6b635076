import { Diagnostics } from '../../diagnostics/catalogue.js';
import { commonTypeOf, listTypes } from '../../expressions/coercion.js';
import type { TypedExpr } from '../../expressions/typed-expr.js';
import { renderExpr } from '../../exporters/render-expr.js';
import { typeToString, type SqlType } from '../../types/sql-type.js';
import { anyNullable, checkParams, type Builtin, type CallExpr, type CodeGen, type TypeCheckContext } from './builtin.js';
import { compareCode, compareStrings } from './operators.js';

/**
 * CASE and the conditional functions. They evaluate lazily: a branch runs only when chosen, so a guarded
 * division (`CASE WHEN b <> 0 THEN a / b END`) never fails.
 */

/**
 * The common type of the values at `indices`, reporting the first one that does not fit. An all-NULL set of
 * values has no type to give the result.
 */
function resultType(args: readonly TypedExpr[], indices: readonly number[], what: string, ctx: TypeCheckContext): SqlType | undefined {
  const types = indices.map((i) => args[i]!.type);
  for (let n = 2; n <= types.length; n++) {
    if (commonTypeOf(types.slice(0, n)) === undefined) {
      return ctx.report(Diagnostics.NoCommonType, indices[n - 1]!, {
        what,
        types: listTypes(types),
        suggestedType: typeToString(types.find((t) => t.name !== 'NULL') ?? types[0]!),
      });
    }
  }
  const type = commonTypeOf(types)!;
  return type.name === 'NULL' ? ctx.report(Diagnostics.UntypedNull, indices[0]!) : type;
}

/** `cond` as a test: NULL is not true. */
function isTrue(value: string, nullable: boolean): string {
  return nullable ? `${value} === true` : value;
}

/** Statements choosing among `branches` (condition, result) pairs, else `otherwise`, into `result`. */
function emitChoice(g: CodeGen, result: string, branches: readonly (readonly [TypedExpr, TypedExpr])[], otherwise: TypedExpr | undefined): string {
  if (branches.length === 0) {
    if (otherwise === undefined) return `${result} = null;`;
    const e = g.branch(otherwise);
    return `${e.code} ${result} = ${e.value};`;
  }
  const [[when, then], ...rest] = branches as [readonly [TypedExpr, TypedExpr], ...(readonly [TypedExpr, TypedExpr])[]];
  const c = g.branch(when);
  const t = g.branch(then);
  return `${c.code} if (${isTrue(c.value, when.nullable)}) { ${t.code} ${result} = ${t.value}; } else { ${emitChoice(g, result, rest, otherwise)} }`;
}

/** Searched CASE, stored as `when₁, then₁, when₂, then₂, …[, else]`; CASE is syntax, not callable by name. */
export const caseOperator: Builtin = {
  name: 'CASE',
  signature: 'CASE WHEN condition THEN value … [ELSE value] END',
  minArgs: 2,
  maxArgs: Infinity,
  check: (args, ctx) => {
    const pairs = Math.floor(args.length / 2);
    const hasElse = args.length % 2 === 1;
    let ok = true;
    for (let i = 0; i < pairs * 2; i += 2) {
      const when = args[i]!;
      if (when.type.name !== 'BOOLEAN' && when.type.name !== 'NULL') {
        ctx.report(Diagnostics.NonBooleanCondition, i, { what: 'a WHEN condition', type: typeToString(when.type), example: renderExpr(when) });
        ok = false;
      }
    }
    const results = [...Array.from({ length: pairs }, (_, p) => p * 2 + 1), ...(hasElse ? [args.length - 1] : [])];
    const type = resultType(args, results, 'the CASE branches', ctx);
    if (!ok || type === undefined) return undefined;
    return { type, nullable: !hasElse || results.some((i) => args[i]!.nullable) };
  },
  runtime: {
    nulls: 'custom',
    emit: (call, g) => {
      const args = call.args;
      const pairs = Array.from({ length: Math.floor(args.length / 2) }, (_, p) => [args[p * 2]!, args[p * 2 + 1]!] as const);
      const result = g.local();
      g.statement(`let ${result}; ${emitChoice(g, result, pairs, args.length % 2 === 1 ? args.at(-1) : undefined)}`);
      return result;
    },
  },
};

const ifFunction: Builtin = {
  name: 'IF',
  signature: 'IF(condition BOOLEAN, then, else) → the common type of then and else (a NULL condition chooses else)',
  minArgs: 3,
  maxArgs: 3,
  check: (args, ctx) => {
    const conditionOk = checkParams([args[0]!], ['BOOLEAN'], ctx);
    const type = resultType(args, [1, 2], 'the results of IF', ctx);
    return conditionOk && type !== undefined ? { type, nullable: args[1]!.nullable || args[2]!.nullable } : undefined;
  },
  runtime: {
    nulls: 'custom',
    emit: (call, g) => {
      const [condition, then, otherwise] = call.args as [TypedExpr, TypedExpr, TypedExpr];
      const result = g.local();
      g.statement(`let ${result}; ${emitChoice(g, result, [[condition, then]], otherwise)}`);
      return result;
    },
  },
};

function emitCoalesce(call: CallExpr, g: CodeGen): string {
  const [first, ...rest] = call.args as [TypedExpr, ...TypedExpr[]];
  const result = g.local();
  const fallback = (args: readonly TypedExpr[], previousNullable: boolean): string => {
    if (args.length === 0 || !previousNullable) return '';
    const [next, ...others] = args as [TypedExpr, ...TypedExpr[]];
    const e = g.branch(next);
    return `if (${result} == null) { ${e.code} ${result} = ${e.value}; ${fallback(others, next.nullable)} }`;
  };
  g.statement(`let ${result} = ${g.value(first)}; ${fallback(rest, first.nullable)}`);
  return result;
}

function coalescing(name: 'COALESCE' | 'IFNULL'): Builtin {
  return {
    name,
    signature: name === 'COALESCE' ? 'COALESCE(value, …) → the first value that is not NULL' : 'IFNULL(value, fallback) → value unless it is NULL, else fallback',
    minArgs: name === 'COALESCE' ? 1 : 2,
    maxArgs: name === 'COALESCE' ? Infinity : 2,
    check: (args, ctx) => {
      const type = resultType(args, args.map((_, i) => i), `the arguments of ${name}`, ctx);
      return type === undefined ? undefined : { type, nullable: args.every((a) => a.nullable) };
    },
    runtime: { nulls: 'custom', emit: emitCoalesce },
  };
}

const nullIf: Builtin = {
  name: 'NULLIF',
  signature: 'NULLIF(value, other) → NULL when value = other, else value',
  minArgs: 2,
  maxArgs: 2,
  check: (args, ctx) => {
    const type = resultType(args, [0, 1], 'the arguments of NULLIF', ctx);
    return type === undefined ? undefined : { type, nullable: true };
  },
  runtime: {
    nulls: 'custom',
    emit: (call, g) => {
      const [a, b] = call.args.map((x) => g.value(x)) as [string, string];
      const equal = compareCode('=', call.type, a, b, g);
      const bothPresent = call.args[1]!.nullable ? `${b} != null && ` : '';
      return `(${call.args[0]!.nullable ? `${a} == null || ` : ''}${bothPresent}${equal} ? null : ${a})`;
    },
  },
};

function extreme(name: 'GREATEST' | 'LEAST'): Builtin {
  const greatest = name === 'GREATEST';
  const pickString = (values: readonly string[]): string =>
    values.reduce((best, v) => ((greatest ? compareStrings(v, best) > 0 : compareStrings(v, best) < 0) ? v : best));
  return {
    name,
    signature: `${name}(value, …) → the ${greatest ? 'largest' : 'smallest'} value (NULL if any is NULL)`,
    minArgs: 1,
    maxArgs: Infinity,
    check: (args, ctx) => {
      const type = resultType(args, args.map((_, i) => i), `the arguments of ${name}`, ctx);
      return type === undefined ? undefined : { type, nullable: anyNullable(args) };
    },
    runtime: {
      nulls: 'propagate',
      emit: (args, call, g) => {
        switch (call.type.name) {
          case 'STRING':
            return `${g.constant(pickString)}([${args.join(', ')}])`;
          case 'BOOLEAN':
            return `(${args.join(greatest ? ' || ' : ' && ')})`;
          default:
            return `${greatest ? 'Math.max' : 'Math.min'}(${args.join(', ')})`;
        }
      },
    },
  };
}

export const conditionalFunctions: readonly Builtin[] = [ifFunction, coalescing('COALESCE'), coalescing('IFNULL'), nullIf, extreme('GREATEST'), extreme('LEAST')];
