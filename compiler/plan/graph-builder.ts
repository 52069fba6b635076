import type { Span } from '../../grammar/ast/index.js';
import type { TypedExpr } from '../expressions/typed-expr.js';
import type { Edge, Operator, OperatorSpec, StateDescriptor, StreamSchema } from '../graph/job-graph.js';

/** An operator as the planner creates it; its final id and origin are given by `GraphBuilder.build`. */
export interface OperatorDraft {
  readonly uid: string | null;
  readonly name: string;
  readonly inputs: readonly StreamSchema[];
  readonly output: StreamSchema;
  readonly state: readonly StateDescriptor[];
  /** The AST node the operator comes from. */
  readonly span: Span;
  readonly spec: OperatorSpec;
  /**
   * Where a generated id does not start with the kind: operators the planner adds on its own (a projection pushed
   * before an exchange) are numbered apart, so that adding them leaves every other operator's id as it was.
   */
  readonly idStem?: string;
}

interface DraftEdge {
  readonly from: number;
  readonly to: number;
  readonly toInput: number;
  readonly keys: readonly TypedExpr[] | undefined;
}

export type OriginOf = (span: Span) => Operator['origin'];

function indexOf(node: string): number {
  return Number(node.slice(1));
}

/**
 * Collects operators and edges while the program is planned, under provisional ids (`#3`). `build` keeps only
 * the operators whose rows reach a sink (an unused source or view plans to nothing) and then gives each its
 * final id: its uid, else `<kind>-<n>` (or `<idStem>-<n>`) numbered per kind (stem) in program order, skipping
 * ids a uid already took.
 */
export class GraphBuilder {
  private readonly drafts: OperatorDraft[] = [];
  private readonly edges: DraftEdge[] = [];

  constructor(
    readonly parallelism: number,
    private readonly originOf: OriginOf,
  ) {}

  add(draft: OperatorDraft): string {
    this.drafts.push(draft);
    return `#${this.drafts.length - 1}`;
  }

  /** A `hash` edge partitioned by `keys` (evaluated over `from`'s output row) when given, else `forward`. */
  connect(from: string, to: string, toInput: number, keys?: readonly TypedExpr[]): void {
    this.edges.push({ from: indexOf(from), to: indexOf(to), toInput, keys });
  }

  build(): { operators: Operator[]; edges: Edge[] } {
    const live = this.reachingSinks();
    const ids = this.assignIds(live);
    const operators = this.drafts.flatMap((draft, i): Operator[] =>
      live.has(i)
        ? [
            {
              id: ids.get(i)!,
              uid: draft.uid,
              name: draft.name,
              parallelism: this.parallelism,
              inputs: [...draft.inputs],
              output: draft.output,
              state: [...draft.state],
              origin: this.originOf(draft.span),
              spec: draft.spec,
            },
          ]
        : [],
    );
    const edges = this.edges.flatMap((edge): Edge[] => {
      if (!live.has(edge.to)) return [];
      const base = { from: ids.get(edge.from)!, to: ids.get(edge.to)!, toInput: edge.toInput };
      return [edge.keys === undefined ? { ...base, partitioning: 'forward' } : { ...base, partitioning: 'hash', keys: [...edge.keys] }];
    });
    return { operators, edges };
  }

  private reachingSinks(): Set<number> {
    const upstream = this.drafts.map((): number[] => []);
    for (const edge of this.edges) upstream[edge.to]!.push(edge.from);
    const live = new Set<number>();
    const pending = this.drafts.flatMap((d, i) => (d.spec.kind === 'sink' ? [i] : []));
    while (pending.length > 0) {
      const node = pending.pop()!;
      if (live.has(node)) continue;
      live.add(node);
      pending.push(...upstream[node]!);
    }
    return live;
  }

  private assignIds(live: ReadonlySet<number>): Map<number, string> {
    const taken = new Set(this.drafts.flatMap((d, i) => (live.has(i) && d.uid !== null ? [d.uid] : [])));
    const counters = new Map<string, number>();
    const ids = new Map<number, string>();
    this.drafts.forEach((draft, i) => {
      if (!live.has(i)) return;
      if (draft.uid !== null) {
        ids.set(i, draft.uid);
        return;
      }
      const kind = draft.idStem ?? draft.spec.kind;
      let n = counters.get(kind) ?? 0;
      let id: string;
      do id = `${kind}-${++n}`;
      while (taken.has(id));
      counters.set(kind, n);
      taken.add(id);
      ids.set(i, id);
    });
    return ids;
  }
}
