import { describe, expect, it } from 'vitest';
import { summarize } from '../../compiler/exporters/summary.js';
import { column, filterSpec, forward, hash, makeOperator, sampleGraph, sourceSpec } from '../graph/sample-graph.js';

describe('summarize', () => {
  it('lists operators task by task with the edges between them', () => {
    expect(summarize(sampleGraph())).toMatchInlineSnapshot(`
      "pipeline 'nexmark-q5' — 5 operators in 2 tasks, parallelism 2, max parallelism 128
      checkpoints: every 10 s, exactly-once
        [bid-source]        source nexmark(bid)                                          p=2  state: splits (operator list)
        → forward (chained)
        [filter-1]          filter price > 100                                           p=2
        → hash(auction)
        [count-per-auction] window_aggregate HOP(2 s, 10 s) BY auction: COUNT(*) AS num  p=2  state: windows (keyed map, key BIGINT)
        → forward (chained)
        [project-3]         project auction, num, MOD(auction, 123) = 0 AS lucky         p=2
        → forward (chained)
        [out]               sink file(/tmp/out, exactly-once)                            p=2  state: pending-commits (operator list)
      "
    `);
  });

  it('names the sender and the input of each edge into a join', () => {
    const graph = sampleGraph();
    const join = makeOperator(
      'join-bids',
      { kind: 'join', joinType: 'inner', leftKeys: [column(0, 'auction')], rightKeys: [column(0, 'auction')] },
      { uid: 'join-bids', inputs: [graph.operators[0]!.output, graph.operators[0]!.output] },
    );
    graph.operators = [makeOperator('left', sourceSpec('bid')), makeOperator('right', sourceSpec('bid')), makeOperator('f', filterSpec), join];
    graph.edges = [forward('right', 'f'), hash('left', 'join-bids', [column(0, 'auction')]), hash('f', 'join-bids', [column(0, 'auction')], 1)];
    graph.chains = [
      { id: 'left', operators: ['left'], parallelism: 2 },
      { id: 'right', operators: ['right', 'f'], parallelism: 2 },
      { id: 'join-bids', operators: ['join-bids'], parallelism: 2 },
    ];
    graph.config = { ...graph.config, checkpointing: { ...graph.config.checkpointing, intervalMs: null } };
    expect(summarize(graph)).toMatchInlineSnapshot(`
      "pipeline 'nexmark-q5' — 4 operators in 3 tasks, parallelism 2, max parallelism 128
      checkpoints: off (set execution.checkpointing.interval to enable them)
        [left]      source nexmark(bid)              p=2
        [right]     source nexmark(bid)              p=2
        → forward (chained)
        [f]         filter price > 100               p=2
        → hash(auction) from [left] (left)
        → hash(auction) from [f] (right)
        [join-bids] join inner ON auction = auction  p=2
      "
    `);
  });

  it('calls a hash on no key global', () => {
    const graph = sampleGraph();
    graph.edges[1] = { ...graph.edges[1]!, keys: [] };
    expect(summarize(graph)).toContain('\n  → global\n  [count-per-auction]');
  });
});
