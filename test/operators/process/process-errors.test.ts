import { describe, expect, it } from 'vitest';
import { Job } from '../../../runtime/execution/job.js';
import type { ObjectRowProcessFunction, ProcessFunction } from '../../../runtime/operators/process/process-function.js';
import { compilePipe, runPipe } from '../run-pipe.js';
import { processProgram } from './process-fixtures.js';

const totalOutput = [
  { name: 'account', type: { name: 'STRING' as const }, nullable: true },
  { name: 'total', type: { name: 'BIGINT' as const }, nullable: false },
];

/** The failure message of a job running `fn` (on a BIGINT output) over one row, through compile() and Job.start. */
async function failureOf(call: string, fn: Pick<ObjectRowProcessFunction, 'processElement'> & Partial<Pick<ObjectRowProcessFunction, 'onTimer' | 'state'>>): Promise<string> {
  const definition: ProcessFunction = { name: 'f', args: [], output: totalOutput, state: [], ...fn };
  const run = runPipe(processProgram(call), {
    sources: { payments: [['a', 1, 1_000]] },
    compile: { functions: { processes: [definition] } },
    job: { processFunctions: { f: definition } },
  });
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return (error as Error).message;
}

describe('mistakes in a process function fail the job with a message naming the step and what to do', () => {
  it.each<[string, unknown, RegExp]>([
    ['an unknown column', { account: 'a', totl: 1 }, /emitted a row with unknown column 'totl': its output columns are account, total/],
    ['a value of the wrong type', { account: 'a', total: '12' }, /column 'total' is "12", not a BIGINT: give an integer number/],
    ['NULL in a NOT NULL column', { account: 'a' }, /column 'total' is NULL, but the column is BIGINT NOT NULL: give it a value/],
    ['an array of the wrong length', ['a'], /emitted a row of 1 values, but its output has 2 columns \(account, total\)/],
    ['something that is not a row', 42, /emitted a row that is 42: emit an object by column name/],
  ])('emitting %s', async (_, emitted, message) => {
    const text = await failureOf('f()', { processElement: (_row, ctx) => ctx.emit(emitted as readonly unknown[]) });
    expect(text).toMatch(/^operator 'p' \(Process\(.*\)\) subtask 1\/1 failed at test\.pipe:\d+:\d+: process function 'f' /);
    expect(text).toMatch(message);
    expect(text).toContain('\n  row: ["a",1,1000]');
  });

  it('emitting an update into an append-only output', async () => {
    expect(await failureOf('f()', { processElement: (_row, ctx) => ctx.emit(['a', 1], '-U') })).toMatch(
      /emitted a -U row, but its output is append-only: emit inserts \('\+I'\) only/,
    );
  });

  it('timers without PARTITION BY, or without onTimer', async () => {
    expect(await failureOf('f()', { processElement: (_row, ctx) => ctx.timers.registerEventTime(5) })).toMatch(
      /uses timers, which are per key: add PARTITION BY to its PROCESS step/,
    );
    expect(await failureOf('f() PARTITION BY account', { processElement: (_row, ctx) => ctx.timers.registerProcessingTime(5) })).toMatch(
      /registers a timer but has no onTimer\(timestamp, ctx\) method: add one/,
    );
  });

  it('state it did not declare, or of another kind', async () => {
    const state = [{ name: 'seen', kind: 'value' as const, valueType: [] }];
    expect(await failureOf('f() PARTITION BY account', { state, processElement: (_row, ctx) => ctx.state.map('seen') })).toMatch(
      /declares state 'seen' as value state, not map state: its declared states are 'seen' \(value\)/,
    );
    expect(await failureOf('f() PARTITION BY account', { state, processElement: (_row, ctx) => ctx.state.value('sen') })).toMatch(
      /has no state 'sen': its declared states are 'seen' \(value\); declare every state in its definition's `state`/,
    );
  });

  it('an exception in processElement, with the row', async () => {
    const text = await failureOf('f()', {
      processElement: () => {
        throw new Error('boom');
      },
    });
    expect(text).toMatch(/failed at test\.pipe:\d+:\d+: boom\n  row: \["a",1,1000\]/);
  });

  it('an exception in onTimer, with the key', async () => {
    const text = await failureOf('f() PARTITION BY account', {
      processElement: (_row, ctx) => ctx.timers.registerEventTime(2_000),
      onTimer: () => {
        throw new Error('boom');
      },
    });
    expect(text).toMatch(/process function 'f' failed in onTimer\(2000\) for key \["a"\]: boom/);
  });

  it('Job.start refuses a graph whose process function was not registered, saying where to register it', async () => {
    const fn: ProcessFunction = { name: 'f', args: [], output: totalOutput, state: [], processElement: () => {} };
    const graph = compilePipe(processProgram('f()'), { functions: { processes: [fn] } });
    await expect(Job.start(graph, { sources: { payments: [] }, processFunctions: { g: fn } })).rejects.toThrow(
      "operator 'p' runs process function 'f', which was not given to Job.start (registered: 'g'): pass it in options.processFunctions under that name",
    );
    await expect(Job.start(graph, { sources: { payments: [] }, processFunctions: { f: { name: 'f' } } })).rejects.toThrow(
      /whose registered definition has no processElement\(row, ctx\) method/,
    );
  });
});
