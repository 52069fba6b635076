import type { JobGraph } from '../graph/job-graph.js';
import { edgeLabel, operatorLabelLines } from './describe.js';

/** A DOT double-quoted string; lines are joined with DOT's own `\n` escape. */
function quote(...lines: string[]): string {
  return `"${lines.map((line) => line.replaceAll('\\', '\\\\').replaceAll('"', '\\"')).join('\\n')}"`;
}

/**
 * Graphviz DOT for humans (`dot -Tsvg`): one cluster per chain (task), one box per operator labelled with its
 * name, kind, uid, what it does, parallelism and state; edges labelled with their partitioning and keys.
 * Sources and sinks get house shapes, stateful operators a bold outline.
 */
export function toDot(graph: JobGraph): string {
  const byId = new Map(graph.operators.map((op) => [op.id, op]));
  const lines = [
    `digraph ${quote(graph.name)} {`,
    '  rankdir=TB;',
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  graph.chains.forEach((chain, i) => {
    lines.push(`  subgraph cluster_${i} {`, `    label=${quote(`task ${chain.id} (p=${chain.parallelism})`)};`, '    style=dashed;');
    for (const id of chain.operators) {
      const op = byId.get(id)!;
      const shape = op.spec.kind === 'source' ? 'invhouse' : op.spec.kind === 'sink' ? 'house' : 'box';
      const style = op.state.length > 0 ? 'rounded,bold' : 'rounded';
      lines.push(`    ${quote(id)} [label=${quote(...operatorLabelLines(op))}, shape=${shape}, style="${style}"];`);
    }
    lines.push('  }');
  });
  for (const edge of graph.edges) {
    const label = edgeLabel(edge, byId.get(edge.from), byId.get(edge.to)!);
    lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)} [label=${quote(label)}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
