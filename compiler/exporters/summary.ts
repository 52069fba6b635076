import type { Edge, JobGraph } from '../graph/job-graph.js';
import { describeEdge, describeInput, describeOperator, describeState, formatDuration } from './describe.js';

/** Longer operator descriptions are cut here so that one operator stays one readable line. */
const MAX_DESCRIPTION = 60;

function truncate(text: string): string {
  return text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 1)}…`;
}

function checkpointLine(graph: JobGraph): string {
  const { intervalMs, mode } = graph.config.checkpointing;
  return intervalMs === null
    ? 'checkpoints: off (set execution.checkpointing.interval to enable them)'
    : `checkpoints: every ${formatDuration(intervalMs)}, ${mode.toLowerCase().replace('_', '-')}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The human summary `sluice compile` prints: one line per operator (id, kind and what it does, parallelism,
 * state), task by task in topological order, each preceded by the edges that feed it:
 *
 *   pipeline 'nexmark-q5' — 6 operators in 4 tasks, parallelism 2, max parallelism 128
 *     [bid-source]        source nexmark(bid)                     p=2  state: splits (operator list)
 *     → hash(auction)
 *     [count-per-auction] window_aggregate HOP(2 s, 10 s) …       p=2  state: windows (keyed map, key BIGINT)
 *
 * A step with a state TTL ends its line with `ttl: 1 d after a key's last write`.
 * An edge names its sender unless it comes from the line just above; `(chained)` marks operators that run in
 * their upstream's task.
 */
export function summarize(graph: JobGraph): string {
  const byId = new Map(graph.operators.map((op) => [op.id, op]));
  const incoming = new Map<string, Edge[]>();
  for (const edge of graph.edges) {
    (incoming.get(edge.to) ?? incoming.set(edge.to, []).get(edge.to)!).push(edge);
  }
  const ordered = graph.chains.flatMap((chain) =>
    chain.operators.map((id) => {
      const op = byId.get(id)!;
      return { op, head: chain.operators[0] === id, what: truncate(`${op.spec.kind} ${describeOperator(op)}`) };
    }),
  );
  const idWidth = Math.max(0, ...ordered.map(({ op }) => op.id.length + 2));
  const whatWidth = Math.max(0, ...ordered.map(({ what }) => what.length));

  const lines = [
    `pipeline '${graph.name}' — ${plural(graph.operators.length, 'operator')} in ${plural(graph.chains.length, 'task')}, ` +
      `parallelism ${graph.config.parallelism}, max parallelism ${graph.config.maxParallelism}`,
    checkpointLine(graph),
  ];
  let previous: string | undefined;
  for (const { op, head, what } of ordered) {
    const edges = [...(incoming.get(op.id) ?? [])].sort((a, b) => a.toInput - b.toInput);
    for (const edge of edges) {
      const from = byId.get(edge.from);
      const input = describeInput(edge, op);
      const parts = [
        `→ ${describeEdge(edge, from)}`,
        edge.from === previous && edges.length === 1 ? '' : ` from [${edge.from}]`,
        input === undefined ? '' : ` (${input})`,
        head ? '' : ' (chained)',
      ];
      lines.push(`  ${parts.join('')}`);
    }
    const state = op.state.length === 0 ? '' : `  state: ${op.state.map(describeState).join('; ')}`;
    const ttlMs = 'stateTtlMs' in op.spec ? op.spec.stateTtlMs : undefined;
    const ttl = ttlMs === undefined ? '' : `  ttl: ${formatDuration(ttlMs)} after a key's last write`;
    lines.push(`  ${`[${op.id}]`.padEnd(idWidth)} ${what.padEnd(whatWidth)}  p=${op.parallelism}${state}${ttl}`.trimEnd());
    previous = op.id;
  }
  return `${lines.join('\n')}\n`;
}
