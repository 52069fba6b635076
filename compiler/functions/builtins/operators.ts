import { Diagnostics } from '../../diagnostics/catalogue.js';
import { commonType, numericResultType, type ArithmeticOperator } from '../../expressions/coercion.js';
import type { TypedExpr } from '../../expressions/typed-expr.js';
import { BOOLEAN, INTERVAL, STRING, TIMESTAMP3, isNumeric, typeToString, type SqlType } from '../../types/sql-type.js';
import { anyNullable, checkParams, type Builtin, type CallExpr, type CodeGen, type TypeCheckContext, type TypeResult } from './builtin.js';
import { decimalRounder } from './math.js';

/**
 * Arithmetic, comparison and logical operators with SQL semantics: NULL propagates through arithmetic and
 * comparisons; AND/OR/NOT use three-valued logic; INT arithmetic wraps at 32 bits like Flink's (Java's) int.
 */

const ARITHMETIC_EXPECTED = 'numbers, or TIMESTAMP ± INTERVAL, TIMESTAMP - TIMESTAMP, INTERVAL ± INTERVAL, INTERVAL * number';

function untypedNulls(args: readonly TypedExpr[], ctx: TypeCheckContext): boolean {
  if (args.every((a) => a.type.name === 'NULL')) {
    ctx.report(Diagnostics.UntypedNull, 0);
    return true;
  }
  return false;
}

/** Types of `a op b` beyond plain numbers: time arithmetic. An untyped NULL takes the other side's type. */
function temporalResult(op: ArithmeticOperator, a: SqlType, b: SqlType): SqlType | undefined {
  const left = a.name === 'NULL' ? b : a;
  const right = b.name === 'NULL' ? a : b;
  const kinds = `${left.name} ${op} ${right.name}`;
  switch (kinds) {
    case 'TIMESTAMP + INTERVAL':
    case 'INTERVAL + TIMESTAMP':
    case 'TIMESTAMP - INTERVAL':
      return TIMESTAMP3;
    case 'TIMESTAMP - TIMESTAMP':
    case 'INTERVAL + INTERVAL':
    case 'INTERVAL - INTERVAL':
      return INTERVAL;
    default:
      if ((op === '*' && ((left.name === 'INTERVAL' && isNumeric(right)) || (isNumeric(left) && right.name === 'INTERVAL'))) ||
        (op === '/' && left.name === 'INTERVAL' && isNumeric(right))) {
        return INTERVAL;
      }
      return undefined;
  }
}

function checkArithmetic(op: ArithmeticOperator): (args: readonly TypedExpr[], ctx: TypeCheckContext) => TypeResult | undefined {
  return (args, ctx) => {
    if (untypedNulls(args, ctx)) return undefined;
    const [a, b] = [args[0]!.type, args[1]!.type];
    const type = numericResultType(op, a.name === 'NULL' ? b : a, b.name === 'NULL' ? a : b) ?? temporalResult(op, a, b);
    if (type === undefined) return ctx.badArgument(isNumeric(a) || a.name === 'TIMESTAMP' || a.name === 'INTERVAL' ? 1 : 0, ARITHMETIC_EXPECTED);
    return { type, nullable: anyNullable(args) };
  };
}

/** Integer and DECIMAL division by zero fail the job, as in Flink; DOUBLE gives Infinity or NaN. */
function divisionGuard(divisor: string, g: CodeGen): string {
  return `${divisor} === 0 ? ${g.constant(g.failure('division by zero'))}() : `;
}

