import { describe, expect, it } from 'vitest';
import { Scope } from '../../compiler/expressions/scope.js';
import { BIGINT, INT, STRING, type Field } from '../../compiler/types/sql-type.js';
import { diagnosticOf, typed } from './expr-harness.js';

const BIDS: readonly Field[] = [
  { name: 'auction', type: BIGINT, nullable: false },
  { name: 'price', type: BIGINT, nullable: false },
  { name: 'bidder', type: BIGINT, nullable: false },
];
const PERSONS: readonly Field[] = [
  { name: 'id', type: BIGINT, nullable: false },
  { name: 'name', type: STRING, nullable: true },
  { name: 'price', type: INT, nullable: false },
];
const joined = Scope.fromFields(BIDS, 'b').concat(Scope.fromFields(PERSONS, 'p'));

describe('Scope', () => {
  it('numbers the right side of a join after the left side', () => {
    expect(joined.columns.map((c) => [c.qualifier, c.field.name, c.index])).toEqual([
      ['b', 'auction', 0],
      ['b', 'price', 1],
      ['b', 'bidder', 2],
      ['p', 'id', 3],
      ['p', 'name', 4],
      ['p', 'price', 5],
    ]);
    expect(joined.qualifiers).toEqual(['b', 'p']);
  });

  it('resolves bare and qualified names to positions in the joined row', () => {
    expect(typed('bidder = id', { scope: joined })).toMatchObject({ args: [{ index: 2 }, { index: 3 }] });
    expect(typed('p.price', { scope: joined })).toMatchObject({ op: 'column', index: 5, name: 'price', type: { name: 'INT' } });
    expect(typed('name', { scope: joined })).toMatchObject({ nullable: true });
  });

  it('is case-sensitive, as Flink SQL is, and suggests the other spelling', () => {
    const d = diagnosticOf('Price > 1', { scope: Scope.fromFields(BIDS) });
    expect(d).toMatchObject({ code: 'SLC3001', blamed: 'Price', message: "unknown column 'Price'" });
    expect(d.help).toBe("did you mean 'price'? the columns here are: auction, price, bidder");
  });

  it('suggests the closest column by edit distance', () => {
    expect(diagnosticOf('biddr = 1', { scope: joined }).help).toContain("did you mean 'bidder'?");
  });

  it("lists the qualifier's columns for an unknown qualified column", () => {
    const d = diagnosticOf('p.bidder = 1', { scope: joined });
    expect(d).toMatchObject({ code: 'SLC3001', blamed: 'bidder', message: "unknown column 'p.bidder'" });
    expect(d.help).toContain('p.id, p.name, p.price');
  });

  it('names the qualifiers that exist for an unknown one', () => {
    const d = diagnosticOf('x.price = 1', { scope: joined });
    expect(d).toMatchObject({ code: 'SLC3002', blamed: 'x' });
    expect(d.help).toContain('b, p');
  });

  it('reports an ambiguous column with the inputs that have it', () => {
    const d = diagnosticOf('price > 1', { scope: joined });
    expect(d).toMatchObject({ code: 'SLC3003', blamed: 'price', message: "column 'price' is ambiguous: it exists in b and p" });
    expect(d.help).toContain('b.price');
  });

  it('asks for aliases when both inputs of a self-join have the same name', () => {
    const self = Scope.fromFields(BIDS, 'bids').concat(Scope.fromFields(BIDS, 'bids'));
    expect(diagnosticOf('bids.price > 1', { scope: self }).help).toContain('distinct aliases');
  });
});
