import { describe, expect, it } from 'vitest';
import { renderExpr } from '../../compiler/exporters/render-expr.js';
import type { TypedExpr } from '../../compiler/expressions/typed-expr.js';
import type { SqlType } from '../../compiler/types/sql-type.js';
import { bigint, call, column } from '../graph/sample-graph.js';

const literal = (value: null | boolean | number | string, type: SqlType): TypedExpr => ({ op: 'literal', value, type, nullable: value === null });
const price = column(1, 'price');
const auction = column(0, 'auction');

describe('renderExpr', () => {
  it('writes operators infix and functions as calls', () => {
    expect(renderExpr(call('>', price, bigint(100)))).toBe('price > 100');
    expect(renderExpr(call('=', call('MOD', auction, bigint(123)), bigint(0)))).toBe('MOD(auction, 123) = 0');
  });

  it('adds only the parentheses precedence and associativity need', () => {
    const sum = call('+', price, bigint(1));
    expect(renderExpr(call('*', sum, bigint(2)))).toBe('(price + 1) * 2');
    expect(renderExpr(call('+', call('*', price, bigint(2)), bigint(1)))).toBe('price * 2 + 1');
    expect(renderExpr(call('-', price, call('-', auction, bigint(1))))).toBe('price - (auction - 1)');
    expect(renderExpr(call('-', call('-', price, auction), bigint(1)))).toBe('price - auction - 1');
    expect(renderExpr(call('AND', call('OR', price, auction), auction))).toBe('(price OR auction) AND auction');
    expect(renderExpr(call('NOT', call('=', price, auction)))).toBe('NOT price = auction');
    expect(renderExpr(call('NEGATE', sum))).toBe('-(price + 1)');
  });

  it('writes the special forms as SQL', () => {
    expect(renderExpr(call('IS_NOT_NULL', price))).toBe('price IS NOT NULL');
    expect(renderExpr(call('NOT_BETWEEN', price, bigint(1), bigint(9)))).toBe('price NOT BETWEEN 1 AND 9');
    expect(renderExpr(call('IN', price, bigint(1), bigint(2)))).toBe('price IN (1, 2)');
    expect(renderExpr(call('NOT_LIKE', column(0, 'name'), literal('%x_', { name: 'STRING' })))).toBe("name NOT LIKE '%x_'");
    expect(renderExpr(call('CASE', call('>', price, bigint(9)), bigint(1), call('IS_NULL', price), bigint(2), bigint(3)))).toBe(
      'CASE WHEN price > 9 THEN 1 WHEN price IS NULL THEN 2 ELSE 3 END',
    );
    expect(renderExpr({ op: 'call', fn: 'CAST', args: [price], type: { name: 'DECIMAL', precision: 10, scale: 2 }, nullable: false })).toBe(
      'CAST(price AS DECIMAL(10, 2))',
    );
  });

  it('writes literals as they are written in .pipe', () => {
    expect(renderExpr(literal("it's", { name: 'STRING' }))).toBe("'it''s'");
    expect(renderExpr(literal(null, { name: 'NULL' }))).toBe('NULL');
    expect(renderExpr(literal(true, { name: 'BOOLEAN' }))).toBe('TRUE');
    expect(renderExpr(literal(4_000, { name: 'INTERVAL' }))).toBe("INTERVAL '4' SECOND");
    expect(renderExpr(literal(1_500, { name: 'INTERVAL' }))).toBe("INTERVAL '1500' MILLISECOND");
    expect(renderExpr(literal(0, { name: 'TIMESTAMP', precision: 3 }))).toBe("TIMESTAMP '1970-01-01 00:00:00.000'");
  });

  it('names columns after the given fields, quoting names that need it', () => {
    expect(renderExpr(price, ['a', 'unit price'])).toBe('`unit price`');
    expect(renderExpr({ op: 'udf', name: 'discount', args: [price], type: { name: 'DOUBLE' }, nullable: true })).toBe('discount(price)');
  });
});
