import { describe, expect, it } from 'vitest';
import { AUCTION, BID, compileGraph, operatorOf, reported, sink, specOf } from './planning.js';

const join = (on: string, type = 'JOIN'): string =>
  `${BID} ${AUCTION} ${sink()} INSERT INTO out FROM auction AS a |> ${type} bid AS b ON a.id = b.auction AND ${on} UID 'j';`;

describe('interval JOIN', () => {
  it.each([
    ["b.date_time BETWEEN a.date_time - INTERVAL '1' HOUR AND a.date_time", -3_600_000, 0],
    ["b.date_time >= a.date_time AND b.date_time <= a.date_time + INTERVAL '10' SECOND", 0, 10_000],
    ["a.date_time <= b.date_time AND a.date_time + INTERVAL '10' SECOND > b.date_time", 0, 9_999],
    ["a.date_time BETWEEN b.date_time - INTERVAL '5' SECOND AND b.date_time", 0, 5_000],
    ["b.date_time > a.date_time - INTERVAL '2' SECOND AND b.date_time < INTERVAL '2' SECOND + a.date_time", -1_999, 1_999],
    // Chains of offsets fold left as the nested form did.
    ["b.date_time BETWEEN a.date_time - INTERVAL '1' HOUR + INTERVAL '10' MINUTE AND a.date_time + INTERVAL '5' SECOND + INTERVAL '5' SECOND", -3_000_000, 10_000],
    ["b.date_time >= a.date_time AND b.date_time < INTERVAL '1' SECOND + INTERVAL '1' SECOND + a.date_time - INTERVAL '500' MILLISECOND", 0, 1_499],
  ])('bounds right.time - left.time from %s', (bounds, lowerMs, upperMs) => {
    const graph = compileGraph(join(bounds));
    expect(specOf(graph, 'interval_join')).toMatchObject({ lowerMs, upperMs, leftTimeIndex: 5, rightTimeIndex: 5 });
    expect(specOf(graph, 'interval_join').residual).toBeUndefined();
  });

  it('keeps the left time attribute and declares both sides as maps by event time', () => {
    const op = operatorOf(compileGraph(join("b.date_time BETWEEN a.date_time AND a.date_time + INTERVAL '1' MINUTE AND b.price > 1", 'LEFT JOIN')), 'interval_join');
    expect(op.output.rowtime).toBe(5);
    expect(op.output.changelog).toBe('append');
    expect(op.spec).toMatchObject({ joinType: 'left', residual: { type: { name: 'BOOLEAN' } } });
    expect(op.state.map((s) => [s.name, s.kind, s.mapKeyType?.map((f) => f.name), s.valueType.at(-1)?.name])).toEqual([
      ['left-rows', 'map', ['date_time'], 'matched'],
      ['right-rows', 'map', ['date_time'], 'extra'],
    ]);
  });

  it('with a bound on one side only, is a regular join with the bound as residual', () => {
    const graph = compileGraph(join('b.date_time BETWEEN a.date_time AND a.expires'));
    expect(specOf(graph, 'join').residual).toBeDefined();
    expect(reported(join('b.date_time BETWEEN a.date_time AND a.expires')).map((r) => r.split(' ')[0])).toEqual(['UnboundedJoinState']);
  });
});
