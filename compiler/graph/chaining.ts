import type { Chain, Edge, Operator } from './job-graph.js';

/**
 * Operators in topological order, or undefined when the edges form a cycle. Among operators that are ready at
 * the same time, the one listed first in `operators` comes first, so the order (and every chain id) is
 * deterministic. Every edge must name operators of the list.
 */
export function topologicalOrder(operators: readonly Operator[], edges: readonly Edge[]): Operator[] | undefined {
  const position = new Map(operators.map((op, i) => [op.id, i]));
  const pendingInputs = operators.map(() => 0);
  const successors: number[][] = operators.map(() => []);
  for (const edge of edges) {
    const from = position.get(edge.from);
    const to = position.get(edge.to);
    if (from === undefined || to === undefined) {
      throw new Error(`edge ${edge.from} → ${edge.to} names an operator that is not in the graph`);
    }
    successors[from]!.push(to);
    pendingInputs[to]! += 1;
  }
  // Ready operators kept sorted by position: graphs are small, so a sorted array beats a heap in clarity.
  const ready = operators.flatMap((_, i) => (pendingInputs[i] === 0 ? [i] : []));
  const order: Operator[] = [];
  while (ready.length > 0) {
    const next = ready.shift()!;
    order.push(operators[next]!);
    for (const succ of successors[next]!) {
      pendingInputs[succ]! -= 1;
      if (pendingInputs[succ] === 0) {
        const at = ready.findIndex((i) => i > succ);
        ready.splice(at === -1 ? ready.length : at, 0, succ);
      }
    }
  }
  return order.length === operators.length ? order : undefined;
}

/**
 * Groups operators into tasks as Flink chains them: B joins A's chain when the edge A→B is `forward`, it is
 * A's only outgoing edge and B's only incoming edge, both have the same parallelism, and B is not a source.
 * Chains are listed in topological order of their first operator, whose id is the chain's id.
 */
export function buildChains(operators: readonly Operator[], edges: readonly Edge[]): Chain[] {
  const outgoing = new Map<string, Edge[]>();
  const incoming = new Map<string, Edge[]>();
  for (const edge of edges) {
    (outgoing.get(edge.from) ?? outgoing.set(edge.from, []).get(edge.from)!).push(edge);
    (incoming.get(edge.to) ?? incoming.set(edge.to, []).get(edge.to)!).push(edge);
  }
  const byId = new Map(operators.map((op) => [op.id, op]));
  const chainOf = new Map<string, { id: string; operators: string[]; parallelism: number }>();
  const chains: { id: string; operators: string[]; parallelism: number }[] = [];

  const order = topologicalOrder(operators, edges);
  if (order === undefined) throw new Error('the planner produced a job graph with a cycle');
  for (const op of order) {
    const inputs = incoming.get(op.id) ?? [];
    const input = inputs.length === 1 ? inputs[0]! : undefined;
    const upstream = input === undefined ? undefined : byId.get(input.from)!;
    const chainable =
      input !== undefined &&
      upstream !== undefined &&
      input.partitioning === 'forward' &&
      outgoing.get(upstream.id)!.length === 1 &&
      upstream.parallelism === op.parallelism &&
      op.spec.kind !== 'source';
    if (chainable) {
      const chain = chainOf.get(upstream.id)!;
      chain.operators.push(op.id);
      chainOf.set(op.id, chain);
    } else {
      const chain = { id: op.id, operators: [op.id], parallelism: op.parallelism };
      chains.push(chain);
      chainOf.set(op.id, chain);
    }
  }
  return chains;
}
