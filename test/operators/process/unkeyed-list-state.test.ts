import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessFunction } from '../../../runtime/operators/process/process-function.js';
import { OperatorHarness } from '../operator-harness.js';
import { compilePipe, runPipe } from '../run-pipe.js';
import { payments, processProgram } from './process-fixtures.js';

/** Without PARTITION BY: pairs consecutive payments of a subtask, buffering the odd one in operator list state. */
const pairs: ProcessFunction = {
  name: 'pairs',
  args: [],
  rowFormat: 'array',
  output: [
    { name: 'first', type: { name: 'DOUBLE' }, nullable: true },
    { name: 'second', type: { name: 'DOUBLE' }, nullable: true },
  ],
  state: [{ name: 'pending', kind: 'list', valueType: [{ name: 'amount', type: { name: 'DOUBLE' }, nullable: true }] }],
  processElement(row, ctx) {
    const pending = ctx.state.list<number | null>('pending');
    const [waiting] = pending.get();
    if (waiting === undefined) {
      pending.add(row[1] as number | null);
    } else {
      pending.clear();
      ctx.emit([waiting, row[1]]);
    }
  },
};

const call = 'pairs()';
const options = { functions: { processes: [pairs] } };
const rows = payments(101);
const expected = Array.from({ length: 50 }, (_, i) => [rows[2 * i]![1], rows[2 * i + 1]![1]]);

const harnesses: OperatorHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function open(restore?: Awaited<ReturnType<OperatorHarness['snapshot']>>): Promise<OperatorHarness> {
  const operator = compilePipe(processProgram(call), options).operators.find((o) => o.uid === 'p')!;
  const harness = await OperatorHarness.open(operator, { processFunctions: { pairs }, ...(restore === undefined ? {} : { restore }) });
  harnesses.push(harness);
  return harness;
}

describe('a process function without PARTITION BY', () => {
  it('runs on its upstream subtask with operator list state (the compiler declares it so)', async () => {
    const run = await runPipe(processProgram(call), { sources: { payments: rows }, compile: options, job: { processFunctions: { pairs }, batchSize: 10 } });
    expect(run.sinks['out']!.rows).toEqual(expected);
    expect(run.graph.operators.find((o) => o.uid === 'p')!.state).toMatchObject([{ name: 'pending', scope: 'operator', kind: 'list' }]);
  });

  it('keeps its list across a snapshot and restore', async () => {
    const before = await open();
    before.process(rows.slice(0, 51));
    const snapshot = await before.snapshot();
    expect(snapshot.operatorState).toEqual([{ name: 'pending', redistribution: 'split', items: [rows[50]![1]] }]);
    const after = await open(snapshot);
    after.process(rows.slice(51));
    expect([...before.output.rows, ...after.output.rows]).toEqual(expected);
  });
});
