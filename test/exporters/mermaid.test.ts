import { describe, expect, it } from 'vitest';
import { toMermaid } from '../../compiler/exporters/mermaid.js';
import { sampleGraph } from '../graph/sample-graph.js';

describe('toMermaid', () => {
  it('draws one subgraph per chain with generated node ids', () => {
    expect(toMermaid(sampleGraph())).toMatchInlineSnapshot(`
      "%% pipeline nexmark-q5
      flowchart TB
        subgraph task0["task bid-source (p=2)"]
          op0["Source: bid<br/>source · uid bid-source<br/>nexmark(bid)<br/>p=2<br/>state: splits (operator list)"]
          op1["Filter(price #gt; 100)<br/>filter · no uid<br/>p=2"]
        end
        subgraph task1["task count-per-auction (p=2)"]
          op2["WindowAggregate(HOP)<br/>window_aggregate · uid count-per-auction<br/>HOP(2 s, 10 s) BY auction: COUNT(*) AS num<br/>p=2<br/>state: windows (keyed map, key BIGINT)"]
          op3["Project<br/>project · no uid<br/>auction, num, MOD(auction, 123) = 0 AS lucky<br/>p=2"]
          op4["Sink: out<br/>sink · uid out<br/>file(/tmp/out, exactly-once)<br/>p=2<br/>state: pending-commits (operator list)"]
        end
        op0 -->|"forward"| op1
        op1 -->|"hash(auction)"| op2
        op2 -->|"forward"| op3
        op3 -->|"forward"| op4
      "
    `);
  });

  it('escapes quotes, brackets, pipes and entity markers in labels', () => {
    const graph = sampleGraph();
    graph.operators[1] = { ...graph.operators[1]!, name: 'Filter["a" | {b} <c> #1 & `d`]' };
    expect(toMermaid(graph)).toContain('op1["Filter#91;#quot;a#quot; #124; #123;b#125; #lt;c#gt; #35;1 #amp; #96;d#96;#93;<br/>');
  });
});
