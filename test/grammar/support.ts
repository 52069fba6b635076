import { expect } from 'vitest';
import type { ChainExpr, Expr, Pipeline, Statement, Step } from '../../grammar/ast/index.js';
import { parse } from '../../grammar/parse.js';

/** Parses a file that must be free of diagnostics. */
export function parseClean(text: string): readonly Statement[] {
  const { value, diagnostics } = parse(text);
  expect(diagnostics).toEqual([]);
  return value.statements;
}

/** The steps of `INSERT INTO out FROM input |> …steps;`. */
export function parseSteps(steps: string): readonly Step[] {
  const [statement] = parseClean(`INSERT INTO out FROM input ${steps};`);
  return (statement as { pipeline: Pipeline }).pipeline.steps;
}

/** The expression `text`, parsed as a WHERE condition. */
export function parseExpr(text: string): Expr {
  const [step] = parseSteps(`|> WHERE ${text}`);
  if (step?.kind !== 'WhereStep') throw new Error(`no WHERE step in ${text}`);
  return step.condition;
}

/**
 * The tree without its positions, for comparing trees that came from different text. A chain reads as the nested
 * binary expressions it folds, so that a tree built by hand compares equal to the one parsed from its printout.
 */
export function withoutSpans<T>(node: T): T {
  const unchained = (value: unknown): unknown => {
    const chain = value as Partial<ChainExpr> | null;
    if (chain?.kind !== 'ChainExpr') return value;
    return chain.operators!.reduce<Expr>(
      (left, operator, i) => ({ kind: 'BinaryExpr', operator, left, right: chain.operands![i + 1]!, operatorSpan: chain.span!, span: chain.span! }),
      chain.operands![0]!,
    );
  };
  return JSON.parse(JSON.stringify(node, (key, value: unknown) => (/^(span|operatorSpan|functionSpan)$/.test(key) ? undefined : unchained(value)))) as T;
}

/** A compact prefix form of an expression tree, so precedence tests read as `(AND a (OR b c))`. */
export function sexpr(e: Expr): string {
  switch (e.kind) {
    case 'NumberLiteral': return e.text;
    case 'StringLiteral': return `'${e.value}'`;
    case 'BooleanLiteral': return String(e.value).toUpperCase();
    case 'NullLiteral': return 'NULL';
    case 'IntervalLiteral': return `(INTERVAL '${e.value}' ${e.unit})`;
    case 'TimestampLiteral': return `(TIMESTAMP '${e.value}')`;
    case 'ColumnRef': return e.qualifier === undefined ? e.name.name : `${e.qualifier.name}.${e.name.name}`;
    case 'UnaryExpr': return `(${e.operator} ${sexpr(e.operand)})`;
    case 'BinaryExpr': return `(${e.operator} ${sexpr(e.left)} ${sexpr(e.right)})`;
    // A chain reads as the left fold it stands for.
    case 'ChainExpr': return e.operators.reduce((left, op, i) => `(${op} ${left} ${sexpr(e.operands[i + 1]!)})`, sexpr(e.operands[0]!));
    case 'IsNullExpr': return `(${e.negated ? 'IS-NOT-NULL' : 'IS-NULL'} ${sexpr(e.operand)})`;
    case 'BetweenExpr': return `(${e.negated ? 'NOT-BETWEEN' : 'BETWEEN'} ${sexpr(e.operand)} ${sexpr(e.low)} ${sexpr(e.high)})`;
    case 'InExpr': return `(${e.negated ? 'NOT-IN' : 'IN'} ${sexpr(e.operand)} ${e.list.map(sexpr).join(' ')})`;
    case 'LikeExpr': return `(${e.negated ? 'NOT-LIKE' : 'LIKE'} ${sexpr(e.operand)} ${sexpr(e.pattern)})`;
    case 'CaseExpr':
      return `(CASE${e.operand === undefined ? '' : ` ${sexpr(e.operand)}`}${e.whens.map((w) => ` [${sexpr(w.when)} ${sexpr(w.then)}]`).join('')}${e.else === undefined ? '' : ` ${sexpr(e.else)}`})`;
    case 'CastExpr': return `(CAST ${sexpr(e.operand)} ${e.type.name}${e.type.params.length > 0 ? `(${e.type.params.join(',')})` : ''})`;
    case 'FunctionCall':
      return `(${e.name.name}${e.distinct ? ' DISTINCT' : ''}${e.star ? ' *' : ''}${e.args.map((a) => ` ${sexpr(a)}`).join('')})`;
  }
}
