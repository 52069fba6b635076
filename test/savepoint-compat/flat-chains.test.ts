import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { describeOperator } from '../../compiler/exporters/describe.js';
import { summarize } from '../../compiler/exporters/summary.js';
import { graphDigest } from '../../compiler/graph/digest.js';
import { JobGraphSchema } from '../../compiler/graph/job-graph.js';
import { checkCompatibility } from '../../compiler/savepoint-compat/check.js';
import { codesOf, graphOf, snapshotOf } from './pipe-pairs.js';

/**
 * Chains of one operator level became flat nodes (issue 8 item 9). A graph compiled before that, as a savepoint's
 * metadata holds it, must still load, keep its digest, and be judged the same program: chains in a WHERE, an
 * EXTEND, a watermark, aggregate arguments and grouping keys.
 */
const fixture = (name: string) => new URL(`fixtures/${name}`, import.meta.url);

describe('a graph compiled before chains were flat', async () => {
  const text = await readFile(fixture('chains.pipe'), 'utf8');
  const before = JSON.parse(await readFile(fixture('chains-before-flat.json'), 'utf8')) as { graphDigest: string; graph: unknown };
  const previous = JobGraphSchema.parse(before.graph);
  const next = graphOf(text, 'chains.pipe');

  it('loads, and the same program has the same digest', () => {
    expect(graphDigest(next)).toBe(before.graphDigest);
    expect(graphDigest(previous)).toBe(before.graphDigest);
  });

  it('reads the same: every operator and the summary', () => {
    expect(next.operators.map(describeOperator)).toEqual(previous.operators.map(describeOperator));
    expect(summarize(next)).toBe(summarize(previous));
    // Not trivially: the new graph holds flat chains where the old one nested calls.
    expect(JSON.stringify(next)).toContain('"op":"chain"');
    expect(JSON.stringify(previous)).not.toContain('"op":"chain"');
  });

  it('restores into the program compiled today as it is, with no findings', () => {
    const report = checkCompatibility(previous, next, snapshotOf(previous), { allowNonRestoredState: false });
    expect(report.restorable).toBe(true);
    expect(codesOf(report, 'stats', 'windows')).toEqual([]);
    expect(report.operators.flatMap((op) => op.states.map((s) => s.verdict))).toEqual(report.operators.flatMap((op) => op.states.map(() => 'compatible')));
  });
});
