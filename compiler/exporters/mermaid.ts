import type { JobGraph } from '../graph/job-graph.js';
import { edgeLabel, operatorLabelLines } from './describe.js';

/**
 * Mermaid entity codes for the characters that would end a quoted label or be read as markup or shape syntax;
 * `#` goes first since every code starts with it.
 */
const ENTITIES: readonly (readonly [string, string])[] = [
  ['#', '#35;'],
  ['&', '#amp;'],
  ['"', '#quot;'],
  ['<', '#lt;'],
  ['>', '#gt;'],
  ['[', '#91;'],
  [']', '#93;'],
  ['{', '#123;'],
  ['}', '#125;'],
  ['|', '#124;'],
  ['`', '#96;'],
];

function escape(text: string): string {
  return ENTITIES.reduce((s, [char, code]) => s.replaceAll(char, code), text);
}

function quote(...lines: string[]): string {
  return `"${lines.map(escape).join('<br/>')}"`;
}

/**
 * A Mermaid flowchart with the same information as the DOT export: one subgraph per chain (task), one node per
 * operator, edges labelled with partitioning and keys. Node ids are generated (`op0`, `op1`, …) since operator
 * ids may collide with Mermaid keywords such as `end`.
 */
export function toMermaid(graph: JobGraph): string {
  const nodeId = new Map(graph.operators.map((op, i) => [op.id, `op${i}`]));
  const byId = new Map(graph.operators.map((op) => [op.id, op]));
  const lines = [`%% pipeline ${graph.name.replaceAll('\n', ' ')}`, 'flowchart TB'];
  graph.chains.forEach((chain, i) => {
    lines.push(`  subgraph task${i}[${quote(`task ${chain.id} (p=${chain.parallelism})`)}]`);
    for (const id of chain.operators) {
      lines.push(`    ${nodeId.get(id)!}[${quote(...operatorLabelLines(byId.get(id)!))}]`);
    }
    lines.push('  end');
  });
  for (const edge of graph.edges) {
    const label = edgeLabel(edge, byId.get(edge.from), byId.get(edge.to)!);
    lines.push(`  ${nodeId.get(edge.from)!} -->|${quote(label)}| ${nodeId.get(edge.to)!}`);
  }
  return `${lines.join('\n')}\n`;
}