function emitArithmetic(op: ArithmeticOperator): (args: readonly string[], call: CallExpr, g: CodeGen) => string {
  return ([a, b], call, g) => {
    const plain = `${a} ${op} ${b}`;
    const type = call.type;
    const guarded = op === '/' || op === '%';
    switch (type.name) {
      case 'INT':
        if (op === '*') return `Math.imul(${a}, ${b})`;
        return `(${guarded ? divisionGuard(b!, g) : ''}(${plain}) | 0)`;
      case 'BIGINT':
        if (op === '/') return `(${divisionGuard(b!, g)}Math.trunc(${plain}))`;
        // `+ 0` turns the -0 of `-4 % 2` into 0.
        return op === '%' ? `(${divisionGuard(b!, g)}(${plain}) + 0)` : `(${plain})`;
      case 'DECIMAL':
        return `(${guarded ? divisionGuard(b!, g) : ''}${g.constant(decimalRounder(type.scale))}(${plain}))`;
      case 'INTERVAL':
        // Scaling an interval keeps whole milliseconds.
        return op === '*' || op === '/' ? `Math.round(${op === '/' ? divisionGuard(b!, g) : ''}${plain})` : `(${plain})`;
      default:
        return `(${plain})`;
    }
  };
}

function arithmetic(op: ArithmeticOperator, name: string = op): Builtin {
  return {
    name,
    signature: name === op ? `a ${op} b` : `${name}(a NUMERIC, b NUMERIC) → the wider type`,
    minArgs: 2,
    maxArgs: 2,
    check: checkArithmetic(op),
    runtime: { nulls: 'propagate', emit: emitArithmetic(op) },
  };
}

/**
 * Code-point order of strings (as Flink compares its UTF-8 binary strings), which differs from JS's UTF-16
 * order only when a surrogate meets a character from U+E000 to U+FFFF at the first difference.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  let x = a.charCodeAt(i);
  let y = b.charCodeAt(i);
  if (x >= 0xd800 && y >= 0xd800) {
    // Surrogates (astral code points) sort after U+E000–U+FFFF.
    x += x < 0xe000 ? 0x2000 : -0x800;
    y += y < 0xe000 ? 0x2000 : -0x800;
  }
  return x - y;
}

export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>=';

/** JS for `a op b` on non-null values of (common) type `type`. */
export function compareCode(op: ComparisonOperator, type: SqlType, a: string, b: string, g: CodeGen): string {
  const js = op === '=' ? '===' : op === '<>' ? '!==' : op;
  if (type.name === 'STRING' && op !== '=' && op !== '<>') return `(${g.constant(compareStrings)}(${a}, ${b}) ${js} 0)`;
  return `(${a} ${js} ${b})`;
}

/** The common type of comparable operands, reported as a mismatch when there is none. */
function comparisonType(args: readonly TypedExpr[], ctx: TypeCheckContext, expected: string): SqlType | undefined {
  let type: SqlType | undefined = args[0]!.type;
  for (let i = 1; i < args.length; i++) {
    const next: SqlType | undefined = commonType(type, args[i]!.type);
    if (next === undefined) return ctx.badArgument(i, expected);
    type = next;
  }
  return type;
}

function comparison(op: ComparisonOperator): Builtin {
  return {
    name: op,
    signature: `a ${op} b`,
    minArgs: 2,
    maxArgs: 2,
    check: (args, ctx) => {
      const type = comparisonType(args, ctx, 'two values of the same kind (numbers, strings, booleans, timestamps or intervals)');
      return type === undefined ? undefined : { type: BOOLEAN, nullable: anyNullable(args) };
    },
    runtime: {
      nulls: 'propagate',
      emit: ([a, b], call, g) => compareCode(op, commonType(call.args[0]!.type, call.args[1]!.type)!, a!, b!, g),
    },
  };
}

const checkBooleans = (args: readonly TypedExpr[], ctx: TypeCheckContext): TypeResult | undefined =>
  checkParams(args, ['BOOLEAN'], ctx) ? { type: BOOLEAN, nullable: anyNullable(args) } : undefined;

/**
 * AND / OR in three-valued logic, short-circuiting: the right side is evaluated only when the left one does
 * not decide (so `b <> 0 AND a / b > 1` never divides by zero).
 */
