import { describe, expect, it } from 'vitest';
import type { InsertInto, Span } from '../../grammar/ast/index.js';
import { parse } from '../../grammar/parse.js';

const text = "INSERT INTO out FROM bids AS b |> WHERE price * 2 > 10 UID 'w' |> SELECT UPPER(name) AS n;\n";
const statement = parse(text).value.statements[0] as InsertInto;
const at = (span: Span | undefined) => (span === undefined ? undefined : text.slice(span.offset, span.offset + span.length));

describe('spans', () => {
  it('cover each node exactly', () => {
    const [where, select] = statement.pipeline.steps;
    expect(at(statement.span)).toBe(text.slice(0, text.indexOf(';')));
    expect(at(statement.sink.span)).toBe('out');
    expect(at(statement.pipeline.from.span)).toBe('bids AS b');
    expect(at(where?.span)).toBe("WHERE price * 2 > 10 UID 'w'");
    expect(at(where?.uid?.span)).toBe("UID 'w'");
    expect(at(select?.span)).toBe('SELECT UPPER(name) AS n');
    if (where?.kind !== 'WhereStep' || where.condition.kind !== 'BinaryExpr') throw new Error('unexpected tree');
    expect(at(where.condition.span)).toBe('price * 2 > 10');
    expect(at(where.condition.operatorSpan)).toBe('>');
    expect(at(where.condition.left.span)).toBe('price * 2');
    if (select?.kind !== 'SelectStep' || select.items[0]?.kind !== 'ExprItem') throw new Error('unexpected tree');
    expect(at(select.items[0].span)).toBe('UPPER(name) AS n');
    expect(at(select.items[0].expr.span)).toBe('UPPER(name)');
  });

  it('the script spans the whole text', () => {
    expect(parse(text).value.span).toEqual({ offset: 0, length: text.length });
  });

  it('cover prefix operators and predicate suffixes', () => {
    const source = 'INSERT INTO o FROM i |> WHERE NOT -a IS NULL;';
    const step = (parse(source).value.statements[0] as InsertInto).pipeline.steps[0];
    if (step?.kind !== 'WhereStep' || step.condition.kind !== 'UnaryExpr') throw new Error('unexpected tree');
    expect(source.slice(step.condition.span.offset, step.condition.span.offset + step.condition.span.length)).toBe('NOT -a IS NULL');
    const operand = step.condition.operand;
    expect(source.slice(operand.span.offset, operand.span.offset + operand.span.length)).toBe('-a IS NULL');
  });

  it('the window function has its own span', () => {
    const source = "INSERT INTO o FROM i |> WINDOW HOP(ts, INTERVAL '1' SECOND, INTERVAL '5' SECOND);";
    const step = (parse(source).value.statements[0] as InsertInto).pipeline.steps[0];
    expect(step?.kind === 'WindowStep' && source.slice(step.functionSpan.offset, step.functionSpan.offset + step.functionSpan.length)).toBe('HOP');
  });
});
