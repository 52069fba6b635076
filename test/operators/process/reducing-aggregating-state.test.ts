import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compile } from '../../../compiler/compile.js';
import { Job } from '../../../runtime/execution/job.js';
import type { ProcessFunction } from '../../../runtime/operators/process/process-function.js';
import type { SinkCallback } from '../../../runtime/operators/callback-sink.js';

/** Per auction: the total of its prices (reducing state) and their mean (aggregating state), after each bid. */
const stats: ProcessFunction = {
  name: 'price_stats',
  args: [{ name: 'BIGINT' }],
  rowFormat: 'array',
  output: [
    { name: 'auction', type: { name: 'BIGINT' }, nullable: false },
    { name: 'total', type: { name: 'BIGINT' }, nullable: false },
    { name: 'mean', type: { name: 'DOUBLE' }, nullable: false },
  ],
  state: [
    { name: 'total', kind: 'reducing', valueType: [{ name: 'total', type: { name: 'BIGINT' }, nullable: false }], reduce: (a: number, b: number) => a + b },
    {
      name: 'mean',
      kind: 'aggregating',
      valueType: [
        { name: 'sum', type: { name: 'BIGINT' }, nullable: false },
        { name: 'count', type: { name: 'BIGINT' }, nullable: false },
      ],
      aggregate: {
        createAccumulator: () => ({ sum: 0, count: 0 }),
        add: (acc: { sum: number; count: number }, price: number) => ({ sum: acc.sum + price, count: acc.count + 1 }),
        getResult: (acc: { sum: number; count: number }) => acc.sum / acc.count,
      },
    },
  ],
  processElement(_row, ctx) {
    const price = ctx.args[0] as number;
    const total = ctx.state.reducing<number>('total');
    const mean = ctx.state.aggregating<number, number>('mean');
    total.add(price);
    mean.add(price);
    ctx.emit([ctx.currentKey![0], total.get(), mean.get()]);
  },
};

const PROGRAM = `
CREATE SOURCE bids (auction BIGINT NOT NULL, price BIGINT NOT NULL) WITH ('connector' = 'datagen') UID 'bids';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM bids |> PROCESS price_stats(price) PARTITION BY auction UID 'stats';`;

const bids = Array.from({ length: 600 }, (_, i) => [i % 7, (i * 37) % 101]);

/** Bids one per millisecond or so, so that checkpoints complete while they flow. */
async function* paced(rows: readonly number[][]): AsyncGenerator<number[]> {
  for (const [i, row] of rows.entries()) {
    if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    yield row;
  }
}

function lastPerAuction(rows: readonly unknown[][]): Map<number, [number, number]> {
  return new Map(rows.map((r) => [r[0] as number, [r[1] as number, r[2] as number]]));
}

let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('reducing and aggregating state of a process function', () => {
  it('is keyed, checkpointed and restored from a savepoint intact', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-reducing-'));
    const settings = { 'execution.checkpointing.interval': '20ms', 'state.checkpoints.dir': path.join(dir, 'checkpoints'), 'parallelism.default': '2' };
    const { value: graph, diagnostics } = compile(PROGRAM, { file: 'stats.pipe', settings, functions: { processes: [stats] } });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(graph!.operators.find((o) => o.uid === 'stats')!.state.map((s) => `${s.name} ${s.scope} ${s.kind}`)).toEqual(['total keyed reducing', 'mean keyed aggregating']);

    const collect = () => {
      const rows: unknown[][] = [];
      const callback: SinkCallback = (batch) => void rows.push(...batch.map((r) => [...r]));
      return { rows, callback };
    };
    const before = collect();
    const first = await Job.start(graph!, { processFunctions: { price_stats: stats }, sources: { bids: paced(bids) }, sinks: { out: before.callback }, batchSize: 8 });
    await new Promise<void>((resolve) => first.once('checkpoint-completed', () => resolve()));
    const { savepointPath } = await first.stop({ savepoint: path.join(dir, 'savepoints') });
    expect((await first.done).status).toBe('stopped');
    expect(before.rows.length).toBeGreaterThan(0);
    expect(before.rows.length).toBeLessThan(bids.length);

    const after = collect();
    const second = await Job.start(graph!, {
      processFunctions: { price_stats: stats },
      sources: { bids: bids },
      sinks: { out: after.callback },
      restoreFrom: savepointPath!,
    });
    expect(second.restoreInfo).toMatchObject({ kind: 'restored', type: 'savepoint' });
    await second.done;

    // The last emission per auction saw every bid: the state of the first run's bids came back.
    const expected = new Map<number, [number, number]>();
    for (let auction = 0; auction < 7; auction++) {
      const prices = bids.filter(([a]) => a === auction).map(([, p]) => p!);
      const sum = prices.reduce((a, b) => a + b, 0);
      expected.set(auction, [sum, sum / prices.length]);
    }
    expect(lastPerAuction(after.rows)).toEqual(expected);
  });

  it('is refused without its function: reducing state needs reduce', () => {
    const broken = { ...stats, state: [{ name: 'total', kind: 'reducing' as const, valueType: [{ name: 'total', type: 'BIGINT' }] }] };
    const { diagnostics } = compile(PROGRAM, { functions: { processes: [broken] } });
    expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      'SLC2043 the functions given to compile() have an invalid signature: at functions.processes[0].state[0].reduce: reducing state needs reduce(stored, added), which returns the combined value',
    ]);
  });
});