function logical(op: 'AND' | 'OR'): Builtin {
  const decisive = op === 'AND' ? 'false' : 'true';
  return {
    name: op,
    signature: `a ${op} b (BOOLEAN)`,
    minArgs: 2,
    maxArgs: 2,
    check: checkBooleans,
    runtime: {
      nulls: 'custom',
      emit: (call, g) => {
        const [left, right] = call.args as [TypedExpr, TypedExpr];
        const result = g.local();
        const a = g.value(left);
        const b = g.branch(right);
        if (!call.nullable) {
          g.statement(`let ${result} = ${a}; if (${result} !== ${decisive}) { ${b.code} ${result} = ${b.value}; }`);
          return result;
        }
        g.statement(
          `let ${result} = ${a}; if (${result} !== ${decisive}) { ${b.code} ` +
            `${result} = ${b.value} === ${decisive} ? ${decisive} : (${result} === null || ${b.value} === null ? null : ${b.value}); }`,
        );
        return result;
      },
    },
  };
}

const not: Builtin = {
  name: 'NOT',
  signature: 'NOT a (BOOLEAN)',
  minArgs: 1,
  maxArgs: 1,
  check: checkBooleans,
  runtime: { nulls: 'propagate', emit: ([a]) => `!${a}` },
};

const negate: Builtin = {
  name: 'NEGATE',
  signature: '-a (a number or an INTERVAL)',
  minArgs: 1,
  maxArgs: 1,
  check: (args, ctx) => {
    const type = args[0]!.type;
    if (type.name === 'NULL') return ctx.report(Diagnostics.UntypedNull, 0);
    if (!isNumeric(type) && type.name !== 'INTERVAL') return ctx.badArgument(0, 'a number or an INTERVAL');
    return { type, nullable: args[0]!.nullable };
  },
  runtime: { nulls: 'propagate', emit: ([a], call) => (call.type.name === 'INT' ? `(-${a} | 0)` : `(0 - ${a})`) },
};

function isNullTest(name: 'IS_NULL' | 'IS_NOT_NULL'): Builtin {
  return {
    name,
    signature: name === 'IS_NULL' ? 'a IS NULL' : 'a IS NOT NULL',
    minArgs: 1,
    maxArgs: 1,
    check: () => ({ type: BOOLEAN, nullable: false }),
    runtime: {
      nulls: 'custom',
      emit: (call, g) => {
        const arg = call.args[0]!;
        // A NOT NULL operand needs no evaluation: the answer is known.
        if (!arg.nullable) return name === 'IS_NULL' ? 'false' : 'true';
        return `(${g.value(arg)} ${name === 'IS_NULL' ? '==' : '!='} null)`;
      },
    },
  };
}

/** `x [NOT] BETWEEN low AND high`, as `x >= low AND x <= high` in three-valued logic. */
function between(negated: boolean): Builtin {
  const name = negated ? 'NOT_BETWEEN' : 'BETWEEN';
  return {
    name,
    signature: `x ${negated ? 'NOT ' : ''}BETWEEN low AND high`,
    minArgs: 3,
    maxArgs: 3,
    check: (args, ctx) => {
      const type = comparisonType(args, ctx, 'bounds comparable with the tested value');
      return type === undefined ? undefined : { type: BOOLEAN, nullable: anyNullable(args) };
    },
    runtime: {
      nulls: 'custom',
      emit: (call, g) => {
        const type = call.args.map((a) => a.type).reduce((t, u) => commonType(t, u)!);
        const [x, low, high] = call.args.map((a) => g.value(a)) as [string, string, string];
        const [xNull, lowNull, highNull] = call.args.map((a) => a.nullable);
        const above = g.local();
        const below = g.local();
        g.statement(`const ${above} = ${xNull || lowNull ? `${x} == null || ${low} == null ? null : ` : ''}${compareCode('>=', type, x, low, g)};`);
        g.statement(`const ${below} = ${xNull || highNull ? `${x} == null || ${high} == null ? null : ` : ''}${compareCode('<=', type, x, high, g)};`);
        const inRange = call.nullable
          ? `(${above} === false || ${below} === false ? false : ${above} === null || ${below} === null ? null : true)`
          : `(${above} && ${below})`;
        if (!negated) return inRange;
        const result = g.local();
        g.statement(`const ${result} = ${inRange};`);
        return call.nullable ? `(${result} === null ? null : !${result})` : `!${result}`;
      },
    },
  };
}

