import { describe, expect, it } from 'vitest';
import { compile, Job, jobFunctions, OperatorFailure, type ProcessFunction, type ScalarUdf } from '../../index.js';

const PROGRAM = `
CREATE SOURCE readings (sensor STRING NOT NULL, celsius DOUBLE) WITH ('connector' = 'datagen') UID 'readings';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out
FROM readings
|> SELECT sensor, fahrenheit(celsius) AS f
|> PROCESS running_max(f) PARTITION BY sensor UID 'max-per-sensor';
`;

const fahrenheit: ScalarUdf = { name: 'fahrenheit', args: [{ name: 'DOUBLE' }], returns: { name: 'DOUBLE' }, fn: (c: number) => (c * 9) / 5 + 32 };

/** Emits a sensor's reading whenever it beats the sensor's previous maximum. */
const runningMax: ProcessFunction = {
  name: 'running_max',
  args: [{ name: 'DOUBLE' }],
  output: 'input',
  state: [{ name: 'max', kind: 'value', valueType: [{ name: 'max', type: { name: 'DOUBLE' }, nullable: false }] }],
  processElement(row, ctx) {
    const max = ctx.state.value<number>('max');
    const value = ctx.args[0] as number;
    if (max.value() === undefined || value > max.value()!) {
      max.update(value);
      ctx.emit(row);
    }
  },
};

const functions = { scalars: [fahrenheit], processes: [runningMax] };

function graph() {
  const { value, diagnostics } = compile(PROGRAM, { file: 'sensors.pipe', functions });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return value!;
}

describe('the embedding API', () => {
  it('runs a graph with functions registered once, a fed source and a callback sink', async () => {
    const written: unknown[][] = [];
    const readings = [
      { sensor: 'a', celsius: 10 },
      { sensor: 'b', celsius: 30 },
      ['a', 5],
      ['a', 20],
    ];
    const job = await Job.start(graph(), {
      ...jobFunctions(functions),
      sources: { readings },
      sinks: {
        out: (rows) => {
          for (const row of rows) written.push([...row]);
        },
      },
    });
    const result = await job.done;
    expect(result.status).toBe('finished');
    expect(written).toEqual([
      ['a', 50],
      ['b', 86],
      ['a', 68],
    ]);
    expect(result.metrics.operators.find((op) => op.uid === 'readings')!.recordsOut).toBe(4);
  });

  it('cancels a job fed by an endless async iterable', async () => {
    async function* forever() {
      for (let i = 0; ; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        yield { sensor: `s${i % 3}`, celsius: i };
      }
    }
    const job = await Job.start(graph(), { ...jobFunctions(functions), sources: { readings: forever() }, sinks: { out: () => undefined } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(job.metrics().operators.find((op) => op.uid === 'readings')!.recordsOut).toBeGreaterThan(0);
    const result = await job.cancel();
    expect(result.status).toBe('cancelled');
  });

  it('rejects done with an OperatorFailure carrying the reason and the subtask when user code throws', async () => {
    const job = await Job.start(graph(), {
      ...jobFunctions({ scalars: [{ ...fahrenheit, fn: () => { throw new Error('sensor offline'); } }], processes: [runningMax] }),
      sources: { readings: [{ sensor: 'a', celsius: 1 }] },
    });
    const failure: unknown = await job.done.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OperatorFailure);
    expect((failure as OperatorFailure).message).toMatch(/sensor offline/);
    expect((failure as OperatorFailure).subtask).toBe(0);
  });
});
