import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessContext, ProcessFunction } from '../../../runtime/operators/process/process-function.js';
import { RowKind } from '../../../runtime/record-batch.js';
import { OperatorHarness } from '../operator-harness.js';
import { compilePipe, runPipe } from '../run-pipe.js';
import { payments, processProgram } from './process-fixtures.js';

const harnesses: OperatorHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

/** The process operator of `processProgram(call)` with `fn` registered, in a harness. */
async function harnessFor(fn: ProcessFunction, call: string): Promise<OperatorHarness> {
  const operator = compilePipe(processProgram(call), { functions: { processes: [fn] } }).operators.find((o) => o.uid === 'p')!;
  const harness = await OperatorHarness.open(operator, { processFunctions: { [fn.name]: fn } });
  harnesses.push(harness);
  return harness;
}

interface Seen {
  row: unknown;
  args: readonly unknown[];
  timestamp: number | null;
  kind: string;
  key: readonly unknown[] | undefined;
  watermark: number;
}

function recordCalls(seen: Seen[]) {
  return (row: unknown, ctx: ProcessContext) => {
    seen.push({ row, args: ctx.args, timestamp: ctx.timestamp, kind: ctx.kind, key: ctx.currentKey, watermark: ctx.currentWatermark });
  };
}

const passThrough = { args: [{ name: 'DOUBLE' as const }, { name: 'STRING' as const }], output: 'input' as const, state: [] };

describe('what a process function is given and may emit', () => {
  it('object rows by column name, evaluated arguments, the row time, kind, key and watermark', async () => {
    const seen: Seen[] = [];
    const harness = await harnessFor({ name: 'spy', ...passThrough, processElement: recordCalls(seen) }, "spy(amount * 2, UPPER(account)) PARTITION BY account");
    harness.watermark(500);
    harness.process([['a', 1.5, 1_000], [null, null, null]]);
    expect(seen).toEqual([
      { row: { account: 'a', amount: 1.5, paid_at: 1_000 }, args: [3, 'A'], timestamp: 1_000, kind: '+I', key: ['a'], watermark: 500 },
      { row: { account: null, amount: null, paid_at: null }, args: [null, null], timestamp: null, kind: '+I', key: [null], watermark: 500 },
    ]);
  });

  it("arrays in column order, uncopied, with rowFormat 'array'", async () => {
    const seen: Seen[] = [];
    const harness = await harnessFor({ name: 'spy', ...passThrough, rowFormat: 'array', processElement: recordCalls(seen) }, 'spy(amount, account)');
    const row = ['a', 1.5, 1_000];
    harness.process([row]);
    expect(seen[0]!.row).toBe(row);
    expect(seen[0]!.key).toBeUndefined();
  });

  it("emits objects (absent columns NULL, Dates for TIMESTAMP) or arrays; an 'input' function may emit its rows back", async () => {
    const fn: ProcessFunction = {
      name: 'echo',
      ...passThrough,
      processElement(row, ctx) {
        ctx.emit(row);
        ctx.emit({ account: 'x', paid_at: new Date(5) });
        ctx.emit(['y', 2, 7]);
      },
    };
    const harness = await harnessFor(fn, 'echo(amount, account)');
    harness.process([['a', 1.5, 1_000]]);
    expect(harness.output.rows).toEqual([['a', 1.5, 1_000], ['x', null, 5], ['y', 2, 7]]);
  });

  it('sends what one batch made emit downstream as one batch', async () => {
    const fn: ProcessFunction = { name: 'echo', ...passThrough, rowFormat: 'array', processElement: (row, ctx) => ctx.emit(row) };
    const harness = await harnessFor(fn, 'echo(amount, account)');
    harness.process(payments(300));
    expect(harness.batchSizes).toEqual([300]);
  });

  it('runs from one definition object through compile() and Job.start, calling open and close once per subtask', async () => {
    const calls: string[] = [];
    const fn: ProcessFunction = {
      name: 'lifecycle',
      args: [],
      output: [{ name: 'n', type: { name: 'BIGINT' }, nullable: false }],
      state: [],
      open: (ctx) => calls.push(`open ${ctx.uid} ${ctx.subtask}/${ctx.parallelism} restored=${ctx.isRestored}`),
      processElement: (_row, ctx) => ctx.emit({ n: 1 }),
      close: () => calls.push('close'),
    };
    const run = await runPipe(processProgram('lifecycle()'), {
      sources: { payments: payments(10) },
      compile: { functions: { processes: [fn] } },
      job: { processFunctions: { lifecycle: fn } },
    });
    expect(run.sinks['out']!.rows).toEqual(Array.from({ length: 10 }, () => [1]));
    expect(run.sinks['out']!.kinds.every((k) => k === RowKind.INSERT)).toBe(true);
    expect(calls).toEqual(['open p 0/1 restored=false', 'close']);
  });

  it('gives every subtask its own instance, so fields set in open are per subtask', async () => {
    const fn: ProcessFunction & { subtask?: number } = {
      name: 'whoami',
      args: [],
      output: [{ name: 'subtask', type: { name: 'INT' }, nullable: false }],
      state: [],
      open(ctx) {
        this.subtask = ctx.subtask;
      },
      processElement(_row, ctx) {
        ctx.emit([this.subtask]);
      },
    };
    const run = await runPipe(processProgram('whoami() PARTITION BY account'), {
      sources: { payments: payments(200) },
      parallelism: 2,
      compile: { functions: { processes: [fn] } },
      job: { processFunctions: { whoami: fn } },
    });
    expect(new Set(run.sinks['out']!.rows.map((r) => r[0]))).toEqual(new Set([0, 1]));
    expect(fn.subtask).toBeUndefined();
  });

  it('accepts the CLI loader’s definition (signature plus implementation) in Job.start', async () => {
    const fn: ProcessFunction = { name: 'echo', ...passThrough, rowFormat: 'array', processElement: (row, ctx) => ctx.emit(row) };
    const run = await runPipe(processProgram('echo(amount, account)'), {
      sources: { payments: [['a', 1, 2]] },
      compile: { functions: { processes: [fn] } },
      job: { processFunctions: { echo: { name: 'echo', args: fn.args, output: fn.output, state: fn.state, implementation: fn } } },
    });
    expect(run.sinks['out']!.rows).toEqual([['a', 1, 2]]);
  });
});
