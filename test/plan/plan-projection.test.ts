import { describe, expect, it } from 'vitest';
import { AUCTION, BID, compileGraph, fieldNames, operatorOf, reported, sink } from './planning.js';

const select = (items: string): string => `${BID} ${sink()} INSERT INTO out FROM bid AS b |> SELECT ${items};`;

describe('SELECT', () => {
  it('names unnamed columns after the column, else EXPR$<position>', () => {
    const project = operatorOf(compileGraph(select('auction, price * 2, b.bidder AS who')), 'project');
    expect(fieldNames(project)).toEqual(['auction', 'EXPR$1', 'who']);
    expect(project.spec).toMatchObject({ exprs: [{ op: 'column', index: 0 }, { op: 'call' }, { op: 'column', index: 1 }] });
  });

  it('keeps the time attribute only when its column passes through unchanged', () => {
    expect(operatorOf(compileGraph(select('price, date_time')), 'project').output.rowtime).toBe(1);
    expect(operatorOf(compileGraph(select('price, date_time + INTERVAL \'1\' SECOND AS later')), 'project').output.rowtime).toBeUndefined();
  });

  it('expands * and alias.*, renaming a repeated name as Flink does', () => {
    const text = `${BID} ${AUCTION} ${sink()} INSERT INTO out FROM bid AS b
      |> JOIN auction AS a ON b.auction = a.id UID 'j' |> SELECT b.price, a.*;`;
    const graph = compileGraph(text);
    expect(fieldNames(operatorOf(graph, 'project')).slice(0, 3)).toEqual(['price', 'id', 'item_name']);
    const star = compileGraph(text.replace('SELECT b.price, a.*', 'SELECT *'));
    expect(fieldNames(operatorOf(star, 'project')).filter((n) => n.startsWith('date_time'))).toEqual(['date_time', 'date_time0']);
  });

  it('keeps qualifiers of passed-through columns, so later steps can still write b.price', () => {
    compileGraph(`${BID} ${sink()} INSERT INTO out FROM bid AS b |> SELECT b.price |> WHERE b.price > 1;`);
  });

  it('reports two explicit columns of one name, and an unknown alias.*', () => {
    expect(reported(select('price, auction AS price'))).toEqual(["DuplicateOutputName @ 'price'"]);
    expect(reported(select('x.*'))).toEqual(["UnknownStarQualifier @ 'x.*'"]);
  });
});

describe('EXTEND', () => {
  it('keeps every column, its time attribute and qualifier, and appends the new unqualified ones', () => {
    const text = `${BID} ${sink()} INSERT INTO out FROM bid AS b |> EXTEND price * 2 AS double_price |> WHERE b.price < double_price;`;
    const project = operatorOf(compileGraph(text), 'project');
    expect(fieldNames(project)).toEqual(['auction', 'bidder', 'price', 'channel', 'url', 'date_time', 'extra', 'double_price']);
    expect(project.output.rowtime).toBe(5);
  });

  it('reports a new name that an input column already has', () => {
    expect(reported(`${BID} ${sink()} INSERT INTO out FROM bid |> EXTEND price * 2 AS price;`)).toEqual(["DuplicateOutputName @ 'price'"]);
  });
});
