import { afterEach, describe, expect, it } from 'vitest';
import type { Operator } from '../../../compiler/graph/job-graph.js';
import { RowKind } from '../../../runtime/record-batch.js';
import { sortRows } from '../changelog.js';
import { OperatorHarness } from '../operator-harness.js';
import { compilePipe, runPipe } from '../run-pipe.js';
import { expectedTotals, payments, processProgram, tumblingTotals } from './process-fixtures.js';

const program = processProgram('tumbling_totals(amount) PARTITION BY account');
const compileOptions = { functions: { processes: [tumblingTotals] } };
const processFunctions = { tumbling_totals: tumblingTotals };
const rows = payments(4000);

const harnesses: OperatorHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function openProcess(options: Parameters<typeof OperatorHarness.open>[1] = {}): Promise<OperatorHarness> {
  const operator: Operator = compilePipe(program, compileOptions).operators.find((o) => o.uid === 'p')!;
  const harness = await OperatorHarness.open(operator, { processFunctions, ...options });
  harnesses.push(harness);
  return harness;
}

function feed(harness: OperatorHarness, input: readonly unknown[][], watermarkDelay = 2000): void {
  let maxTime = -Infinity;
  for (let i = 0; i < input.length; i += 64) {
    const batch = input.slice(i, i + 64);
    harness.process(batch);
    for (const row of batch) maxTime = Math.max(maxTime, row[2] as number);
    harness.watermark(maxTime - watermarkDelay);
  }
}

describe('a keyed process function with state and event-time timers', () => {
  it.each([1, 2])('gives the reference result at parallelism %i, out-of-order rows included, NULL keys too', async (parallelism) => {
    const run = await runPipe(program, { sources: { payments: rows }, parallelism, compile: compileOptions, job: { processFunctions, batchSize: 100 } });
    const out = run.sinks['out']!;
    expect(sortRows(out.rows)).toEqual(sortRows(expectedTotals(rows)));
    expect(out.rows.some((r) => r[0] === null)).toBe(true);
    expect(out.kinds.every((k) => k === RowKind.INSERT)).toBe(true);
  });

  it('fires timers before forwarding the watermark that is due, and the rest at the end of input', async () => {
    const harness = await openProcess();
    harness.process([['a', 1, 1_000], ['a', 2, 9_999], ['b', 4, 12_000]]);
    harness.watermark(9_998);
    expect(harness.output.rows).toEqual([]);
    harness.watermark(9_999);
    expect(harness.output.rows).toEqual([['a', 0, 3, 2]]);
    expect(harness.watermarks).toEqual([9_998, 9_999]);
    await harness.finish();
    expect(harness.output.rows).toEqual([['a', 0, 3, 2], ['b', 10_000, 4, 1]]);
  });

  it('sees late rows with their time behind the watermark and may skip them (the runtime does not drop them for it)', async () => {
    const harness = await openProcess();
    harness.process([['a', 1, 1_000]]);
    harness.watermark(10_500);
    harness.process([['a', 100, 2_000], ['a', 5, 11_000]]);
    await harness.finish();
    expect(harness.output.rows).toEqual([['a', 0, 1, 1], ['a', 10_000, 5, 1]]);
    expect(harness.host.metrics.lateRowsDropped).toBe(0);
  });

  it('leaves no state behind once every window has fired: map entries and timers are cleared', async () => {
    const harness = await openProcess();
    feed(harness, rows.slice(0, 500));
    expect((await harness.keyedEntries()).length).toBeGreaterThan(0);
    harness.watermark(Infinity);
    expect(await harness.keyedEntries()).toEqual([]);
  });

  it('restored midway, timers included, ends with the output of an uninterrupted run', async () => {
    const straight = await openProcess();
    feed(straight, rows);
    await straight.finish();

    const before = await openProcess();
    feed(before, rows.slice(0, 1500));
    const snapshot = await before.snapshot();
    expect(snapshot.keyed).toContain('__timers.event');
    const after = await openProcess({ restore: snapshot });
    feed(after, rows.slice(1500));
    await after.finish();

    expect([...before.output.rows, ...after.output.rows]).toEqual(straight.output.rows);
  });
});
