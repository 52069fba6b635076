import { describe, expect, it } from 'vitest';
import type { Operator } from '../../../compiler/graph/job-graph.js';
import { RowKind } from '../../../runtime/record-batch.js';
import type { StateBackendType } from '../../../runtime/state/keyed-state-backend.js';
import { changelogLines } from '../changelog.js';
import { OperatorHarness, type HarnessOptions } from '../operator-harness.js';
import { compiledOperator, program, s } from './pipes.js';

/** What the operator receives, in order: batches (with change kinds for updating inputs) and watermarks. */
type Step = { readonly rows: unknown[][]; readonly kinds?: RowKind[] } | { readonly watermark: number };

function apply(harness: OperatorHarness, steps: readonly Step[]): void {
  for (const step of steps) {
    if ('watermark' in step) harness.watermark(step.watermark);
    else harness.process(step.rows, 0, step.kinds);
  }
}

async function uninterrupted(operator: Operator, steps: readonly Step[], options: HarnessOptions): Promise<string[]> {
  const harness = await OperatorHarness.open(operator, options);
  apply(harness, steps);
  await harness.finish();
  return changelogLines(harness.output);
}

/** Runs `steps` up to `at`, snapshots, abandons the subtask, restores a fresh one from the snapshot and finishes. */
async function restoredAt(operator: Operator, steps: readonly Step[], at: number, options: HarnessOptions): Promise<string[]> {
  const first = await OperatorHarness.open(operator, options);
  apply(first, steps.slice(0, at));
  const snapshot = await first.snapshot();
  await first.close();
  const second = await OperatorHarness.open(operator, { ...options, restore: snapshot });
  apply(second, steps.slice(at));
  await second.finish();
  return [...changelogLines(first.output), ...changelogLines(second.output)];
}

/** Click batches (user, page, amount, ts), time moving forward with some disorder, a watermark after each batch. */
function clickSteps(batches: number): Step[] {
  const steps: Step[] = [];
  let i = 0;
  for (let b = 0; b < batches; b++) {
    const rows: unknown[][] = [];
    for (let r = 0; r < 6; r++, i++) rows.push([`u${i % 4}`, `p${(i * 5) % 7}`, i % 9 === 0 ? null : (i % 23) / 2, i * 700 + ((i * 7919) % 1500)]);
    steps.push({ rows }, { watermark: Math.max(...rows.map((row) => row[3] as number)) - 2000 });
  }
  return steps;
}

/** Updates of (user, page, top) as a continuous aggregate emits them: +I, then -U/+U pairs. */
function updateSteps(batches: number): Step[] {
  const tops = new Map<string, number>();
  const steps: Step[] = [];
  let i = 0;
  for (let b = 0; b < batches; b++) {
    const rows: unknown[][] = [];
    const kinds: RowKind[] = [];
    for (let r = 0; r < 4; r++, i++) {
      const user = `u${i % 3}`;
      const page = `p${(i * 5) % 4}`;
      const id = `${user}/${page}`;
      const top = (i * 37) % 50;
      const previous = tops.get(id);
      if (previous === undefined) {
        rows.push([user, page, top]);
        kinds.push(RowKind.INSERT);
      } else {
        rows.push([user, page, previous], [user, page, top]);
        kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
      }
      tops.set(id, top);
    }
    steps.push({ rows, kinds });
  }
  return steps;
}

const STACKED = program(`|> AGGREGATE MAX(amount) AS top GROUP BY user, page UID 'per-page'
  |> AGGREGATE MIN(top) AS low, MAX(top) AS high, AVG(top) AS mean, COUNT(DISTINCT top) AS levels GROUP BY user UID 'agg'`);
const aggregates = 'COUNT(*) AS n, SUM(amount) AS total, MIN(amount) AS low, COUNT(DISTINCT page) AS pages, LAST_VALUE(page) AS last_page';

/**
 * `ordered`: compare changelogs line for line. Window results are compared as sets: windows of different keys
 * firing at the same time come in timer-heap order, which a restore (rebuilding the heap) may change.
 */
const cases: { name: string; operator: () => Operator; steps: Step[]; ordered: boolean }[] = [
  {
    name: 'continuous aggregate',
    operator: () => compiledOperator(program(`|> AGGREGATE ${aggregates} GROUP BY user UID 'agg'`), 'agg', 'group_aggregate'),
    steps: clickSteps(12),
    ordered: true,
  },
  { name: 'continuous aggregate over updates', operator: () => compiledOperator(STACKED, 'agg', 'group_aggregate'), steps: updateSteps(12), ordered: true },
  ...['TUMBLE(ts, INTERVAL \'5\' SECOND)', 'HOP(ts, INTERVAL \'2\' SECOND, INTERVAL \'6\' SECOND)', 'SESSION(ts, INTERVAL \'1500\' MILLISECOND)'].map((window) => ({
    name: window.slice(0, window.indexOf('(')),
    operator: () =>
      compiledOperator(program(`|> WINDOW ${window} |> AGGREGATE ${aggregates} GROUP BY user, window_start, window_end UID 'agg'`), 'agg', 'window_aggregate'),
    steps: clickSteps(12),
    ordered: false,
  })),
];

describe('aggregate state through snapshot and restore', () => {
  for (const backend of ['memory', 'disk'] as const satisfies readonly StateBackendType[]) {
    for (const { name, operator, steps, ordered } of cases) {
      it(`${name} (${backend} backend): restoring midway gives the output of an uninterrupted run`, async () => {
        const graphOperator = operator();
        const comparable = (lines: string[]) => (ordered ? lines : lines.sort());
        const expected = await uninterrupted(graphOperator, steps, { backend });
        expect(expected.length).toBeGreaterThan(8);
        for (const at of [5, 12]) expect(comparable(await restoredAt(graphOperator, steps, at, { backend }))).toEqual(comparable(expected));
      });
    }
  }

  it('the restored session state still merges with later rows', async () => {
    const graphOperator = compiledOperator(
      program("|> WINDOW SESSION(ts, INTERVAL '5' SECOND) |> AGGREGATE COUNT(*) AS n GROUP BY user, window_start, window_end UID 'agg'"),
      'agg',
      'window_aggregate',
    );
    const steps: Step[] = [{ rows: [['a', 'p', 1, s(1)], ['a', 'p', 1, s(8)]] }, { rows: [['a', 'p', 1, s(5)]] }];
    expect(await restoredAt(graphOperator, steps, 1, {})).toEqual(['+I ["a",1000,13000,3]']);
  });
});
