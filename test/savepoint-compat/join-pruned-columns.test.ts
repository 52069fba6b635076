import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { JobGraphSchema } from '../../compiler/graph/job-graph.js';
import { checkCompatibility } from '../../compiler/savepoint-compat/check.js';
import { snapshotOf } from './pipe-pairs.js';

/**
 * An inner regular join read only by the AGGREGATE after it now keeps only the columns it and the aggregate read
 * (`pruned-project-<n>` operators before it, compiler/plan/plan-join.ts), so its state declares narrower rows. A
 * savepoint of Nexmark q4 compiled before that restores into q4 compiled today, the dropped columns migrated away.
 */
const fixture = new URL('fixtures/q4-before-join-pruning.json', import.meta.url);

describe('a regular join compiled before its inputs were pruned', async () => {
  const before = JSON.parse(await readFile(fixture, 'utf8')) as { graph: unknown };
  const previous = JobGraphSchema.parse(before.graph);
  const text = await readFile(new URL('../../examples/nexmark/q4.pipe', import.meta.url), 'utf8');
  const next = JobGraphSchema.parse(compile(text, { file: 'q4.pipe' }).value);

  it('keeps every operator of before with its id; the join declares the pruned rows', () => {
    expect(next.operators.map((op) => op.id)).toEqual(['auction-source', 'bid-source', 'pruned-project-1', 'pruned-project-2', ...previous.operators.map((op) => op.id).slice(2)]);
    const join = next.operators.find((op) => op.uid === 'q4-auction-join-bid')!;
    expect(join.state.map((s) => [s.name, s.valueType.map((f) => f.name)])).toEqual([
      ['left-rows', ['id', 'date_time', 'expires', 'category']],
      ['right-rows', ['auction', 'price', 'date_time']],
    ]);
  });

  it('restores, the join\'s rows migrated by dropping the columns nothing reads, every other state as it is', () => {
    const report = checkCompatibility(previous, next, snapshotOf(previous), { allowNonRestoredState: false });
    expect(report.restorable).toBe(true);
    const states = report.operators.flatMap((op) => op.states.map((s) => ({ uid: op.uid, ...s })));
    const joinStates = states.filter((s) => s.uid === 'q4-auction-join-bid');
    expect(joinStates.map((s) => [s.name, s.verdict, s.migrations.map((m) => `${m.kind} ${m.column}`)])).toEqual([
      ['left-rows', 'compatible-after-migration', ['drop-column extra', 'drop-column seller', 'drop-column reserve', 'drop-column initial_bid', 'drop-column description', 'drop-column item_name']],
      ['right-rows', 'compatible-after-migration', ['drop-column extra', 'drop-column url', 'drop-column channel', 'drop-column bidder']],
    ]);
    expect(states.filter((s) => s.uid !== 'q4-auction-join-bid').map((s) => s.verdict)).toEqual(
      states.filter((s) => s.uid !== 'q4-auction-join-bid').map(() => 'compatible'),
    );
  });
});
