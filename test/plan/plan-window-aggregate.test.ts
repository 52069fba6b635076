import { describe, expect, it } from 'vitest';
import { BID, compileGraph, fieldNames, kinds, operatorOf, reported, sink, specOf } from './planning.js';

const program = (steps: string): string => `${BID} ${sink()} INSERT INTO out FROM bid ${steps};`;
const TUMBLE = "|> WINDOW TUMBLE(date_time, INTERVAL '10' SECOND)";

describe('WINDOW followed by AGGREGATE grouped by the window', () => {
  it('folds into one window_aggregate keyed by the other group keys', () => {
    const graph = compileGraph(program(`${TUMBLE} |> AGGREGATE COUNT(*) AS bids, SUM(price) AS total GROUP BY auction, window_start, window_end UID 'per-auction'`));
    expect(kinds(graph)).toEqual(['source', 'window_aggregate', 'sink']);
    const agg = operatorOf(graph, 'window_aggregate');
    expect(agg.spec).toMatchObject({ window: { type: 'tumble', timeIndex: 5, sizeMs: 10_000 }, keys: [{ op: 'column', index: 0 }] });
    expect(agg.inputs[0]!.fields).toHaveLength(7);
    expect(fieldNames(agg)).toEqual(['auction', 'window_start', 'window_end', 'bids', 'total']);
    expect(agg.output).toMatchObject({ changelog: 'append', rowtime: 2, window: { start: 1, end: 2, spec: { timeIndex: 2 } } });
    expect(graph.edges[0]).toMatchObject({ to: 'per-auction', partitioning: 'hash', keys: [{ op: 'column', index: 0 }] });
  });

  it('declares a map of windows to accumulators per key', () => {
    const agg = operatorOf(compileGraph(program(`${TUMBLE} |> AGGREGATE AVG(price) AS avg_price GROUP BY auction, window_start, window_end UID 'a'`)), 'window_aggregate');
    expect(agg.state).toEqual([
      {
        name: 'windows',
        scope: 'keyed',
        kind: 'map',
        keyType: [{ name: 'auction', type: { name: 'BIGINT' }, nullable: true }],
        mapKeyType: [
          { name: 'window_start', type: { name: 'TIMESTAMP', precision: 3 }, nullable: false },
          { name: 'window_end', type: { name: 'TIMESTAMP', precision: 3 }, nullable: false },
        ],
        valueType: [
          { name: 'avg_price.sum', type: { name: 'DOUBLE' }, nullable: false },
          { name: 'avg_price.count', type: { name: 'BIGINT' }, nullable: false },
        ],
        description: expect.any(String),
      },
    ]);
  });

  it('folds a view ending in WINDOW into the window aggregate of each reader', () => {
    const graph = compileGraph(`${BID} ${sink('a')} ${sink('b')} CREATE VIEW w AS FROM bid ${TUMBLE};
      INSERT INTO a FROM w |> AGGREGATE COUNT(*) AS n GROUP BY window_start, window_end UID 'count';
      INSERT INTO b FROM w |> AGGREGATE MAX(price) AS top GROUP BY auction, window_start, window_end UID 'top';`);
    expect(kinds(graph)).toEqual(['source', 'window_aggregate', 'window_aggregate', 'sink', 'sink']);
    expect(graph.edges.filter((e) => e.from === 'bid-source').map((e) => e.to)).toEqual(['count', 'top']);
  });

  it('restores the GROUP BY order with a projection when the window columns come first', () => {
    const graph = compileGraph(program(`${TUMBLE} |> AGGREGATE COUNT(*) AS n GROUP BY window_start, window_end, auction UID 'a'`));
    expect(kinds(graph)).toEqual(['source', 'window_aggregate', 'project', 'sink']);
    const project = operatorOf(graph, 'project');
    expect(fieldNames(project)).toEqual(['window_start', 'window_end', 'auction', 'n']);
    expect(project.output).toMatchObject({ rowtime: 1, window: { start: 0, end: 1 } });
  });

  it('supports SESSION windows, whose state merges sessions', () => {
    const graph = compileGraph(program("|> WINDOW SESSION(date_time, INTERVAL '1' MINUTE) |> AGGREGATE COUNT(*) AS n GROUP BY bidder, window_start, window_end UID 's'"));
    expect(specOf(graph, 'window_aggregate').window).toEqual({ type: 'session', timeIndex: 5, gapMs: 60_000 });
    expect(operatorOf(graph, 'window_aggregate').state[0]!.description).toContain('merged');
  });

  it('a global window aggregate hashes on an empty key', () => {
    const graph = compileGraph(program(`${TUMBLE} |> AGGREGATE MAX(price) AS top GROUP BY window_start, window_end UID 'g'`));
    expect(specOf(graph, 'window_aggregate').keys).toEqual([]);
    expect(graph.edges[0]).toMatchObject({ partitioning: 'hash', keys: [] });
  });

  it('aggregating by the window of a window aggregate\'s output is a window aggregate over rows that carry their window', () => {
    const graph = compileGraph(program(`${TUMBLE} |> AGGREGATE COUNT(*) AS n GROUP BY auction, window_start, window_end UID 'a'
      |> AGGREGATE MAX(n) AS top GROUP BY window_start, window_end UID 'b'`));
    expect(kinds(graph)).toEqual(['source', 'window_aggregate', 'window_aggregate', 'sink']);
    const second = graph.operators[2]!;
    expect(second.inputs[0]!.window).toMatchObject({ start: 1, end: 2 });
    expect(second.spec).toMatchObject({ window: { type: 'tumble', sizeMs: 10_000 }, keys: [] });
  });

  it('after other steps between WINDOW and AGGREGATE, assigns windows first', () => {
    const graph = compileGraph(program(`${TUMBLE} |> WHERE price > 10 |> AGGREGATE COUNT(*) AS n GROUP BY window_start, window_end UID 'a'`));
    expect(kinds(graph)).toEqual(['source', 'window_assign', 'filter', 'window_aggregate', 'sink']);
  });

  it('warns that the UID of a WINDOW folded into its aggregate is not used', () => {
    const text = program(`|> WINDOW TUMBLE(date_time, INTERVAL '10' SECOND) UID 'w' |> AGGREGATE COUNT(*) AS n GROUP BY window_start, window_end UID 'a'`);
    expect(reported(text)).toEqual(["UnusedWindowUid @ 'UID 'w''"]);
  });

  it('grouped by only one window column, is a continuous aggregate over assigned windows', () => {
    const graph = compileGraph(program(`${TUMBLE} |> AGGREGATE COUNT(*) AS n GROUP BY window_start UID 'a'`));
    expect(kinds(graph)).toEqual(['source', 'window_assign', 'group_aggregate', 'sink']);
  });
});
