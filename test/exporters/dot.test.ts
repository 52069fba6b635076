import { describe, expect, it } from 'vitest';
import { toDot } from '../../compiler/exporters/dot.js';
import { sampleGraph } from '../graph/sample-graph.js';

describe('toDot', () => {
  it('draws one cluster per chain and labels operators and edges', () => {
    expect(toDot(sampleGraph())).toMatchInlineSnapshot(`
      "digraph "nexmark-q5" {
        rankdir=TB;
        node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];
        edge [fontname="Helvetica", fontsize=9];
        subgraph cluster_0 {
          label="task bid-source (p=2)";
          style=dashed;
          "bid-source" [label="Source: bid\\nsource · uid bid-source\\nnexmark(bid)\\np=2\\nstate: splits (operator list)", shape=invhouse, style="rounded,bold"];
          "filter-1" [label="Filter(price > 100)\\nfilter · no uid\\np=2", shape=box, style="rounded"];
        }
        subgraph cluster_1 {
          label="task count-per-auction (p=2)";
          style=dashed;
          "count-per-auction" [label="WindowAggregate(HOP)\\nwindow_aggregate · uid count-per-auction\\nHOP(2 s, 10 s) BY auction: COUNT(*) AS num\\np=2\\nstate: windows (keyed map, key BIGINT)", shape=box, style="rounded,bold"];
          "project-3" [label="Project\\nproject · no uid\\nauction, num, MOD(auction, 123) = 0 AS lucky\\np=2", shape=box, style="rounded"];
          "out" [label="Sink: out\\nsink · uid out\\nfile(/tmp/out, exactly-once)\\np=2\\nstate: pending-commits (operator list)", shape=house, style="rounded,bold"];
        }
        "bid-source" -> "filter-1" [label="forward"];
        "filter-1" -> "count-per-auction" [label="hash(auction)"];
        "count-per-auction" -> "project-3" [label="forward"];
        "project-3" -> "out" [label="forward"];
      }
      "
    `);
  });

  it('escapes quotes and backslashes in names', () => {
    const graph = sampleGraph();
    graph.name = 'say "hi" \\ bye';
    graph.operators[1] = { ...graph.operators[1]!, name: 'Filter(name = "x")' };
    const dot = toDot(graph);
    expect(dot).toContain('digraph "say \\"hi\\" \\\\ bye" {');
    expect(dot).toContain('[label="Filter(name = \\"x\\")\\nfilter · no uid\\nprice > 100\\np=2"');
  });
});
