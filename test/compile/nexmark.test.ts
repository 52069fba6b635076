import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { JobGraphSchema, type OperatorKind } from '../../compiler/graph/job-graph.js';
import { specOf } from '../plan/planning.js';

/** The Nexmark queries of examples/nexmark and the operators Flink plans for them. */
const EXPECTED: Record<string, OperatorKind[]> = {
  q0: ['source', 'project', 'sink'],
  q1: ['source', 'project', 'sink'],
  q2: ['source', 'filter', 'project', 'sink'],
  q3: ['source', 'source', 'filter', 'filter', 'join', 'project', 'sink'],
  // The join keeps its sides' rows for ever: the columns neither it nor the aggregate reads are pruned before it.
  q4: ['source', 'source', 'project', 'project', 'join', 'group_aggregate', 'group_aggregate', 'sink'],
  q5: ['source', 'window_aggregate', 'window_aggregate', 'window_join', 'project', 'sink'],
  q7: ['source', 'window_aggregate', 'interval_join', 'project', 'sink'],
  q8: ['source', 'source', 'window_aggregate', 'window_aggregate', 'window_join', 'project', 'sink'],
};

function compileQuery(query: string) {
  const file = `examples/nexmark/${query}.pipe`;
  const result = compile(readFileSync(file, 'utf8'), { file });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return JobGraphSchema.parse(result.value);
}

describe('Nexmark queries', () => {
  it.each(Object.entries(EXPECTED))('%s compiles to the expected operators', (query, kinds) => {
    expect(compileQuery(query).operators.map((op) => op.spec.kind)).toEqual(kinds);
  });

  it('q4 aggregates the winning bids again, retracting a bid that is beaten', () => {
    const graph = compileQuery('q4');
    const perCategory = graph.operators.find((op) => op.id === 'q4-avg-per-category')!;
    expect(perCategory.inputs[0]).toMatchObject({ changelog: 'upsert', upsertKey: [0, 1] });
    expect(perCategory.state.map((s) => s.name)).toEqual(['accumulators', 'input-rows']);
  });

  it('q5 counts per auction per HOP window, then takes the maximum per window from the counts', () => {
    const graph = compileQuery('q5');
    const [count, max] = graph.operators.filter((op) => op.spec.kind === 'window_aggregate');
    expect(count!.spec).toMatchObject({ window: { type: 'hop', slideMs: 2_000, sizeMs: 10_000 } });
    expect(graph.edges.filter((e) => e.from === count!.id).map((e) => e.to)).toEqual([max!.id, 'q5-join-max']);
  });

  it('q7 joins the bids to the maxima of their window over a window length of event time', () => {
    const spec = specOf(compileQuery('q7'), 'interval_join');
    expect(spec).toMatchObject({ leftTimeIndex: 5, rightTimeIndex: 1 });
    expect(spec.upperMs - spec.lowerMs).toBe(10_000);
  });
});
