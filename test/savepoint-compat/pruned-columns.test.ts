import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { graphDigest } from '../../compiler/graph/digest.js';
import { JobGraphSchema } from '../../compiler/graph/job-graph.js';
import { checkCompatibility } from '../../compiler/savepoint-compat/check.js';
import { snapshotOf } from './pipe-pairs.js';

/**
 * Columns are now pruned before the exchange in front of a window aggregate (a `pruned-project-<n>` operator,
 * compiler/plan/project.ts) at parallelism 2 and more. A savepoint of Nexmark q5 at parallelism 2 compiled before
 * that must restore into q5 compiled today: same digest, same operators with the same ids and state, every state
 * compatible and no finding.
 */
const fixture = new URL('fixtures/q5-before-pruning.json', import.meta.url);

describe('a graph compiled before columns were pruned before exchanges', async () => {
  const before = JSON.parse(await readFile(fixture, 'utf8')) as { graphDigest: string; graph: unknown };
  const previous = JobGraphSchema.parse(before.graph);
  const text = await readFile(new URL('../../examples/nexmark/q5.pipe', import.meta.url), 'utf8');
  const next = JobGraphSchema.parse(compile(text, { file: 'q5.pipe', settings: { 'parallelism.default': '2' } }).value);

  it('has the same digest, and every operator of before, with its id and state, is still there', () => {
    expect(graphDigest(next)).toBe(before.graphDigest);
    expect(next.operators.map((op) => op.id)).toEqual(['bid-source', 'pruned-project-1', ...previous.operators.map((op) => op.id).slice(1)]);
    for (const op of previous.operators) expect(next.operators.find((o) => o.id === op.id)!.state).toEqual(op.state);
  });

  it('restores into the program compiled today with every state compatible and no finding', () => {
    const report = checkCompatibility(previous, next, snapshotOf(previous), { allowNonRestoredState: false });
    expect(report.restorable).toBe(true);
    const states = report.operators.flatMap((op) => op.states);
    expect(states.length).toBeGreaterThan(0);
    expect(states.map((s) => s.verdict)).toEqual(states.map(() => 'compatible'));
    expect(report.operators.flatMap((op) => [...op.findings, ...op.states.flatMap((s) => s.reasons)])).toEqual([]);
  });
});
