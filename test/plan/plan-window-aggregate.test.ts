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

describe('at parallelism 2, columns the window aggregate does not read are pruned before its exchange', () => {
  const compileGraph2 = (text: string) => compileGraph(text, { settings: { 'parallelism.default': '2' } });

  it('folds into one window_aggregate after a projection of the columns it reads, in the source\'s chain', () => {
    const graph = compileGraph2(program(`${TUMBLE} |> AGGREGATE COUNT(*) AS bids, SUM(price) AS total GROUP BY auction, window_start, window_end UID 'per-auction'`));
    expect(kinds(graph)).toEqual(['source', 'project', 'window_aggregate', 'sink']);
    // The bids' 7 columns are pruned to the 3 the aggregate reads before the exchange, in the source's chain.
    const pruned = operatorOf(graph, 'project');
    expect(pruned.id).toBe('pruned-project-1');
    expect(fieldNames(pruned)).toEqual(['auction', 'price', 'date_time']);
    expect(pruned.output).toMatchObject({ changelog: 'append', rowtime: 2 });
    const agg = operatorOf(graph, 'window_aggregate');
    expect(agg.spec).toMatchObject({
      window: { type: 'tumble', timeIndex: 2, sizeMs: 10_000 },
      keys: [{ op: 'column', index: 0 }],
      aggregates: [{ name: 'bids', args: [] }, { name: 'total', args: [{ op: 'column', index: 1, name: 'price' }] }],
    });
    expect(agg.inputs[0]).toEqual(pruned.output);
    expect(fieldNames(agg)).toEqual(['auction', 'window_start', 'window_end', 'bids', 'total']);
    expect(agg.output).toMatchObject({ changelog: 'append', rowtime: 2, window: { start: 1, end: 2, spec: { timeIndex: 2 } } });
    expect(graph.edges).toEqual([
      { from: 'bid-source', to: 'pruned-project-1', toInput: 0, partitioning: 'forward' },
      expect.objectContaining({ from: 'pruned-project-1', to: 'per-auction', partitioning: 'hash', keys: [expect.objectContaining({ op: 'column', index: 0 })] }),
      expect.objectContaining({ from: 'per-auction', to: 'out-sink' }),
    ]);
  });

  it('re-bases keys and arguments that are expressions onto the pruned row', () => {
    const graph = compileGraph2(program(`${TUMBLE} |> AGGREGATE SUM(price * 2) AS doubled GROUP BY bidder + 1 AS next_bidder, window_start, window_end UID 'a'`));
    expect(fieldNames(operatorOf(graph, 'project'))).toEqual(['bidder', 'price', 'date_time']);
    const spec = specOf(graph, 'window_aggregate');
    expect(JSON.stringify(spec.keys)).toContain('"op":"column","index":0,"name":"bidder"');
    expect(JSON.stringify(spec.aggregates[0]!.args)).toContain('"op":"column","index":1,"name":"price"');
    expect(spec.window).toMatchObject({ timeIndex: 2 });
  });

  it('prunes nothing when the aggregate reads every column', () => {
    const graph = compileGraph2(`CREATE SOURCE t (k BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen', 'number-of-rows' = '10') UID 't';
      ${sink()} INSERT INTO out FROM t ${"|> WINDOW TUMBLE(ts, INTERVAL '10' SECOND)"} |> AGGREGATE COUNT(*) AS n GROUP BY k, window_start, window_end UID 'a';`);
    expect(kinds(graph)).toEqual(['source', 'window_aggregate', 'sink']);
  });

  it('prunes nothing at parallelism 1, where the exchange hands batches on by reference', () => {
    const graph = compileGraph(program(`${TUMBLE} |> AGGREGATE COUNT(*) AS n GROUP BY auction, window_start, window_end UID 'a'`));
    expect(kinds(graph)).toEqual(['source', 'window_aggregate', 'sink']);
  });

  it('numbers pruning projections apart: the ids of the other operators do not change', () => {
    const graph = compileGraph2(program(`${TUMBLE} |> AGGREGATE COUNT(*) AS n GROUP BY window_start, window_end, auction UID 'a' |> SELECT auction, n`));
    expect(graph.operators.map((op) => op.id)).toEqual(['bid-source', 'pruned-project-1', 'a', 'project-1', 'project-2', 'out-sink']);
  });
});