/** `x [NOT] IN (…)`: true on a match; otherwise NULL when x or any list value is NULL; else false. */
function inList(negated: boolean): Builtin {
  const name = negated ? 'NOT_IN' : 'IN';
  return {
    name,
    signature: `x ${negated ? 'NOT ' : ''}IN (value, …)`,
    minArgs: 2,
    maxArgs: Infinity,
    check: (args, ctx) => {
      const tested = args[0]!.type;
      let type: SqlType = tested;
      for (let i = 1; i < args.length; i++) {
        const next = commonType(type, args[i]!.type);
        if (next === undefined) {
          return ctx.report(Diagnostics.MixedInList, i, { actual: typeToString(args[i]!.type), expected: typeToString(type) });
        }
        type = next;
      }
      return { type: BOOLEAN, nullable: anyNullable(args) };
    },
    runtime: {
      nulls: 'custom',
      emit: (call, g) => {
        const [operand, ...list] = call.args as [TypedExpr, ...TypedExpr[]];
        const x = g.value(operand);
        const constants = list.filter((e) => e.op === 'literal' && e.value !== null).map((e) => (e as { value: unknown }).value);
        const listHasNullLiteral = list.some((e) => e.op === 'literal' && e.value === null);
        const others = list.filter((e) => e.op !== 'literal').map((e) => ({ value: g.value(e), nullable: e.nullable }));
        // Long constant lists become a Set lookup; short ones a chain of comparisons.
        const matches = [
          ...(constants.length > 4 ? [`${g.constant(new Set(constants))}.has(${x})`] : constants.map((c) => `${x} === ${JSON.stringify(c)}`)),
          ...others.map((o) => `${x} === ${o.value}`),
        ];
        const found = matches.length === 0 ? 'false' : matches.join(' || ');
        const unknown = [
          ...(listHasNullLiteral ? ['true'] : []),
          ...others.filter((o) => o.nullable).map((o) => `${o.value} == null`),
        ];
        const [hit, miss] = negated ? ['false', 'true'] : ['true', 'false'];
        const missOrNull = unknown.length === 0 ? miss : `(${unknown.join(' || ')} ? null : ${miss})`;
        const tested = `(${found} ? ${hit} : ${missOrNull})`;
        return operand.nullable ? `(${x} == null ? null : ${tested})` : tested;
      },
    },
  };
}

const concatOperator: Builtin = {
  name: '||',
  signature: 'a || b (STRING)',
  minArgs: 2,
  maxArgs: 2,
  check: (args, ctx) => (checkParams(args, ['STRING'], ctx) ? { type: STRING, nullable: anyNullable(args) } : undefined),
  runtime: { nulls: 'propagate', emit: ([a, b]) => `(${a} + ${b})` },
};

export const operators: readonly Builtin[] = [
  arithmetic('+'),
  arithmetic('-'),
  arithmetic('*'),
  arithmetic('/'),
  arithmetic('%'),
  negate,
  comparison('='),
  comparison('<>'),
  comparison('<'),
  comparison('<='),
  comparison('>'),
  comparison('>='),
  logical('AND'),
  logical('OR'),
  not,
  isNullTest('IS_NULL'),
  isNullTest('IS_NOT_NULL'),
  between(false),
  between(true),
  inList(false),
  inList(true),
  concatOperator,
];

/** MOD(a, b) is `a % b` as a function. */
export const modFunction: Builtin = arithmetic('%', 'MOD');

